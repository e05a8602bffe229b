// xenlab's `workload` config key (an extension real xl ignores):
//   workload = "cpu=70,dirty=2000,net-tx=5M,net-rx=1M,disk-read=2M,disk-write=1M"
// cpu: percent of each vCPU demanded; dirty: pages per second; the others bytes per second
// (suffixes K, M, G in powers of 1024).

export interface Workload {
  cpuPercent: number;
  dirtyPagesPerSec: number;
  netTxBps: number;
  netRxBps: number;
  diskReadBps: number;
  diskWriteBps: number;
}

export const IDLE_WORKLOAD: Workload = { cpuPercent: 0, dirtyPagesPerSec: 0, netTxBps: 0, netRxBps: 0, diskReadBps: 0, diskWriteBps: 0 };

const KEYS: Record<string, keyof Workload> = {
  cpu: 'cpuPercent', dirty: 'dirtyPagesPerSec', 'net-tx': 'netTxBps', 'net-rx': 'netRxBps',
  'disk-read': 'diskReadBps', 'disk-write': 'diskWriteBps',
};

function parseAmount(v: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([kKmMgG]?)$/.exec(v.trim());
  if (!m) return undefined;
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return parseFloat(m[1]!) * mult;
}

/** Parse a workload spec; throws an Error whose message names the bad item. */
export function parseWorkload(spec: string | undefined): Workload {
  const w: Workload = { ...IDLE_WORKLOAD };
  if (!spec) return w;
  for (const item of spec.split(',').map(s => s.trim()).filter(Boolean)) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    const field = KEYS[key];
    const val = eq < 0 ? undefined : parseAmount(item.slice(eq + 1));
    if (!field || val === undefined) throw new Error(`invalid workload item "${item}"`);
    if (field === 'cpuPercent' && val > 100) throw new Error(`invalid workload item "${item}": cpu is at most 100`);
    w[field] = val;
  }
  return w;
}
