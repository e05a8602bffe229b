// parse_cpurange (xl_parse.c): comma-separated items, each [^](all | N | N-M | node:N[-M] | nodes:N[-M]).
import type { XlIo } from './io.ts';

export interface CpuTopology { nrCpus: number; nodeOfCpu: number[] }

/** strtoul of a whole item part: digits only after optional space and '+', nothing left over. */
function parseRange(s: string): [number, number] | null {
  const m = /^[ \t\n\v\f\r]*\+?(\d+)(?:-[ \t\n\v\f\r]*\+?(\d+))?$/.exec(s);
  if (!m) return null;
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  return b < a ? null : [a, b];
}

/**
 * The set CPUs (bits below the bitmap size, nrCpus rounded up to a byte, as libxl allocates it),
 * or null after printing xl's error.
 */
export function parseCpuRange(io: XlIo, spec: string, topo: CpuTopology): Set<number> | null {
  const size = Math.ceil(topo.nrCpus / 8) * 8;
  const map = new Set<number>();
  const apply = (cpu: number, not: boolean) => { if (cpu < size) { if (not) map.delete(cpu); else map.add(cpu); } };
  for (let item of spec.split(',').filter(x => x.length > 0)) {
    const not = item.startsWith('^');
    if (not) item = item.slice(1);
    let nodes = false;
    if (item.startsWith('node:')) { nodes = true; item = item.slice(5); }
    else if (item.startsWith('nodes:')) { nodes = true; item = item.slice(6); }
    if (item === 'all') {
      if (not) { io.err('Can\'t combine "^" and "all".\n'); return null; }
      for (let i = 0; i < size; i++) map.add(i);
      continue;
    }
    const r = parseRange(item);
    if (!r) { io.err(`Invalid pcpu range: ${item}.\n`); return null; }
    for (let x = r[0]; x <= r[1] && x < size + 64; x++) {
      if (nodes) topo.nodeOfCpu.forEach((n, cpu) => { if (n === x) apply(cpu, not); });
      else apply(x, not);
    }
  }
  return map;
}
