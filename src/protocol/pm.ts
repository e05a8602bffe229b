// xenpm's requests (XEN_SYSCTL_get_pmstat and XEN_SYSCTL_pm_op): each pCPU's C-state and P-state
// statistics and cpufreq parameters, and the settings xenpm changes. A failure carries Xen's
// errno name; xenpm prints it as "(errno - strerror)".
import type { CpufreqPara, CxStat, PxStat } from '../hypervisor/pm/power.ts';

export type { CpufreqPara, CxStat, PxStat };
export { CX_UNLIMITED } from '../hypervisor/pm/cpu-power.ts';

/** What xenpm sets: SET_CPUFREQ_GOV, SET_CPUFREQ_PARA's controls, turbo, and the C-state limits. */
export type PmSetting = 'governor' | 'maxfreq' | 'minfreq' | 'speed' | 'sampling-rate' | 'up-threshold' | 'turbo' | 'max-cstate' | 'max-csubstate';

export interface PmRequests {
  'pm.cxStat': { args: { cpu: number }; result: CxStat };
  'pm.pxStat': { args: { cpu: number }; result: PxStat };
  /** GET_CPUFREQ_AVGFREQ: the average frequency (kHz) since the previous call for this pCPU. */
  'pm.avgFreq': { args: { cpu: number }; result: { khz: number } };
  'pm.cpufreqPara': { args: { cpu: number }; result: CpufreqPara };
  /** XEN_SYSCTL_pm_op_get_max_cstate for the C-state and the sub-state (0xffffffff: unlimited). */
  'pm.maxCstate': { args: {}; result: { cstate: number; csubstate: number } };
  /** `value`: a governor name, a number, or for turbo 1/0. */
  'pm.set': { args: { cpu: number; setting: PmSetting; value: string }; result: {} };
  /** Answer once the host's clock reaches `ns` (xenpm start's alarm, in simulated time). */
  'pm.sleepUntil': { args: { ns: string }; result: {} };
}
