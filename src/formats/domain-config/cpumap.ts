// CPU lists as xl parses them for cpus= / cpus_soft= (parse_cpurange): comma-separated items,
// each `N`, `N-M`, `all`, `nodes:N[-M]` / `node:N`, optionally negated with `^`.

import { ULONG_MAX, strtoul } from '../libc/strtol.ts';

/** Host facts that cpumaps depend on. */
export interface HostTopology {
  /** number of pCPUs (libxl sizes cpumaps to whole bytes of this) */
  nrCpus: number;
  /** pCPUs of each NUMA node */
  nodeCpus: number[][];
}

export const DEFAULT_TOPOLOGY: HostTopology = { nrCpus: 8, nodeCpus: [[0, 1, 2, 3, 4, 5, 6, 7]] };

/** Size in bits of a libxl cpumap on this host (whole bytes). */
export function cpumapBits(topo: HostTopology): number {
  return Math.ceil(topo.nrCpus / 8) * 8;
}

/**
 * xl's parse_range: `N` or `N-M`, each read by strtoul in base 10 (so leading blanks and a sign
 * pass, and "-2" is ULONG_MAX - 1), nothing after. `ok` is false where it returns ERROR_INVAL (no
 * digits, ULONG_MAX, M < N, junk); a and b are what it stored by then, which some callers use anyway.
 */
export function parseRange(s: string): { a: bigint; b: bigint; ok: boolean } {
  const first = strtoul(s, 10);
  const a = first.value;
  if (first.end === 0 || a === ULONG_MAX) return { a, b: a, ok: false };
  let rest = s.slice(first.end);
  let b = a;
  if (rest.startsWith('-')) {
    const second = strtoul(rest.slice(1), 10);
    b = second.value;
    if (second.end === 0 || b === ULONG_MAX || b < a) return { a, b, ok: false };
    rest = rest.slice(1 + second.end);
  }
  return { a, b, ok: rest === '' };
}

/**
 * Apply a CPU list to `map` (a set of bit numbers limited to the cpumap size). Returns the
 * error line xl prints, or null.
 */
export function parseCpuRange(spec: string, map: Set<number>, topo: HostTopology): string | null {
  const bits = cpumapBits(topo);
  for (const item of spec.split(',')) {
    if (item === '') continue; // strtok skips empty items
    let s = item;
    let not = false;
    if (s.startsWith('^')) { not = true; s = s.slice(1); }
    let nodes = false;
    if (s.startsWith('node:')) { nodes = true; s = s.slice(5); }
    else if (s.startsWith('nodes:')) { nodes = true; s = s.slice(6); }
    if (s === 'all') {
      if (not) return `Can't combine "^" and "all".`;
      for (let i = 0; i < bits; i++) map.add(i);
      continue;
    }
    const r = parseRange(s);
    if (!r.ok) return `Invalid pcpu range: ${s}.`;
    // Only ids the host has matter: a cpumap ignores bits past its end, a missing node has no CPUs.
    const last = BigInt(nodes ? topo.nodeCpus.length - 1 : bits - 1);
    for (let id = r.a; id <= r.b && id <= last; id++) {
      const cpus = nodes ? topo.nodeCpus[Number(id)] ?? [] : [Number(id)];
      for (const c of cpus) {
        if (c >= bits) continue;
        if (not) map.delete(c); else map.add(c);
      }
    }
  }
  return null;
}
