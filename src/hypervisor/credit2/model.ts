// The scheduler's state: pCPUs, its cpupool, runqueues, domains and their vCPUs (the csched2_*
// structures and the bits of struct vcpu / sched_unit that credit2 reads). Times are ns.
import type { DutyCycle } from '../sched-core/workload.ts';

export interface Runq {
  id: number;
  pool: Pool;
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

/** The one cpupool a credit2 instance schedules. */
export interface Pool { pcpus: number[]; ratelimitNs: number; runqs: Runq[] }

export interface Pcpu {
  id: number;
  pool: Pool | null;
  rq: Runq | null;
  curr: Vcpu | null;
  idle: boolean;
  /** Index in its runqueue's `cpus`. */
  rqIdx: number;
  tickled: boolean;
  /** When a pending tickle makes it schedule. */
  tickleAt: number;
  /** When the idle vCPU's runstate last changed (for INFPREV/INFNEXT). */
  idleEntry: number;
  idleSince: number;
  idleNs: number;
  /** When the current vCPU's workload will block it. */
  blockAt: number;
  sliceEnd: number;
}

export interface Dom {
  id: number;
  weight: number;
  cap: number;
  pool: Pool;
  paused: boolean;
  dying: boolean;
  vcpus: Vcpu[];
  // Cap enforcement (csched2_dom budget fields).
  budget: number;
  totBudget: number;
  nextRepl: number;
  parked: Vcpu[];
  replGen: number;
  replPending: boolean;
}

export interface Vcpu {
  dom: Dom;
  id: number;
  word: number;
  credit: number;
  residual: number;
  budget: number;
  budgetQuota: number;
  rq: Runq | null;
  onRunq: boolean;
  processor: number;
  running: boolean;
  runstate: number;
  stateEntry: number;
  /** Credit burnt up to here. */
  startTime: number;
  /** CPU time accounted up to here while running. */
  runFrom: number;
  cpuNs: number;
  tickledCpu: number;
  online: boolean;
  blocked: boolean;
  parked: boolean;
  hard: number[] | null;
  soft: number[] | null;
  /** Effective hard affinity: hard ∩ pool (the pool when that is empty). */
  eff: Uint8Array;
  softMask: Uint8Array | null;
  pinned: boolean;
  work: DutyCycle;
  wakeGen: number;
}

/** unit_runnable(): online, not blocked, not parked for want of budget, not paused or dying. */
export function isRunnable(v: Vcpu): boolean {
  return v.online && !v.blocked && !v.parked && !v.dom.paused && !v.dom.dying;
}
