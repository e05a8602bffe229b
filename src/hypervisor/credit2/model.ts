// credit2's own state around sched-core's: runqueues, and the fields of its domains and vCPUs
// (the csched2_* structures). Times are ns.
import type { CoreDom, CoreVcpu } from '../sched-core/core.ts';

export interface Runq {
  id: number;
  cpus: number[];
  /** Runnable, not running vCPUs, highest credit first. */
  runq: Vcpu[];
  /** Every vCPU assigned to this runqueue (rqd->svc). */
  svc: Set<Vcpu>;
  maxWeight: number;
  pickBias: number;
  /** pCPUs running a guest vCPU. */
  busy: number;
  /** Per pCPU of `cpus`: since when its guest vCPU runs (Infinity when idle); scanned on every tickle. */
  since: Float64Array;
}

export interface Dom extends CoreDom<Vcpu> {
  weight: number;
  cap: number;
  // Cap enforcement (csched2_dom budget fields).
  budget: number;
  totBudget: number;
  nextRepl: number;
  parked: Vcpu[];
  replGen: number;
  replPending: boolean;
}

export interface Vcpu extends CoreVcpu<Dom> {
  credit: number;
  residual: number;
  budget: number;
  budgetQuota: number;
  rq: Runq | null;
  onRunq: boolean;
  /** Credit burnt up to here. */
  startTime: number;
  tickledCpu: number;
  parked: boolean;
  /** Effective hard affinity: hard ∩ pool (the pool when that is empty). */
  eff: Uint8Array;
  /** The soft affinity, when it restricts the effective one. */
  softMask: Uint8Array | null;
  pinned: boolean;
}
