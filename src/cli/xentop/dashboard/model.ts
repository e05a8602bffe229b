// What the dashboard plots, computed from consecutive samples: CPU(%) per domain over time (as
// xentop computes it), host CPU and memory use, and network and disk throughput. Pure, so it
// is tested without a terminal.
import type { DomainStats, StatsSample } from '../../../protocol/stats.ts';
import { cpuPct } from '../cpu.ts';
import { compareNames, stateString } from '../fields.ts';

/** Points kept per series. */
export const HISTORY = 60;

export interface DomainRow { domid: number; name: string; state: string; cpuPct: number; memKb: number; vcpus: number }

export interface DashboardModel {
  /** Seconds of simulated time since boot, one per sample, as x labels. */
  times: string[];
  cpuByDomain: Map<number, { name: string; points: number[] }>;
  hostCpuPct: number;
  hostMemPct: number;
  netRxKBps: number[]; netTxKBps: number[];
  diskRdKBps: number[]; diskWrKBps: number[];
  rows: DomainRow[];
  last: StatsSample | null;
}

export function emptyModel(): DashboardModel {
  return { times: [], cpuByDomain: new Map(), hostCpuPct: 0, hostMemPct: 0, netRxKBps: [], netTxKBps: [], diskRdKBps: [], diskWrKBps: [], rows: [], last: null };
}

const push = <T>(a: T[], v: T) => { a.push(v); if (a.length > HISTORY) a.shift(); };
const sum = (ds: DomainStats[], f: (d: DomainStats) => number) => ds.reduce((s, d) => s + f(d), 0);
const netRx = (d: DomainStats) => d.nets.reduce((s, n) => s + n.rxBytes, 0);
const netTx = (d: DomainStats) => d.nets.reduce((s, n) => s + n.txBytes, 0);
const rdBytes = (d: DomainStats) => d.vbds.reduce((s, v) => s + v.rdSects * 512, 0);
const wrBytes = (d: DomainStats) => d.vbds.reduce((s, v) => s + v.wrSects * 512, 0);

/** KB/s of a counter summed over domains present in both samples (new domains start at 0). */
function rate(cur: StatsSample, prev: StatsSample | null, f: (d: DomainStats) => number): number {
  if (!prev || cur.ns <= prev.ns) return 0;
  const old = new Map(prev.domains.map(d => [d.domid, d]));
  let delta = 0;
  for (const d of cur.domains) { const o = old.get(d.domid); if (o) delta += Math.max(0, f(d) - f(o)); }
  return delta / 1024 / ((cur.ns - prev.ns) / 1e9);
}

/** The model after one more sample. */
export function addSample(m: DashboardModel, s: StatsSample): DashboardModel {
  const prev = m.last;
  const times = [...m.times]; push(times, (s.ns / 1e9).toFixed(0));
  const cpuByDomain = new Map<number, { name: string; points: number[] }>();
  for (const d of s.domains) {
    const points = [...(m.cpuByDomain.get(d.domid)?.points ?? new Array(times.length - 1).fill(0))];
    push(points, cpuPct(d, s, prev));
    cpuByDomain.set(d.domid, { name: d.name, points });
  }
  const next: DashboardModel = {
    times, cpuByDomain,
    hostCpuPct: Math.min(100, sum(s.domains, d => cpuPct(d, s, prev)) / Math.max(1, s.nrCpus)),
    hostMemPct: s.totalMemKb ? ((s.totalMemKb - s.freeMemKb) / s.totalMemKb) * 100 : 0,
    netRxKBps: [...m.netRxKBps], netTxKBps: [...m.netTxKBps], diskRdKBps: [...m.diskRdKBps], diskWrKBps: [...m.diskWrKBps],
    rows: [...s.domains].sort((a, b) => compareNames(a.name, b.name)).map(d => ({
      domid: d.domid, name: d.name, state: stateString(d), cpuPct: cpuPct(d, s, prev), memKb: d.curMemKb, vcpus: d.vcpus.length,
    })),
    last: s,
  };
  push(next.netRxKBps, rate(s, prev, netRx));
  push(next.netTxKBps, rate(s, prev, netTx));
  push(next.diskRdKBps, rate(s, prev, rdBytes));
  push(next.diskWrKBps, rate(s, prev, wrBytes));
  return next;
}

/** The domains to chart: the busiest few by latest CPU(%), plus the selected one. */
export function chartedDomains(m: DashboardModel, selected: number | null, max = 6): number[] {
  const latest = [...m.cpuByDomain.entries()].sort((a, b) => (b[1].points.at(-1) ?? 0) - (a[1].points.at(-1) ?? 0) || a[0] - b[0]);
  const ids = latest.slice(0, max).map(([id]) => id);
  if (selected !== null && m.cpuByDomain.has(selected) && !ids.includes(selected)) ids[ids.length - 1] = selected;
  return ids;
}
