// RTDS's own trace records, with the (packed) payload layouts of Xen 4.17's rt.c.
import type { TraceSink } from '../trace-sink.ts';
import * as E from '../trace-events.ts';

const lo = (x: number): number => (x >>> 0) | 0;
const hi = (x: number): number => Math.floor(x / 4294967296) | 0;

/** {cpu:16, pad:16} */
export function tickle(s: TraceSink, cpu: number, target: number): void {
  s.r1(cpu, E.TRC_RTDS_TICKLE, target & 0xffff);
}
/** {unit:16, dom:16; u64 cur_deadline; u64 cur_budget} */
export function runqPick(s: TraceSink, cpu: number, unit: number, deadline: number, budget: number): void {
  s.rn(cpu, E.TRC_RTDS_RUNQ_PICK, 5, unit, lo(deadline), hi(deadline), lo(budget), hi(budget), 0, 0);
}
/** {unit:16, dom:16; u64 cur_budget; int delta; unsigned priority_level; bool has_extratime}, 21 bytes in 6 words. */
export function budgetBurn(s: TraceSink, cpu: number, unit: number, budget: number, delta: number, level: number, extratime: boolean): void {
  s.rn(cpu, E.TRC_RTDS_BUDGET_BURN, 6, unit, lo(budget), hi(budget), delta | 0, level, extratime ? 1 : 0, 0);
}
/** {unit:16, dom:16; unsigned priority_level; u64 cur_deadline; u64 cur_budget} */
export function budgetReplenish(s: TraceSink, cpu: number, unit: number, level: number, deadline: number, budget: number): void {
  s.rn(cpu, E.TRC_RTDS_BUDGET_REPLENISH, 6, unit, level, lo(deadline), hi(deadline), lo(budget), hi(budget), 0);
}
/** {cpu:16, tasklet:8, tickled:4, idle:4} */
export function schedule(s: TraceSink, cpu: number, tickled: boolean, idle: boolean): void {
  s.r1(cpu, E.TRC_RTDS_SCHEDULE, (cpu & 0xffff) | ((tickled ? 1 : 0) << 24) | ((idle ? 1 : 0) << 28));
}
