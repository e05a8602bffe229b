// Requests of xl sched-credit and xl sched-rtds: the credit (credit1) and RTDS parameters of
// domains, vCPUs and pools, as libxl gets and sets them.
import type { RtdsVcpuParams, SchedCreditParams, SchedCreditPoolParams, SchedRtdsDomain } from '../dom0/toolstack/types.ts';

export type { RtdsVcpuParams, SchedCreditParams, SchedCreditPoolParams, SchedRtdsDomain };

export interface SchedRequests {
  /** Every credit pool (or the one named) with its parameters and domains; or one domain's weight and cap. */
  'sched.credit.get': { args: { dom?: string; pool?: string }; result: { pools: (SchedCreditPoolParams & { name: string; domains: SchedCreditParams[] })[] } };
  'sched.credit.set': { args: { dom: string; weight?: number; cap?: number }; result: {} };
  /** A pool's parameters (Pool-0's by default); null with libxl's error when it runs another scheduler. */
  'sched.credit.getPool': { args: { pool?: string }; result: { name: string; params: SchedCreditPoolParams | null; error?: string } };
  'sched.credit.setPool': { args: { pool?: string; tsliceMs?: number; ratelimitUs?: number; migrDelayUs?: number }; result: {} };
  /** Domains' RTDS parameters: their defaults, or (with `vcpus`) those of the vCPUs named or all of them. */
  'sched.rtds.get': { args: { dom?: string; pool?: string; vcpus?: number[] | 'all' }; result: { pools: { name: string; domains: SchedRtdsDomain[] }[] } };
  /** The vCPUs listed, or with `all` every vCPU to the first entry's values. */
  'sched.rtds.set': { args: { dom: string; vcpus: RtdsVcpuParams[]; all: boolean }; result: {} };
}
