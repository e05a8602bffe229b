// CPU(%) as xentop computes it: the CPU time a domain used between the previous sample and this
// one, over the time elapsed between them (simulated time here, gettimeofday on real Xen).
// 100 % is one physical CPU, so a busy multi-vCPU domain goes above 100.
import type { DomainStats, StatsSample } from '../../protocol/stats.ts';

// Sorting by CPU(%) looks domains up in the previous sample many times: index it once.
const byDomid = new WeakMap<StatsSample, Map<number, DomainStats>>();

function previous(prev: StatsSample, domid: number): DomainStats | undefined {
  let m = byDomid.get(prev);
  if (!m) { m = new Map(prev.domains.map(d => [d.domid, d])); byDomid.set(prev, m); }
  return m.get(domid);
}

export function cpuPct(d: DomainStats, cur: StatsSample, prev: StatsSample | null): number {
  if (!prev) return 0;
  const old = previous(prev, d.domid);
  if (!old) return 0;
  const usElapsed = (cur.ns - prev.ns) / 1000;
  return (d.cpuNs - old.cpuNs) / 10 / usElapsed;
}
