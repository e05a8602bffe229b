// Credit arithmetic of credit2.c: burning credit by weight (t2c_update), and how long a picked
// vCPU may run (csched2_runtime). Pure functions over a vCPU's fields.
import * as K from './constants.ts';
import type { Vcpu } from './model.ts';

/**
 * Burn `delta` ns of run time: credit falls by delta·max_weight/weight, the division remainder
 * carried in `residual` so that many short runs add up exactly; never below CREDIT_MIN.
 */
export function burnCredit(v: Vcpu, maxWeight: number, delta: number): void {
  const w = v.dom.weight;
  const val = delta * maxWeight + v.residual;
  const c = Math.floor(val / w);
  v.residual = val - c * w;
  const nc = v.credit - c;
  v.credit = nc < K.CSCHED2_CREDIT_MIN ? K.CSCHED2_CREDIT_MIN : nc;
}

/** The credit a running vCPU would have if burnt at `now` (without burning it). */
export function creditAfter(v: Vcpu, maxWeight: number, now: number): number {
  const delta = now - v.startTime;
  if (delta <= 0) return v.credit;
  const c = v.credit - Math.floor((delta * maxWeight + v.residual) / v.dom.weight);
  return c < K.CSCHED2_CREDIT_MIN ? K.CSCHED2_CREDIT_MIN : c;
}

/**
 * csched2_runtime(): run until snext's credit falls to that of the runqueue's head (or to 0),
 * within its cap budget, never less than MIN_TIMER or what is left of the ratelimit, never more
 * than MAX_TIMER.
 */
export function runtime(snext: Vcpu, head: Vcpu | undefined, maxWeight: number, ratelimitNs: number, wasRunning: boolean, now: number): number {
  let minTime = K.CSCHED2_MIN_TIMER;
  if (ratelimitNs) {
    const rmin = wasRunning ? snext.stateEntry + ratelimitNs - now : ratelimitNs;
    if (rmin > minTime) minTime = rmin;
  }
  let rtCredit = snext.credit;
  if (head && head.credit > 0) rtCredit = snext.credit - head.credit;
  let time = rtCredit > 0 ? Math.floor((rtCredit * snext.dom.weight) / maxWeight) : 0;
  if (snext.dom.cap && snext.budget < time) time = snext.budget;
  if (time < minTime) time = minTime;
  else if (time > K.CSCHED2_MAX_TIMER) time = K.CSCHED2_MAX_TIMER;
  return time;
}
