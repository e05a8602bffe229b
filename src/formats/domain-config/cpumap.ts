// CPU lists as xl parses them for cpus= / cpus_soft= (parse_cpurange): comma-separated items,
// each `N`, `N-M`, `all`, `nodes:N[-M]` / `node:N`, optionally negated with `^`.

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

/** xl's parse_range: `N` or `N-M` in decimal, nothing else. */
function parseRange(s: string): [number, number] | null {
  const m = /^[ \t\n\v\f\r]*\+?(\d+)(?:-[ \t\n\v\f\r]*\+?(\d+))?$/.exec(s);
  if (!m) return null;
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (b < a) return null;
  return [a, b];
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
    if (!r) return `Invalid pcpu range: ${s}.`;
    for (let id = r[0]; id <= r[1]; id++) {
      // a node the host does not have contributes no CPUs
      const cpus = nodes ? topo.nodeCpus[id] ?? [] : [id];
      for (const c of cpus) {
        if (c >= bits) continue;
        if (not) map.delete(c); else map.add(c);
      }
    }
  }
  return null;
}
