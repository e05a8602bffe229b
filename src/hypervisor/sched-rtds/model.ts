// RTDS's state beyond the core's (struct rt_unit and rt_dom of xen/common/sched/rt.c) and its
// defaults and limits. Times are nanoseconds.
import type { CoreDom, CoreVcpu } from '../sched-core/core.ts';

export const RTDS_DEFAULT_PERIOD = 10_000_000;
export const RTDS_DEFAULT_BUDGET = 4_000_000;
export const RTDS_MIN_PERIOD = 10_000;
export const RTDS_MIN_BUDGET = 10_000;
/** rt_update_deadline() steps period by period up to this many periods behind. */
export const UPDATE_LIMIT_SHIFT = 10;

export type RtDom = CoreDom<RtVcpu>;

export interface RtVcpu extends CoreVcpu<RtDom> {
  period: number;
  budget: number;
  curBudget: number;
  curDeadline: number;
  lastStart: number;
  /** 0 while within the budget; each extra budget granted by extratime lowers the priority by one level. */
  priorityLevel: number;
  extratime: boolean;
  /** Which queue holds it when not running. */
  onQ: 'runq' | 'depletedq' | null;
  onReplq: boolean;
  depleted: boolean;
  /** Picked to run; cleared when its context is saved after it stops (RTDS_scheduled). */
  scheduled: boolean;
  /** Switched out while runnable: queued again once its context is saved. */
  delayedRunqAdd: boolean;
  /** Deadlines it reached runnable with budget left (not a Xen counter; the model's check of EDF). */
  misses: number;
}

/** compare_unit_priority(): > 0 when a goes before b (higher level first, then earlier deadline). */
export function comparePriority(a: RtVcpu, b: RtVcpu): number {
  const prio = b.priorityLevel - a.priorityLevel;
  return prio === 0 ? b.curDeadline - a.curDeadline : prio;
}
