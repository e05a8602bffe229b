// The LVM reports (lvs, vgs, pvs) in their default columns, laid out as libdm lays out a report:
// two spaces, then each field padded to its column's width (the heading's, a field's minimum or
// its longest value; text left, numbers and sizes right, headings left), one space between
// fields, and every field padded, the last one too. Each report is its lines (none when empty).
import { EXTENT_BYTES, freeExtents, type LvmMetadata } from './volume-group.ts';
import { reportSize } from './size.ts';

interface Column { heading: string; minWidth?: number; right?: boolean }

function layout(columns: Column[], rows: string[][]): string[] {
  const widths = columns.map((c, i) => Math.max(c.heading.length, c.minWidth ?? 0, ...rows.map(r => r[i]!.length)));
  const line = (cells: string[], align: boolean) => `  ${cells.map((v, i) => align && columns[i]!.right ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)).join(' ')}`;
  return rows.length ? [line(columns.map(c => c.heading), false), ...rows.map(r => line(r, true))] : [];
}

const LVS_COLUMNS: Column[] = [
  { heading: 'LV', minWidth: 4 }, { heading: 'VG' }, { heading: 'Attr' }, { heading: 'LSize', right: true },
  { heading: 'Pool' }, { heading: 'Origin' }, { heading: 'Data%', minWidth: 6, right: true }, { heading: 'Meta%', minWidth: 6, right: true },
  { heading: 'Move' }, { heading: 'Log' }, { heading: 'Cpy%Sync', right: true }, { heading: 'Convert' },
];

/**
 * lvs: one row per volume `shown`, sorted by VG then LV name. `open` says which volumes a user
 * holds open (the attributes' 6th character).
 */
export function formatLvs(md: LvmMetadata, shown: (vg: string, lv: string) => boolean, open: (vg: string, lv: string) => boolean): string[] {
  const rows = md.vgs.flatMap(vg => vg.lvs.filter(lv => shown(vg.name, lv.name)).map(lv => [
    lv.name, vg.name, `-${lv.readOnly ? 'r' : 'w'}i-a${open(vg.name, lv.name) ? 'o' : '-'}----`, reportSize(lv.extents * EXTENT_BYTES),
    '', '', '', '', '', '', '', '',
  ])).sort((a, b) => a[1]!.localeCompare(b[1]!) || a[0]!.localeCompare(b[0]!));
  return layout(LVS_COLUMNS, rows);
}

const VGS_COLUMNS: Column[] = [
  { heading: 'VG' }, { heading: '#PV', right: true }, { heading: '#LV', right: true }, { heading: '#SN', right: true },
  { heading: 'Attr', minWidth: 5 }, { heading: 'VSize', right: true }, { heading: 'VFree', right: true },
];

export function formatVgs(md: LvmMetadata, shown: (vg: string) => boolean): string[] {
  const rows = md.vgs.filter(vg => shown(vg.name)).sort((a, b) => a.name.localeCompare(b.name)).map(vg => [
    vg.name, '1', String(vg.lvs.length), '0', 'wz--n-', reportSize(vg.totalExtents * EXTENT_BYTES), reportSize(freeExtents(vg) * EXTENT_BYTES),
  ]);
  return layout(VGS_COLUMNS, rows);
}

const PVS_COLUMNS: Column[] = [
  { heading: 'PV', minWidth: 10 }, { heading: 'VG' }, { heading: 'Fmt' }, { heading: 'Attr' }, { heading: 'PSize', right: true }, { heading: 'PFree', right: true },
];

export function formatPvs(md: LvmMetadata): string[] {
  const rows = md.vgs.map(vg => [
    `/dev/${vg.pv}`, vg.name, 'lvm2', 'a--', reportSize(vg.totalExtents * EXTENT_BYTES), reportSize(freeExtents(vg) * EXTENT_BYTES),
  ]).sort((a, b) => a[0]!.localeCompare(b[0]!));
  return layout(PVS_COLUMNS, rows);
}
