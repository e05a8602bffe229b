// The trace sink the scheduler and the hypervisor record into while tracing is on. It sits in
// front of the trace buffers and adds what each vCPU does while it holds a pCPU (trace-pv.ts:
// hypercalls, page faults, VM exits, idle C-states). That activity of a pCPU is written lazily:
// just before the next record on that pCPU, and when xentrace drains, so a ring stays in TSC
// order. It learns who runs where from the scheduler's runstate records, which it asks for even
// when the event mask leaves them out (and then does not pass them on).
import type { TraceSink } from './trace-sink.ts';
import type { TraceBuffers } from './trace-buffers.ts';
import { traceSegment, type GuestKind } from './trace-pv.ts';
import { DOMID_IDLE, TRC_SCHED_RUNSTATE_CHANGE } from './trace-events.ts';

/** What the sink asks the hypervisor about the vCPU running on a pCPU. */
export interface ActivitySource {
  current(cpu: number): { domid: number; vcpu: number } | null;
  kind(domid: number): GuestKind;
  /** The vCPU's workload: the fraction of time it wants to compute (0..1). */
  load(domid: number, vcpu: number): number;
}

/** A runstate change into running (new state 0). */
const toRunning = (ev: number): boolean => (ev & 0x0ffff00f) === TRC_SCHED_RUNSTATE_CHANGE && (ev & 0xf0) === 0;
/** Dom0 drives the guests' I/O: backends' event channels and grant copies. */
const DOM0_IO_PER_SEC = 300;

export class TraceActivity implements TraceSink {
  /** (domid << 16) | vcpu running on each pCPU, and how far its activity has been written. */
  private readonly cur: Int32Array;
  private readonly from: bigint[];

  constructor(private readonly tb: TraceBuffers, private readonly src: ActivitySource) {
    this.cur = new Int32Array(tb.nrPcpus);
    this.from = new Array<bigint>(tb.nrPcpus).fill(0n);
  }

  get enabled(): boolean { return this.tb.enabled; }

  wants(cpu: number, event: number): boolean {
    return this.tb.wants(cpu, event) || (this.tb.enabled && toRunning(event));
  }

  record(cpu: number, ns: bigint, event: number, data: readonly number[]): void {
    if (!this.tb.enabled) return;
    this.upTo(cpu, ns);
    if (toRunning(event)) {
      this.cur[cpu] = data[0]! | 0;
      this.tb.setCurrent(cpu, data[0]! >>> 16, data[0]! & 0xffff);
    }
    this.tb.record(cpu, ns, event, data);
  }

  /** Tracing starts at `ns`: learn who runs where now; activity is written from here on. */
  start(ns: bigint): void {
    for (let cpu = 0; cpu < this.cur.length; cpu++) {
      const c = this.src.current(cpu);
      const domid = c ? c.domid : DOMID_IDLE, vcpu = c ? c.vcpu : cpu;
      this.cur[cpu] = (domid << 16) | vcpu;
      this.from[cpu] = ns;
      this.tb.setCurrent(cpu, domid, vcpu);
    }
  }

  /** Write every pCPU's activity up to `ns` (before xentrace reads the rings). */
  flush(ns: bigint): void {
    if (!this.tb.enabled) return;
    for (let cpu = 0; cpu < this.cur.length; cpu++) this.upTo(cpu, ns);
  }

  private upTo(cpu: number, ns: bigint): void {
    const from = this.from[cpu]!;
    if (ns <= from) return;
    this.from[cpu] = ns;
    const w = this.cur[cpu]!;
    const domid = w >>> 16, vcpu = w & 0xffff;
    const b = this.batch;
    if (domid === DOMID_IDLE) traceSegment(b, { cpu, fromNs: from, toNs: ns, domid, vcpu });
    else {
      traceSegment(b, {
        cpu, fromNs: from, toNs: ns, domid, vcpu, kind: this.src.kind(domid),
        cpuLoad: this.src.load(domid, vcpu), ioPerSec: domid === 0 ? DOM0_IO_PER_SEC : 0,
      });
    }
    // A segment yields each kind of record in its own pass; a ring must be in time order.
    const recs = b.recs;
    if (recs.length > 1) recs.sort((x, y) => (x.ns < y.ns ? -1 : x.ns > y.ns ? 1 : 0));
    for (const r of recs) this.tb.record(cpu, r.ns, r.event, r.data);
    recs.length = 0;
  }

  /** Collects one segment's records so they can be put in time order (the sort is stable). */
  private readonly batch = {
    enabled: true,
    recs: [] as { ns: bigint; event: number; data: readonly number[] }[],
    wants: (cpu: number, event: number): boolean => this.tb.wants(cpu, event),
    record(_cpu: number, ns: bigint, event: number, data: readonly number[]): void { this.recs.push({ ns, event, data }); },
  };
}
