// Dom0's LVM metadata and the changes the LVM commands make to it, with LVM2's messages: a
// volume group on one physical volume, cut in 4 MiB extents, holding linear logical volumes.
// Pure: the caller keeps the metadata (and the volumes' data) and passes in what it needs.
import { displaySize } from './size.ts';

export const EXTENT_BYTES = 4 * 1024 * 1024;
/** Where a PV's first extent starts (the label and metadata area before it). */
export const PE_START_BYTES = 1024 * 1024;
/** LVM's exit status for a command that failed (ECMD_FAILED); 3 for bad usage (EINVALID_CMD_LINE). */
export const ECMD_FAILED = 5, EINVALID_CMD_LINE = 3;

export interface LogicalVolume {
  name: string;
  uuid: string;
  extents: number;
  /** Its device-mapper minor (/dev/dm-N): the lowest free one when it was made, kept while it lives. */
  minor: number;
  /** lvcreate -p r: a read-only volume. */
  readOnly: boolean;
}

export interface VolumeGroup {
  name: string;
  uuid: string;
  /** The PV's kernel name (sda1). */
  pv: string;
  totalExtents: number;
  lvs: LogicalVolume[];
}

export interface LvmMetadata { vgs: VolumeGroup[] }

/** An LVM command's failure: its stderr lines (LVM indents them) and exit status. */
export class LvmError extends Error {
  constructor(message: string, readonly exitCode = ECMD_FAILED) { super(message); }
}

export function freeExtents(vg: VolumeGroup): number { return vg.totalExtents - vg.lvs.reduce((n, lv) => n + lv.extents, 0); }

/** A new volume group over a whole PV of `pvBytes` (vgcreate's arithmetic: what follows pe_start, in whole extents). */
export function newVolumeGroup(name: string, pv: string, pvBytes: number, uuid: string): VolumeGroup {
  return { name, uuid, pv, totalExtents: Math.floor((pvBytes - PE_START_BYTES) / EXTENT_BYTES), lvs: [] };
}

export function findVg(md: LvmMetadata, name: string): VolumeGroup {
  const vg = md.vgs.find(v => v.name === name);
  if (!vg) throw new LvmError(`  Volume group "${name}" not found\n  Cannot process volume group ${name}`);
  return vg;
}

export function findLv(md: LvmMetadata, vgName: string, lvName: string): { vg: VolumeGroup; lv: LogicalVolume } {
  const vg = findVg(md, vgName);
  const lv = vg.lvs.find(l => l.name === lvName);
  if (!lv) throw new LvmError(`  Failed to find logical volume "${vgName}/${lvName}"`);
  return { vg, lv };
}

/** LVM's rule for VG and LV names: [a-zA-Z0-9+_.-], not starting with '-', not "." or "..", at most 127 characters. */
export function validName(name: string): boolean {
  return /^[A-Za-z0-9+_.][A-Za-z0-9+_.-]{0,126}$/.test(name) && name !== '.' && name !== '..' &&
    !/snapshot|pvmove|_(cdata|cmeta|corig|cpool|cvol|mimage|mlog|pmspare|rimage|rmeta|tdata|tmeta|vdata|vorigin|wcorig)/.test(name);
}

/** Extents for a size, rounding up as LVM does (and the message it prints when it rounds). */
function toExtents(bytes: number): { extents: number; note?: string } {
  const extents = Math.ceil(bytes / EXTENT_BYTES);
  return { extents, note: extents * EXTENT_BYTES !== bytes ? `  Rounding up size to full physical extent ${displaySizeOf(extents)}` : undefined };
}

const displaySizeOf = (extents: number) => displaySize(extents * EXTENT_BYTES);

export interface CreateLv { vg: string; name?: string; bytes: number; readOnly: boolean; uuid: string }

/** lvcreate: a linear volume of the size asked (rounded up to extents). Returns what it prints. */
export function createLv(md: LvmMetadata, o: CreateLv): string[] {
  const vg = findVg(md, o.vg);
  const name = o.name ?? `lvol${vg.lvs.length}`;
  if (!validName(name)) throw new LvmError(`  Logical volume name "${name}" is invalid.`, EINVALID_CMD_LINE);
  const { extents, note } = toExtents(o.bytes);
  if (extents === 0) throw new LvmError('  Adjusted size of logical volume is 0 extents. Needs to be larger.');
  if (vg.lvs.some(l => l.name === name)) throw new LvmError(`  Logical Volume "${name}" already exists in volume group "${vg.name}"`);
  const free = freeExtents(vg);
  if (free < extents) throw new LvmError(`  Volume group "${vg.name}" has insufficient free space (${free} extents): ${extents} required.`);
  const used = new Set(md.vgs.flatMap(v => v.lvs.map(l => l.minor)));
  let minor = 0;
  while (used.has(minor)) minor++;
  vg.lvs.push({ name, uuid: o.uuid, extents, minor, readOnly: o.readOnly });
  return [...(note ? [note] : []), `  Logical volume "${name}" created.`];
}

export type ResizeMode = 'extend' | 'reduce' | 'resize';

/** lvextend / lvreduce / lvresize -L [+|-]SIZE: the new size in extents, checked as LVM checks it. */
export function resizeLv(md: LvmMetadata, vgName: string, lvName: string, mode: ResizeMode, size: { sign: '' | '+' | '-'; bytes: number }): string[] {
  const { vg, lv } = findLv(md, vgName, lvName);
  const { extents: delta, note } = toExtents(size.bytes);
  const target = size.sign === '+' ? lv.extents + delta : size.sign === '-' ? lv.extents - delta : delta;
  if (target <= 0) throw new LvmError('  New size of 0 not permitted.');
  if (target < lv.extents && mode === 'extend') throw new LvmError(`  New size given (${target} extents) not larger than existing size (${lv.extents} extents)`);
  if (target > lv.extents && mode === 'reduce') throw new LvmError(`  New size given (${target} extents) not less than existing size (${lv.extents} extents)`);
  if (target === lv.extents) throw new LvmError(`  New size (${target} extents) matches existing size (${lv.extents} extents).`);
  const free = freeExtents(vg);
  if (target - lv.extents > free) throw new LvmError(`  Insufficient free space: ${target - lv.extents} extents needed, but only ${free} available`);
  const before = lv.extents;
  lv.extents = target;
  return [...(note ? [note] : []),
    `  Size of logical volume ${vg.name}/${lv.name} changed from ${displaySizeOf(before)} (${before} extents) to ${displaySizeOf(target)} (${target} extents).`,
    `  Logical volume ${vg.name}/${lv.name} successfully resized.`];
}

/** lvremove, once confirmed: refused while a user (a guest's blkback) holds the volume open. */
export function removeLv(md: LvmMetadata, vgName: string, lvName: string, open: boolean): string[] {
  const { vg, lv } = findLv(md, vgName, lvName);
  if (open) throw new LvmError(`  Logical volume ${vg.name}/${lv.name} in use.`);
  vg.lvs = vg.lvs.filter(l => l !== lv);
  return [`  Logical volume "${lv.name}" successfully removed.`];
}

/** A VG/LV argument as the LV commands take it: vg/lv, /dev/vg/lv or /dev/mapper/vg-lv. */
export function parseLvPath(arg: string): { vg: string; lv: string } | undefined {
  const mapper = /^\/dev\/mapper\/((?:[^-]|--)+)-((?:[^-]|--)+)$/.exec(arg);
  if (mapper) return { vg: mapper[1]!.replace(/--/g, '-'), lv: mapper[2]!.replace(/--/g, '-') };
  const m = /^(?:\/dev\/)?([^/]+)\/([^/]+)$/.exec(arg);
  return m ? { vg: m[1]!, lv: m[2]! } : undefined;
}

/** device-mapper's name of a volume: vg-lv, with each '-' inside a name doubled. */
export function dmName(vg: string, lv: string): string { return `${vg.replace(/-/g, '--')}-${lv.replace(/-/g, '--')}`; }
