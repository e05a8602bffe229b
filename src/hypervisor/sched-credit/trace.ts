// credit's own trace records, with the payload layouts of Xen 4.17's credit.c.
import type { TraceSink } from '../trace-sink.ts';
import * as E from '../trace-events.ts';

/** {cpu:16, tasklet:8, idle:8} */
export function schedule(s: TraceSink, cpu: number, idle: boolean): void {
  s.r1(cpu, E.TRC_CSCHED_SCHEDULE, (cpu & 0xffff) | ((idle ? 1 : 0) << 24));
}
/** {unit:16, dom:16; runtime} */
export function ratelimit(s: TraceSink, cpu: number, unit: number, runtime: number): void {
  s.r2(cpu, E.TRC_CSCHED_RATELIMIT, unit, runtime | 0);
}
export function tickle(s: TraceSink, cpu: number, target: number): void {
  s.r1(cpu, E.TRC_CSCHED_TICKLE, target);
}
export function pickedCpu(s: TraceSink, cpu: number, dom: number, unit: number, picked: number): void {
  s.r3(cpu, E.TRC_CSCHED_PICKED_CPU, dom, unit, picked);
}
/** ACCOUNT_START / ACCOUNT_STOP: dom, unit, the domain's active unit count. */
export function account(s: TraceSink, cpu: number, ev: number, dom: number, unit: number, count: number): void {
  s.r3(cpu, ev, dom, unit, count);
}
/** BOOST_START / BOOST_END: dom, unit. */
export function boost(s: TraceSink, cpu: number, ev: number, dom: number, unit: number): void {
  s.r2(cpu, ev, dom, unit);
}
export function stealCheck(s: TraceSink, cpu: number, peer: number, checked: boolean): void {
  s.r2(cpu, E.TRC_CSCHED_STEAL_CHECK, peer, checked ? 1 : 0);
}
export function stolenUnit(s: TraceSink, cpu: number, peer: number, dom: number, unit: number): void {
  s.r3(cpu, E.TRC_CSCHED_STOLEN_UNIT, peer, dom, unit);
}
