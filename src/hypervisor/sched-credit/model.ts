// credit's state beyond the core's: csched_dom, csched_unit and csched_pcpu.
import type { CoreDom, CoreVcpu } from '../sched-core/core.ts';

export interface CDom extends CoreDom<CVcpu> {
  weight: number;
  cap: number;
  /** The active list (csched_dom.active_unit), most recently activated first. */
  active: CVcpu[];
}

export interface CVcpu extends CoreVcpu<CDom> {
  pri: number;
  /** Credits (10 per ms of CPU); fractional between accountings, where Xen keeps a residual. */
  credit: number;
  /** Credit burnt up to here. */
  startTime: number;
  lastSchedTime: number;
  isActive: boolean;
  onRunq: boolean;
  parked: boolean;
  /** csched_res_pick() placed it: its next wake-up is a migration and earns no boost. */
  migrating: boolean;
  /** Woken because its domain earned credit again after being capped: no boost either. */
  unparking: boolean;
}

export interface CPcpu {
  runq: CVcpu[];
  runqSortLast: number;
  /** Generation of the pCPU's 10 ms tick (a stale tick event is ignored). */
  tickGen: number;
}
