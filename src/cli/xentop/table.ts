// The domain table, printed through a Printer as xentop prints it through print(): batch mode
// appends to stdout, the interactive screen emulates curses (which stops at the last line).
// One function serves both so that the two modes cannot drift apart.
import type { DomainStats, StatsSample } from '../../protocol/stats.ts';
import { FIELDS, fieldWidths, type FieldContext } from './fields.ts';
import { uint } from './printf.ts';

export interface Attrs { reverse?: boolean; bold?: boolean; highlight?: boolean }

export interface Printer {
  print(text: string, attrs?: Attrs): void;
  /** True when the cursor is on the last screen line (never in batch mode). */
  full(): boolean;
}

export interface TableOptions {
  networks: boolean;
  vbds: boolean;
  vcpus: boolean;
  repeatHeader: boolean;
  fullName: boolean;
  /** Index into FIELDS; 0 = NAME, xentop's initial order. */
  sortField: number;
  /** First domain shown (interactive scrolling). */
  firstDomain: number;
}

export const DEFAULT_TABLE_OPTIONS: TableOptions = {
  networks: false, vbds: false, vcpus: false, repeatHeader: false, fullName: false, sortField: 0, firstDomain: 0,
};

/** Domains in display order. Stable, so ties keep the sample's (domid) order as glibc's qsort does. */
export function sortDomains(cur: StatsSample, prev: StatsSample | null, sortField: number, fullName = false): DomainStats[] {
  const ctx: FieldContext = { cur, prev, widths: [], fullName };
  const field = FIELDS[sortField];
  return [...cur.domains].sort((a, b) => field.compare(a, b, ctx));
}

function header(p: Printer, widths: number[], sortField: number): void {
  for (let i = 0; i < FIELDS.length; i++) {
    if (i) p.print(' ', { reverse: true });
    p.print(FIELDS[i].header.padStart(widths[i]), { reverse: true, bold: i === sortField });
  }
  p.print('\n');
}

function domainRow(p: Printer, d: DomainStats, ctx: FieldContext, sortField: number): void {
  for (let i = 0; i < FIELDS.length; i++) {
    if (i) p.print(' ');
    p.print(FIELDS[i].print(d, ctx), i === sortField ? { bold: true } : undefined);
  }
  p.print('\n');
}

function vcpuLines(p: Printer, d: DomainStats): void {
  p.print('VCPUs(sec): ');
  d.vcpus.forEach((v, i) => {
    if (!v.online) return;
    if (i !== 0 && i % 5 === 0) p.print('\n        ');
    p.print(` ${uint(i, 2)}: ${uint(v.ns / 1e9, 10)}s`);
  });
  p.print('\n');
}

function networkLines(p: Printer, d: DomainStats): void {
  d.nets.forEach((n, i) => {
    p.print(`Net${i} RX: ${uint(n.rxBytes, 8)}bytes ${uint(n.rxPackets, 8)}pkts ${uint(n.rxErrors, 8)}err ${uint(n.rxDrops, 8)}drop  `);
    p.print(`TX: ${uint(n.txBytes, 8)}bytes ${uint(n.txPackets, 8)}pkts ${uint(n.txErrors, 8)}err ${uint(n.txDrops, 8)}drop\n`);
  });
}

const VBD_TYPES = ['Unidentified', 'BlkBack', 'BlkTap'];
const hex2 = (n: number) => n.toString(16).padStart(2);

function vbdLines(p: Printer, d: DomainStats): void {
  for (const v of d.vbds) {
    // Linux's MAJOR/MINOR of the old 16-bit dev_t: 8 bits each.
    const details = `[${hex2(v.dev >> 8)}:${hex2(v.dev & 0xff)}] `;
    const type = VBD_TYPES[v.backType] ?? VBD_TYPES[0];
    p.print(`VBD ${type} ${String(v.dev).padStart(4)} ${details} OO: ${uint(v.ooReqs, 8)}   RD: ${uint(v.rdReqs, 8)}   WR: ${uint(v.wrReqs, 8)}   RSECT: ${uint(v.rdSects, 10)}   WSECT: ${uint(v.wrSects, 10)}\n`);
  }
}

/** Prints the table for one refresh; returns the first domain index actually used (clamped). */
export function printTable(p: Printer, cur: StatsSample, prev: StatsSample | null, opts: TableOptions): number {
  const domains = sortDomains(cur, prev, opts.sortField, opts.fullName);
  let first = opts.firstDomain;
  // xentop clamps with unsigned arithmetic: no domains leaves it at UINT_MAX, which shows nothing.
  if (first >= domains.length) first = domains.length - 1;
  if (first < 0) return 0;
  const shown = domains.slice(first);
  const ctx: FieldContext = { cur, prev, widths: fieldWidths(shown, opts.fullName), fullName: opts.fullName };
  shown.forEach((d, i) => {
    if (p.full()) return;
    if (i === 0 || opts.repeatHeader) header(p, ctx.widths, opts.sortField);
    domainRow(p, d, ctx, opts.sortField);
    if (opts.vcpus) vcpuLines(p, d);
    if (opts.networks) networkLines(p, d);
    if (opts.vbds) vbdLines(p, d);
  });
  return first;
}

/** Batch mode: one refresh as text. */
export function batchTable(cur: StatsSample, prev: StatsSample | null, opts: TableOptions): string {
  let out = '';
  printTable({ print: t => { out += t; }, full: () => false }, cur, prev, opts);
  return out;
}
