// xentop's field table: the 19 columns in their fixed order, each with a header, a default width,
// a comparison (the sort order) and a printer. Widths of the columns holding big counters grow
// per refresh to fit the largest value shown, as xentop's adjust_field_widths does.
import type { DomainStats, StatsSample } from '../../protocol/stats.ts';
import { cpuPct } from './cpu.ts';
import { formatFixedWidth as fixedW } from '../../formats/libc/printf.ts';
import { pad, padTrunc, uint } from './printf.ts';
import { bytesFromText } from '../../formats/byte-text.ts';

/** What a field needs besides the domain: the two samples and this refresh's widths. */
export interface FieldContext {
  cur: StatsSample;
  prev: StatsSample | null;
  widths: number[];
  fullName: boolean;
}

export interface Field {
  header: string;
  defaultWidth: number;
  compare(a: DomainStats, b: DomainStats, ctx: FieldContext): number;
  print(d: DomainStats, ctx: FieldContext): string;
}

export const enum F { NAME, STATE, CPU, CPU_PCT, MEM, MEM_PCT, MAXMEM, MAX_PCT, VCPUS, NETS, NET_TX, NET_RX, VBDS, VBD_OO, VBD_RD, VBD_WR, VBD_RSECT, VBD_WSECT, SSID }

const cmp = (a: number, b: number) => (a < b ? -1 : a > b ? 1 : 0);
/** Numeric columns sort biggest first. */
const desc = (get: (d: DomainStats, ctx: FieldContext) => number) =>
  (a: DomainStats, b: DomainStats, ctx: FieldContext) => -cmp(get(a, ctx), get(b, ctx));

/** xentop's state letters, in its order (not xl list's). */
export const STATE_FLAGS: [keyof DomainStats, string][] = [
  ['dying', 'd'], ['shutdown', 's'], ['blocked', 'b'], ['crashed', 'c'], ['paused', 'p'], ['running', 'r'],
];

export function stateString(d: DomainStats): string {
  return STATE_FLAGS.map(([k, ch]) => (d[k] ? ch : '-')).join('');
}

function compareState(a: DomainStats, b: DomainStats): number {
  for (const [k] of STATE_FLAGS) {
    if (a[k] && !b[k]) return -1;
    if (b[k] && !a[k]) return 1;
  }
  return 0;
}

/** Case-insensitive byte comparison, as strcasecmp. */
export function compareNames(a: string, b: string): number {
  const x = a.toLowerCase(), y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

export function netBytes(d: DomainStats, rx: boolean): number {
  return d.nets.reduce((s, n) => s + (rx ? n.rxBytes : n.txBytes), 0);
}

type VbdCounter = 'ooReqs' | 'rdReqs' | 'wrReqs' | 'rdSects' | 'wrSects';

/** A VBD total, or null when every vbd of the domain failed to read (printed as `-`). */
export function vbdTotal(d: DomainStats, key: VbdCounter): number | null {
  if (d.vbds.length === 0) return 0;
  // Our samples carry no read errors, so every vbd counts.
  return d.vbds.reduce((s, v) => s + v[key], 0);
}

const maxMemPct = (d: DomainStats, ctx: FieldContext) => (d.maxMemKb! / ctx.cur.totalMemKb) * 100;

function vbdField(header: string, width: number, key: VbdCounter, col: F | null): Field {
  return {
    header, defaultWidth: width,
    compare: desc(d => vbdTotal(d, key) ?? 0),
    print: (d, ctx) => {
      const w = col === null ? width : ctx.widths[col];
      const v = vbdTotal(d, key);
      return v === null ? pad('-', w) : uint(v, w);
    },
  };
}

export const FIELDS: Field[] = [
  { header: 'NAME', defaultWidth: 10, compare: (a, b) => compareNames(a.name, b.name),
    print: (d, ctx) => (ctx.fullName ? pad(d.name, ctx.widths[F.NAME]) : padTrunc(d.name, 10, 10)) },
  { header: 'STATE', defaultWidth: 6, compare: compareState, print: d => stateString(d) },
  { header: 'CPU(sec)', defaultWidth: 10, compare: desc(d => d.cpuNs), print: d => uint(d.cpuNs / 1e9, 10) },
  { header: 'CPU(%)', defaultWidth: 6, compare: desc((d, ctx) => cpuPct(d, ctx.cur, ctx.prev)),
    print: (d, ctx) => fixedW(cpuPct(d, ctx.cur, ctx.prev), 6, 1) },
  { header: 'MEM(k)', defaultWidth: 10, compare: desc(d => d.curMemKb), print: d => uint(d.curMemKb, 10) },
  { header: 'MEM(%)', defaultWidth: 6, compare: desc(d => d.curMemKb),
    print: (d, ctx) => fixedW((d.curMemKb / ctx.cur.totalMemKb) * 100, 6, 1) },
  { header: 'MAXMEM(k)', defaultWidth: 10, compare: desc(d => d.maxMemKb ?? Infinity),
    print: d => (d.maxMemKb === null ? pad('no limit', 10) : uint(d.maxMemKb, 10)) },
  { header: 'MAXMEM(%)', defaultWidth: 9, compare: desc(d => d.maxMemKb ?? Infinity),
    print: (d, ctx) => (d.maxMemKb === null ? pad('n/a', 9) : fixedW(maxMemPct(d, ctx), 9, 1)) },
  { header: 'VCPUS', defaultWidth: 5, compare: desc(d => d.vcpus.length), print: d => uint(d.vcpus.length, 5) },
  { header: 'NETS', defaultWidth: 4, compare: desc(d => d.nets.length), print: d => uint(d.nets.length, 4) },
  { header: 'NETTX(k)', defaultWidth: 8, compare: desc(d => netBytes(d, false)),
    print: (d, ctx) => uint(netBytes(d, false) / 1024, ctx.widths[F.NET_TX]) },
  { header: 'NETRX(k)', defaultWidth: 8, compare: desc(d => netBytes(d, true)),
    print: (d, ctx) => uint(netBytes(d, true) / 1024, ctx.widths[F.NET_RX]) },
  { header: 'VBDS', defaultWidth: 4, compare: desc(d => d.vbds.length), print: d => uint(d.vbds.length, 4) },
  vbdField('VBD_OO', 8, 'ooReqs', null),
  vbdField('VBD_RD', 8, 'rdReqs', F.VBD_RD),
  vbdField('VBD_WR', 8, 'wrReqs', F.VBD_WR),
  vbdField('VBD_RSECT', 10, 'rdSects', F.VBD_RSECT),
  vbdField('VBD_WSECT', 10, 'wrSects', F.VBD_WSECT),
  { header: 'SSID', defaultWidth: 4, compare: (a, b) => cmp(a.ssid, b.ssid), print: d => uint(d.ssid, 4) },
];

/** Digits needed for n, as INT_FIELD_WIDTH(n + 1) computes them. */
const digits = (n: number) => Math.floor(Math.log10(n + 1)) + 1;

/** This refresh's column widths: the defaults, grown to fit the domains shown. */
export function fieldWidths(shown: DomainStats[], fullName: boolean): number[] {
  const w = FIELDS.map(f => f.defaultWidth);
  const grow = (col: F, n: number) => { if (n > w[col]) w[col] = n; };
  for (const d of shown) {
    if (fullName) grow(F.NAME, bytesFromText(d.name).length);
    grow(F.NET_TX, digits(Math.floor(netBytes(d, false) / 1024)));
    grow(F.NET_RX, digits(Math.floor(netBytes(d, true) / 1024)));
    grow(F.VBD_RD, digits(vbdTotal(d, 'rdReqs') ?? 0));
    grow(F.VBD_WR, digits(vbdTotal(d, 'wrReqs') ?? 0));
    grow(F.VBD_RSECT, digits(vbdTotal(d, 'rdSects') ?? 0));
    grow(F.VBD_WSECT, digits(vbdTotal(d, 'wrSects') ?? 0));
  }
  return w;
}
