// credit2's own trace records, with the payload layouts of Xen 4.17's credit2.c (core.c's are
// sched-core's). Callers test `sink.enabled` first; each record goes to the sink at the instant
// the scheduler keeps in `sink.now`, and the sink applies the masks. Words are int32 (`| 0`).
import type { TraceSink } from '../trace-sink.ts';
import * as E from '../trace-events.ts';
import { INT_MIN, int, u32 } from '../sched-core/trace.ts';

export function schedule(s: TraceSink, cpu: number, rqId: number, idle: boolean, smtIdle: boolean, tickled: boolean): void {
  // {cpu:16, rq_id:16; tasklet:8, idle:8, smt_idle:8, tickled:8}
  s.r2(cpu, E.TRC_CSCHED2_SCHEDULE, u32((cpu & 0xffff) | (rqId << 16)), u32((idle ? 1 << 8 : 0) | (smtIdle ? 1 << 16 : 0) | (tickled ? 1 << 24 : 0)));
}
export function creditBurn(s: TraceSink, cpu: number, unit: number, credit: number, budget: number | null, delta: number): void {
  s.r4(cpu, E.TRC_CSCHED2_CREDIT_BURN, unit, int(credit), budget === null ? INT_MIN : int(budget), int(delta));
}
export function creditReset(s: TraceSink, cpu: number, unit: number, start: number, end: number): void {
  s.r3(cpu, E.TRC_CSCHED2_CREDIT_RESET, unit, int(start), int(end));
}
export function runqPos(s: TraceSink, cpu: number, unit: number, pos: number): void {
  s.r2(cpu, E.TRC_CSCHED2_RUNQ_POS, unit, pos);
}
export function tickleNew(s: TraceSink, cpu: number, unit: number, processor: number, credit: number): void {
  s.r3(cpu, E.TRC_CSCHED2_TICKLE_NEW, unit, processor, int(credit));
}
export function tickleCheck(s: TraceSink, cpu: number, unit: number, credit: number, score: number): void {
  s.r3(cpu, E.TRC_CSCHED2_TICKLE_CHECK, unit, int(credit), int(score));
}
export function tickle(s: TraceSink, cpu: number, target: number): void {
  s.r1(cpu, E.TRC_CSCHED2_TICKLE, target & 0xffff);
}
export function runqAssign(s: TraceSink, cpu: number, unit: number, rqi: number): void {
  s.r2(cpu, E.TRC_CSCHED2_RUNQ_ASSIGN, unit, rqi & 0xffff);
}
export function runqMaxWeight(s: TraceSink, cpu: number, rqi: number, maxWeight: number): void {
  s.r1(cpu, E.TRC_CSCHED2_RUNQ_MAX_WEIGHT, u32((rqi & 0xffff) | ((maxWeight & 0xffff) << 16)));
}
export function pickedCpu(s: TraceSink, cpu: number, unit: number, rqId: number, newCpu: number, bAvgload: number): void {
  // {u64 b_avgload; unit:16, dom:16; rq_id:16, new_cpu:16}
  s.r4(cpu, E.TRC_CSCHED2_PICKED_CPU, u32(bAvgload), u32(bAvgload / 0x100000000), unit, u32((rqId & 0xffff) | ((newCpu & 0xffff) << 16)));
}
export function migrate(s: TraceSink, cpu: number, unit: number, rqi: number, trqi: number): void {
  s.r2(cpu, E.TRC_CSCHED2_MIGRATE, unit, u32((rqi & 0xffff) | ((trqi & 0xffff) << 16)));
}
export function runqCandCheck(s: TraceSink, cpu: number, unit: number): void {
  s.r1(cpu, E.TRC_CSCHED2_RUNQ_CAND_CHECK, unit);
}
export function runqCandidate(s: TraceSink, cpu: number, unit: number, tickledCpu: number, credit: number): void {
  s.r3(cpu, E.TRC_CSCHED2_RUNQ_CANDIDATE, unit, u32(tickledCpu), int(credit));
}
export function ratelimit(s: TraceSink, cpu: number, unit: number, runtime: number): void {
  s.r2(cpu, E.TRC_CSCHED2_RATELIMIT, unit, u32(runtime));
}
