// The trace records of the schedulers' common part (Xen 4.17's sched/core.c): runstate changes,
// context switches, wake/sleep/block and domain add/remove, the same whichever scheduler a pool
// runs. Callers test `sink.enabled` first. Words are int32 (`| 0`).
import type { TraceSink } from '../trace-sink.ts';
import * as E from '../trace-events.ts';

/** The `unsigned unit:16, dom:16` word (also core.c's `vcpu:16, domain:16`). */
export const unitWord = (dom: number, unit: number): number => (unit & 0xffff) | ((dom & 0xffff) << 16);
export const u32 = (x: number): number => x | 0;
/** Clamp to a C `int` (credits and budgets are s_time_t narrowed to int in the records). */
export const int = (x: number): number => (x > 0x7fffffff ? 0x7fffffff : x < -0x80000000 ? INT_MIN : x | 0);
export const INT_MIN = -0x80000000;

export function runstateChange(s: TraceSink, cpu: number, dom: number, vcpu: number, from: number, to: number): void {
  s.runstate(cpu, E.runstateChangeEvent(from, to), unitWord(dom, vcpu));
}
export function continueRunning(s: TraceSink, cpu: number, dom: number, vcpu: number): void {
  s.r1(cpu, E.TRC_SCHED_CONTINUE_RUNNING, unitWord(dom, vcpu));
}
/** DOM_ADD / DOM_REM: one word, the domid. */
export function domOp(s: TraceSink, cpu: number, ev: number, dom: number): void {
  s.r1(cpu, ev, dom);
}
/** SLEEP / WAKE / YIELD / BLOCK: domid, vcpuid. */
export function vcpuOp(s: TraceSink, cpu: number, ev: number, dom: number, vcpu: number): void {
  s.r2(cpu, ev, dom, vcpu);
}
/** SWITCH_INFPREV, SWITCH_INFNEXT, SWITCH, in sched_switch_units' order. */
export function switchUnits(s: TraceSink, cpu: number,
  pd: number, pv: number, prevRan: number, nd: number, nv: number, nextWaited: number, slice: number): void {
  s.r3(cpu, E.TRC_SCHED_SWITCH_INFPREV, pd, pv, u32(prevRan));
  s.r4(cpu, E.TRC_SCHED_SWITCH_INFNEXT, nd, nv, u32(nextWaited), int(slice));
  s.r4(cpu, E.TRC_SCHED_SWITCH, pd, pv, nd, nv);
}
export function switchInfCont(s: TraceSink, cpu: number, dom: number, vcpu: number, ran: number, slice: number): void {
  s.r4(cpu, E.TRC_SCHED_SWITCH_INFCONT, dom, vcpu, u32(ran), int(slice));
}

