// xenpm's printouts (tools/misc/xenpm.c), pure: the statistics and parameters in Xen 4.17's
// printf formats.
import { CX_UNLIMITED, type CpufreqPara, type CxStat, type PxStat } from '../../protocol/pm.ts';

const ms = (ns: number): number => Math.floor(ns / 1_000_000);
const u20 = (n: number): string => String(n).padStart(20);
/** printf("%5.2f"). */
export const pct = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : String(x === Infinity ? 'inf' : '-nan')).padStart(5);

/** show_max_cstate. */
export function formatMaxCstate(l: { cstate: number; csubstate: number }): string {
  if (l.cstate >= CX_UNLIMITED) return 'All C-states allowed\n\n';
  return `Max possible C-state: C${l.cstate}\n` + (l.csubstate < CX_UNLIMITED ? `Max possible substate: ${l.csubstate}\n\n` : '\n');
}

/** print_cxstat. */
export function formatCxStat(cpu: number, c: CxStat): string {
  let t = `cpu id               : ${cpu}\ntotal C-states       : ${c.nr}\nidle time(ms)        : ${ms(c.idleTimeNs)}\n`;
  for (let i = 0; i < c.nr; i++) {
    t += `C${String(i).padEnd(20)}: transition [${u20(c.triggers[i]!)}]\n`;
    t += `                       residency  [${u20(ms(c.residenciesNs[i]!))} ms]\n`;
  }
  return t + '\n';
}

/** print_pxstat. */
export function formatPxStat(cpu: number, p: PxStat): string {
  let t = `cpu id               : ${cpu}\ntotal P-states       : ${p.total}\nusable P-states      : ${p.usable}\ncurrent frequency    : ${p.freqsMhz[p.cur]} MHz\n`;
  for (let i = 0; i < p.total; i++) {
    t += p.cur === i ? `*P${String(i).padEnd(9)}` : `P${String(i).padEnd(10)}`;
    t += `[${String(p.freqsMhz[i]).padStart(4)} MHz]: transition [${u20(p.counts[i]!)}]\n`;
    t += `                       residency  [${u20(ms(p.residenciesNs[i]!))} ms]\n`;
  }
  return t + '\n';
}

/** print_cpufreq_para. */
export function formatCpufreqPara(cpu: number, p: CpufreqPara): string {
  let t = `cpu id               : ${cpu}\naffected_cpus        :${p.affectedCpus.map(c => ` ${c}`).join('')}\n`;
  t += `cpuinfo frequency    : max [${p.cpuinfoMaxKhz}] min [${p.cpuinfoMinKhz}] cur [${p.cpuinfoCurKhz}]\n`;
  t += `scaling_driver       : ${p.scalingDriver}\nscaling_avail_gov    : ${p.availableGovernors}\ncurrent_governor     : ${p.governor}\n`;
  if (p.governor === 'userspace') t += `  userspace specific :\n    scaling_setspeed : ${p.setspeedKhz}\n`;
  else if (p.governor === 'ondemand') {
    t += '  ondemand specific  :\n';
    t += `    sampling_rate    : max [${p.samplingRateMaxUs}] min [${p.samplingRateMinUs}] cur [${p.samplingRateUs}]\n`;
    t += `    up_threshold     : ${p.upThreshold}\n`;
  }
  t += `scaling_avail_freq   :${p.availableKhz.map(f => (f === p.scalingCurKhz ? ` *${f}` : ` ${f}`)).join('')}\n`;
  t += `scaling frequency    : max [${p.scalingMaxKhz}] min [${p.scalingMinKhz}] cur [${p.scalingCurKhz}]\n`;
  t += `turbo mode           : ${p.turbo ? 'enabled' : 'disabled or n/a'}\n\n`;
  return t;
}

export interface GatherSnapshot { cx: (CxStat | null)[]; px: (PxStat | null)[] }

/**
 * signal_int_handler: per pCPU the C-state and P-state residencies over the window with their
 * shares, the average frequency, then per socket the package and core residencies (none here:
 * the model has no hardware residency counters).
 */
export function formatGather(elapsedMs: number, start: GatherSnapshot, end: GatherSnapshot, avgKhz: number[], topo: { core: number; socket: number }[]): string {
  let t = `Elapsed time (ms): ${elapsedMs}\n`;
  const n = end.cx.length;
  const sumCx = end.cx.map((e, i) => (e ? e.residenciesNs.reduce((a, r, j) => a + Math.max(0, r - start.cx[i]!.residenciesNs[j]!), 0) : 0));
  const sumPx = end.px.map((e, i) => (e ? e.residenciesNs.reduce((a, r, j) => a + r - start.px[i]!.residenciesNs[j]!, 0) : 0));
  for (let i = 0; i < n; i++) {
    t += `\nCPU${i}:\tResidency(ms)\t\tAvg Res(ms)\n`;
    const e = end.cx[i], s = start.cx[i];
    if (e && s && sumCx[i]! > 0) {
      for (let j = 0; j < e.nr; j++) {
        const res = Math.max(0, e.residenciesNs[j]! - s.residenciesNs[j]!);
        const triggers = e.triggers[j]! - s.triggers[j]!;
        const avg = triggers === 0 && e.last === j ? sumCx[i]! / 1e6 : triggers === 0 ? 0 : res / triggers / 1e6;
        t += `  C${j}\t${ms(res)}\t(${pct(100 * res / sumCx[i]!)}%)\t${avg.toFixed(2)}\n`;
      }
      t += '\n';
    }
    const pe = end.px[i], ps = start.px[i];
    if (pe && ps && sumPx[i]! > 0) {
      for (let j = 0; j < pe.total; j++) {
        const res = pe.residenciesNs[j]! - ps.residenciesNs[j]!;
        t += `  P${j}\t${ms(res)}\t(${pct(100 * res / sumPx[i]!)}%)\n`;
      }
    }
    if (avgKhz[i]) t += `  Avg freq\t${avgKhz[i]}\tKHz\n`;
  }
  const sockets = [...new Set(topo.map(c => c.socket))], cores = [...new Set(topo.map(c => c.core))];
  for (const socket of sockets) {
    t += `\nSocket ${socket}\n`;
    for (const core of cores) {
      const j = topo.findIndex(c => c.socket === socket && c.core === core);
      t += `\t Core ${core} CPU ${j < 0 ? topo.length : j}\n`;
    }
  }
  return t;
}
