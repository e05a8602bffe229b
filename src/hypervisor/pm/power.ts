// Xen's power management of the pCPUs (cpuidle and cpufreq), clocked by the simulation. Every
// sampling period (ondemand's, 20 ms) the hypervisor runs the scheduler up to the period's end
// and calls sample(): each pCPU's idle time in the period goes to a C-state, the whole period to
// the P-state it ran at, and the governor picks the next P-state from the period's load. Between
// samples a query adds the open period, so C-state residencies (C0 being the rest of the uptime,
// as Xen reports it) and P-state residencies each add up to the elapsed time exactly.
//
// The scheduler hands out idle time, not idle periods. Xen's menu governor picks a state by the
// length of each idle period; here a wholly idle sampling period continues an idle stretch (its
// length is known), and a partly idle one holds one idle period per workload period (the guests'
// duty cycle wakes them every WAKE_PERIOD_NS), so its mean idle period picks the state.
import { HypervisorError } from '../errors.ts';
import type { TraceSink } from '../trace-sink.ts';
import { TRC_PM_FREQ_CHANGE } from '../trace-events.ts';
import { CSTATES, CX_UNLIMITED, PSTATE_LATENCY_US, TURBO_RATIO, cstateFor, pstateTable } from './cpu-power.ts';
import { DEF_UP_THRESHOLD, GOVERNORS, MAX_UP_THRESHOLD, MIN_UP_THRESHOLD, govern, resolve, type GovernorName, type Policy } from './governor.ts';

/** ondemand's default sampling rate: 1000 × the P-state latency, at least 20 ms (ns). */
export const SAMPLING_NS = Math.max(PSTATE_LATENCY_US * 1000 * 1000, 20_000_000);
/** ondemand's sampling rate bounds (µs): MAX_SAMPLING_RATE and MIN_SAMPLING_RATE. */
const SAMPLING_MAX_US = 500 * SAMPLING_NS / 1000;
const SAMPLING_MIN_US = SAMPLING_NS / 2 / 1000;
/** The workloads' duty-cycle period: a partly busy pCPU goes idle about once per period. */
const WAKE_PERIOD_NS = 10_000_000;

interface PcpuPower {
  /** C-state entries and residency (ns), indexed by state (0 unused: C0 is derived). */
  usage: number[];
  resNs: number[];
  /** The scheduler's idle time at the last sample. */
  idleAtSample: number;
  /** Length of the idle stretch running at the last sample (0: the pCPU was busy in that period). */
  idleRunNs: number;
  /** The C-state of the last idle time accounted. */
  lastState: number;
  policy: Policy;
  pIdx: number;
  pCount: number[];
  pResNs: number[];
  /** Up to when pResNs is counted (P-states change at samples and at policy changes). */
  pFrom: number;
  /** APERF/MPERF: busy time weighted by the effective frequency (kHz·ns), and busy time at the nominal rate (ns). */
  aperf: number;
  mperf: number;
  /** What get-cpufreq-average saw last (Xen keeps one snapshot per pCPU for the tools). */
  avgSnap: { aperf: number; mperf: number };
  turbo: boolean;
}

export interface CxStat { nr: number; last: number; idleTimeNs: number; triggers: number[]; residenciesNs: number[] }
export interface PxStat { total: number; usable: number; cur: number; freqsMhz: number[]; counts: number[]; residenciesNs: number[] }
export interface CpufreqPara {
  affectedCpus: number[];
  cpuinfoMaxKhz: number; cpuinfoMinKhz: number; cpuinfoCurKhz: number;
  scalingDriver: string; availableGovernors: string; governor: GovernorName;
  setspeedKhz: number;
  samplingRateMaxUs: number; samplingRateMinUs: number; samplingRateUs: number; upThreshold: number;
  availableKhz: number[];
  scalingMaxKhz: number; scalingMinKhz: number; scalingCurKhz: number;
  turbo: boolean;
}

/** What the administrator set (xenpm), which stays with the running Xen when the daemon restarts. */
export interface PmSettings {
  maxCstate: number;
  maxCsubstate: number;
  samplingNs: number;
  upThreshold: number;
  cpus: { governor: GovernorName; minKhz: number; maxKhz: number; setspeedKhz: number; turbo: boolean }[];
}

export interface PowerOptions {
  nrPcpus: number;
  nominalKhz: number;
  startNs: bigint;
  /** The scheduler's idle time of a pCPU so far (ns). */
  idleNs: (cpu: number) => number;
  trace: TraceSink;
  /** A pCPU's frequency changed: work on it now takes a different amount of CPU time. */
  onFreqChange: (cpu: number) => void;
}

const einval = (): HypervisorError => new HypervisorError('EINVAL', 'Invalid argument');

export class PowerManagement {
  readonly freqsKhz: readonly number[];
  private readonly cpus: PcpuPower[];
  private lastSample: number;
  private maxCstate = CX_UNLIMITED;
  private maxCsubstate = CX_UNLIMITED;
  private samplingNs = SAMPLING_NS;
  private upThreshold = DEF_UP_THRESHOLD;

  constructor(private readonly o: PowerOptions) {
    this.freqsKhz = pstateTable(o.nominalKhz / 1000).map(m => m * 1000);
    this.lastSample = Number(o.startNs);
    const maxKhz = this.freqsKhz[0]!, minKhz = this.freqsKhz[this.freqsKhz.length - 1]!;
    this.cpus = Array.from({ length: o.nrPcpus }, (_, cpu) => {
      const pResNs = this.freqsKhz.map(() => 0);
      // The uptime before power management started (a recovered host's) ran at P0, as firmware leaves it.
      pResNs[0] = this.lastSample;
      return {
        usage: CSTATES.map(() => 0).concat(0), resNs: CSTATES.map(() => 0).concat(0),
        idleAtSample: o.idleNs(cpu), idleRunNs: 0, lastState: 0,
        policy: { governor: 'performance', minKhz, maxKhz, curKhz: maxKhz, setspeedKhz: maxKhz },
        pIdx: 0, pCount: this.freqsKhz.map(() => 0), pResNs, pFrom: this.lastSample,
        aperf: 0, mperf: 0, avgSnap: { aperf: 0, mperf: 0 }, turbo: true,
      };
    });
  }

  get nrPcpus(): number { return this.cpus.length; }

  /** When the governors sample next (ns). */
  nextSampleNs(): bigint { return BigInt(this.lastSample + this.samplingNs); }

  /** End of a sampling period at `t` (the scheduler has run up to it). */
  sample(t: bigint): void {
    const now = Number(t), w = now - this.lastSample;
    if (w <= 0) return;
    this.cpus.forEach((p, cpu) => {
      const idleTotal = this.o.idleNs(cpu);
      const idle = Math.min(w, Math.max(0, idleTotal - p.idleAtSample));
      const busy = w - idle;
      const cx = this.idleState(p, idle, w);
      if (cx.state) { p.usage[cx.state]! += cx.entries; p.resNs[cx.state]! += idle; p.lastState = cx.state; }
      p.idleRunNs = idle === w ? p.idleRunNs + w : 0;
      p.idleAtSample = idleTotal;
      this.countPstate(p, now);
      const eff = this.effectiveKhz(cpu);
      p.aperf += busy * eff;
      p.mperf += busy * this.o.nominalKhz;
      const load = Math.floor(100 * busy / w);
      const avgKhz = busy > 0 ? Math.round(this.freqsKhz[0]! * eff / this.o.nominalKhz) : p.policy.curKhz;
      this.setFreq(cpu, govern(this.freqsKhz, p.policy, load, avgKhz, this.upThreshold), now);
    });
    this.lastSample = now;
  }

  /**
   * Which C-state `idle` ns of a period of `w` ns went to, and how many entries that made:
   * the deepest state allowed whose target residency fits the idle periods' length.
   */
  private idleState(p: PcpuPower, idle: number, w: number): { state: number; entries: number } {
    if (idle <= 0) return { state: 0, entries: 0 };
    const whole = idle === w;
    const entries = whole ? (p.idleRunNs === 0 ? 1 : 0) : Math.max(1, Math.round(w / WAKE_PERIOD_NS));
    const length = whole ? p.idleRunNs + w : idle / entries;
    return { state: this.cstateFor(length), entries };
  }

  /** The C-state an idle period of `lengthNs` goes to under the current limit. */
  cstateFor(lengthNs: number): number { return cstateFor(lengthNs, this.maxCstate); }

  private setFreq(cpu: number, khz: number, now: number): void {
    const p = this.cpus[cpu]!;
    if (khz === p.policy.curKhz) return;
    const from = p.policy.curKhz;
    this.countPstate(p, now);
    p.pIdx = this.freqsKhz.indexOf(khz);
    p.pCount[p.pIdx]!++;
    p.policy.curKhz = khz;
    // __cpufreq_driver_target traces old and new frequency in MHz.
    if (this.o.trace.enabled) this.o.trace.record(cpu, BigInt(now), TRC_PM_FREQ_CHANGE, [from / 1000, khz / 1000]);
    this.o.onFreqChange(cpu);
  }

  private countPstate(p: PcpuPower, now: number): void {
    p.pResNs[p.pIdx]! += now - p.pFrom;
    p.pFrom = now;
  }

  /** The frequency a pCPU's work runs at: P0 is turbo while turbo is on, the nominal frequency otherwise. */
  effectiveKhz(cpu: number): number {
    const p = this.cpus[cpu]!;
    if (p.pIdx === 0) return p.turbo ? this.turboKhz : this.o.nominalKhz;
    return p.policy.curKhz;
  }

  /**
   * How much more CPU time a fixed amount of work takes on this pCPU than on the host as it boots
   * (performance governor, turbo on): workloads are sized at that speed, so they keep their
   * share until someone changes a governor, a limit or turbo.
   */
  workScale(cpu: number): number { return this.turboKhz / this.effectiveKhz(cpu); }

  private get turboKhz(): number { return Math.round(this.o.nominalKhz * TURBO_RATIO); }

  // ---- XEN_SYSCTL_get_pmstat / XEN_SYSCTL_pm_op ---------------------------------------------

  private pcpu(cpu: number): PcpuPower {
    const p = this.cpus[cpu];
    if (!p) throw einval();
    return p;
  }

  /** The open sampling period up to `now`, as sample() would account it. */
  private pending(cpu: number, now: number): { idle: number; w: number; cx: { state: number; entries: number } } {
    const p = this.cpus[cpu]!, w = now - this.lastSample;
    const idle = Math.min(w, Math.max(0, this.o.idleNs(cpu) - p.idleAtSample));
    return { idle, w, cx: this.idleState(p, idle, w) };
  }

  /** pmstat_get_cx_stat: C0's residency is the uptime less the idle states' (ns). */
  cxStat(cpu: number, now: bigint): CxStat {
    const p = this.pcpu(cpu), t = Number(now);
    const { idle, cx } = this.pending(cpu, t);
    const triggers = [...p.usage], res = [...p.resNs];
    if (cx.state) { triggers[cx.state]! += cx.entries; res[cx.state]! += idle; }
    let idleRes = 0, idleUsage = 0;
    for (let i = 1; i < res.length; i++) { idleRes += res[i]!; idleUsage += triggers[i]!; }
    triggers[0] = idleUsage;
    res[0] = t - idleRes;
    // Idle now: the open period has been idle throughout (or, just at a sample, the last one was).
    const w = t - this.lastSample;
    const idleNow = w > 0 ? idle === w : p.idleRunNs > 0;
    return { nr: res.length, last: idleNow ? cx.state || p.lastState : 0, idleTimeNs: idleRes, triggers, residenciesNs: res };
  }

  /** pmstat_get_px_stat (the open period counted at the current P-state). */
  pxStat(cpu: number, now: bigint): PxStat {
    const p = this.pcpu(cpu);
    const res = [...p.pResNs];
    res[p.pIdx]! += Number(now) - p.pFrom;
    return { total: this.freqsKhz.length, usable: this.freqsKhz.length, cur: p.pIdx, freqsMhz: this.freqsKhz.map(f => f / 1000), counts: [...p.pCount], residenciesNs: res };
  }

  /** cpufreq_driver_getavg(USR_GETAVG): APERF/MPERF since the last call, scaled to the top _PSS frequency (kHz). */
  averageKhz(cpu: number, now: bigint): number {
    const p = this.pcpu(cpu);
    const { idle, w } = this.pending(cpu, Number(now));
    const busy = w - idle;
    const aperf = p.aperf + busy * this.effectiveKhz(cpu), mperf = p.mperf + busy * this.o.nominalKhz;
    const da = aperf - p.avgSnap.aperf, dm = mperf - p.avgSnap.mperf;
    p.avgSnap = { aperf, mperf };
    return dm > 0 ? Math.floor(this.freqsKhz[0]! * da / dm) : p.policy.curKhz;
  }

  cpufreqPara(cpu: number): CpufreqPara {
    const p = this.pcpu(cpu);
    return {
      affectedCpus: [cpu], cpuinfoMaxKhz: this.freqsKhz[0]!, cpuinfoMinKhz: this.freqsKhz[this.freqsKhz.length - 1]!,
      cpuinfoCurKhz: p.policy.curKhz, scalingDriver: 'acpi-cpufreq', availableGovernors: GOVERNORS.join(' '),
      governor: p.policy.governor, setspeedKhz: p.policy.curKhz,
      samplingRateMaxUs: SAMPLING_MAX_US, samplingRateMinUs: SAMPLING_MIN_US,
      samplingRateUs: this.samplingNs / 1000, upThreshold: this.upThreshold,
      availableKhz: [...this.freqsKhz], scalingMaxKhz: p.policy.maxKhz, scalingMinKhz: p.policy.minKhz,
      scalingCurKhz: p.policy.curKhz, turbo: p.turbo,
    };
  }

  /** set_cpufreq_gov: a governor starts by applying itself at once. */
  setGovernor(cpu: number, name: string, now: bigint): void {
    const p = this.pcpu(cpu);
    const gov = GOVERNORS.find(g => g === name.toLowerCase());
    if (!gov) throw einval();
    p.policy.governor = gov;
    if (gov === 'userspace') p.policy.setspeedKhz = p.policy.curKhz;
    this.apply(cpu, now);
  }

  /** set_cpufreq_para SCALING_MAX_FREQ / SCALING_MIN_FREQ: the limits stay within the hardware's and in order. */
  setScalingLimit(cpu: number, which: 'max' | 'min', khz: number, now: bigint): void {
    const p = this.pcpu(cpu);
    const lo = this.freqsKhz[this.freqsKhz.length - 1]!, hi = this.freqsKhz[0]!;
    const v = Math.min(Math.max(khz, lo), hi);
    const min = which === 'min' ? v : p.policy.minKhz, max = which === 'max' ? v : p.policy.maxKhz;
    if (min > max) throw einval();
    p.policy.minKhz = min; p.policy.maxKhz = max;
    this.apply(cpu, now);
  }

  /** SCALING_SETSPEED: only the userspace governor takes a speed. */
  setSpeed(cpu: number, khz: number, now: bigint): void {
    const p = this.pcpu(cpu);
    if (p.policy.governor !== 'userspace') throw einval();
    p.policy.setspeedKhz = khz;
    this.apply(cpu, now);
  }

  /** SAMPLING_RATE (µs) and UP_THRESHOLD: ondemand's tunables, shared by every pCPU. */
  setOndemand(cpu: number, what: 'rate' | 'threshold', value: number): void {
    if (this.pcpu(cpu).policy.governor !== 'ondemand') throw einval();
    if (what === 'rate') {
      if (value > SAMPLING_MAX_US || value < SAMPLING_MIN_US) throw einval();
      this.samplingNs = value * 1000;
    } else {
      if (value > MAX_UP_THRESHOLD || value < MIN_UP_THRESHOLD) throw einval();
      this.upThreshold = value;
    }
  }

  setTurbo(cpu: number, on: boolean): void {
    const p = this.pcpu(cpu);
    if (p.turbo === on) return;
    p.turbo = on;
    if (p.pIdx === 0) this.o.onFreqChange(cpu);
  }

  /** A policy change takes effect at once: ondemand keeps its frequency within the new limits, the others set theirs. */
  private apply(cpu: number, now: bigint): void {
    const p = this.cpus[cpu]!;
    const target = p.policy.governor === 'ondemand' ? resolve(this.freqsKhz, p.policy, p.policy.curKhz, 'L') : govern(this.freqsKhz, p.policy, 0, p.policy.curKhz, this.upThreshold);
    this.setFreq(cpu, target, Number(now));
  }

  settings(): PmSettings {
    return {
      maxCstate: this.maxCstate, maxCsubstate: this.maxCsubstate, samplingNs: this.samplingNs, upThreshold: this.upThreshold,
      cpus: this.cpus.map(({ policy: p, turbo }) => ({ governor: p.governor, minKhz: p.minKhz, maxKhz: p.maxKhz, setspeedKhz: p.setspeedKhz, turbo })),
    };
  }

  /** Put back settings recorded by settings(); each pCPU's governor applies them at once. */
  restoreSettings(s: PmSettings, now: bigint): void {
    ({ maxCstate: this.maxCstate, maxCsubstate: this.maxCsubstate, samplingNs: this.samplingNs, upThreshold: this.upThreshold } = s);
    s.cpus.slice(0, this.cpus.length).forEach((c, cpu) => {
      const p = this.cpus[cpu]!;
      Object.assign(p.policy, { governor: c.governor, minKhz: c.minKhz, maxKhz: c.maxKhz, setspeedKhz: c.setspeedKhz });
      p.turbo = c.turbo;
      this.apply(cpu, now);
    });
  }

  maxCstateLimit(): { cstate: number; csubstate: number } { return { cstate: this.maxCstate, csubstate: this.maxCsubstate }; }

  setMaxCstate(value: number, csubstate = false): void {
    if (csubstate) this.maxCsubstate = value; else this.maxCstate = value;
  }
}
