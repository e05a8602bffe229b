// Xen's cpufreq governors (drivers/cpufreq: cpufreq_ondemand.c, cpufreq_misc_governors.c) as pure
// functions: from a pCPU's policy and its load over the last sampling period, the frequency it
// should run at next. Frequencies are kHz, as Xen's policies hold them.

export type GovernorName = 'ondemand' | 'performance' | 'powersave' | 'userspace';
/** read_scaling_available_governors: the registration list, newest first. */
export const GOVERNORS: readonly GovernorName[] = ['ondemand', 'performance', 'powersave', 'userspace'];

export interface Policy {
  governor: GovernorName;
  /** scaling_min_freq / scaling_max_freq. */
  minKhz: number;
  maxKhz: number;
  /** The frequency of the current P-state. */
  curKhz: number;
  /** userspace's scaling_setspeed. */
  setspeedKhz: number;
}

/** ondemand's tunables (dbs_tuners): up_threshold in percent, sampling rate in µs. */
export const DEF_UP_THRESHOLD = 80;
export const MIN_UP_THRESHOLD = 11;
export const MAX_UP_THRESHOLD = 100;

/** CPUFREQ_RELATION_L: the lowest available frequency at or above target; _H: the highest at or below. */
export function resolve(freqsKhz: readonly number[], p: Policy, targetKhz: number, relation: 'L' | 'H'): number {
  const t = Math.min(Math.max(targetKhz, p.minKhz), p.maxKhz);
  const inRange = freqsKhz.filter(f => f >= p.minKhz && f <= p.maxKhz);
  const pick = relation === 'L'
    ? inRange.filter(f => f >= t).reduce((a, b) => Math.min(a, b), Infinity)
    : inRange.filter(f => f <= t).reduce((a, b) => Math.max(a, b), -Infinity);
  if (Number.isFinite(pick)) return pick;
  return relation === 'L' ? Math.max(...inRange) : Math.min(...inRange);
}

/**
 * The governor's decision at the end of a sampling period in which the pCPU was busy `loadPct`
 * percent of the time at an average (measured) frequency of `avgKhz`.
 */
export function govern(freqsKhz: readonly number[], p: Policy, loadPct: number, avgKhz: number, upThreshold: number): number {
  switch (p.governor) {
    case 'performance': return resolve(freqsKhz, p, p.maxKhz, 'H');
    case 'powersave': return resolve(freqsKhz, p, p.minKhz, 'L');
    case 'userspace': return resolve(freqsKhz, p, p.setspeedKhz, 'L');
    case 'ondemand': {
      // dbs_check_cpu: jump to the maximum above the threshold; below it minus 10 points, the
      // lowest frequency that would carry the same work just under that mark.
      const loadFreq = loadPct * avgKhz;
      if (loadFreq > upThreshold * p.curKhz) return resolve(freqsKhz, p, p.maxKhz, 'H');
      if (p.curKhz === p.minKhz) return p.curKhz;
      if (loadFreq < (upThreshold - 10) * p.curKhz) return resolve(freqsKhz, p, Math.floor(loadFreq / (upThreshold - 10)), 'L');
      return p.curKhz;
    }
  }
}
