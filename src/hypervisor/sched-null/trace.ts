// null's own trace records, with the payload layouts of Xen 4.17's null.c.
import type { TraceSink } from '../trace-sink.ts';
import * as E from '../trace-events.ts';

/** PICKED_CPU, UNIT_ASSIGN, UNIT_DEASSIGN: {uint16 unit, dom; uint32 cpu} */
export function unitCpu(s: TraceSink, cpu: number, ev: number, unit: number, target: number): void {
  s.r2(cpu, ev, unit, target);
}
/** {uint16 tasklet, cpu; int16 unit, dom}, -1 for no unit. */
export function schedule(s: TraceSink, cpu: number, unit: number | null): void {
  s.r2(cpu, E.TRC_SNULL_SCHEDULE, (cpu & 0xffff) << 16, unit ?? -1);
}
