// The trace sink the scheduler and the hypervisor record into while tracing is on. It sits in
// front of the trace buffers and adds what each vCPU does while it holds a pCPU (trace-pv.ts:
// hypercalls, page faults, VM exits, idle C-states). That activity of a pCPU is written lazily:
// just before the next record on that pCPU, and when xentrace drains, so a ring stays in TSC
// order. It learns who runs where from the scheduler's runstate records, which it asks for even
// when the event mask leaves them out (and then does not pass them on).
import type { TraceSink } from './trace-sink.ts';
import type { TraceBuffers } from './trace-buffers.ts';
import { traceStretch, type GuestKind } from './trace-pv.ts';
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
  /** (domid << 16) | vcpu running on each pCPU, and how far its activity has been written (ns). */
  private readonly cur: Int32Array;
  private readonly from: Float64Array;
  /**
   * Kind (1 = HVM) and load of the vCPU on each pCPU, from `units`: what the hypervisor said of
   * each vCPU, asked once per drain rather than at every switch (a workload change shows within
   * a poll); forgotten at each drain so that it holds only the vCPUs that ran since.
   */
  private readonly hvm: Uint8Array;
  private readonly load: Float64Array;
  private readonly units = new Map<number, { hvm: number; load: number }>();

  constructor(private readonly tb: TraceBuffers, private readonly src: ActivitySource) {
    this.cur = new Int32Array(tb.nrPcpus);
    this.from = new Float64Array(tb.nrPcpus);
    this.hvm = new Uint8Array(tb.nrPcpus);
    this.load = new Float64Array(tb.nrPcpus);
  }

  get enabled(): boolean { return this.tb.enabled; }

  wants(cpu: number, event: number): boolean {
    return this.tb.wants(cpu, event) || (this.tb.enabled && toRunning(event));
  }

  rec(cpu: number, ns: number, event: number, n: number,
    d0 = 0, d1 = 0, d2 = 0, d3 = 0, d4 = 0, d5 = 0, d6 = 0): void {
    if (!this.tb.enabled) return;
    this.upTo(cpu, ns);
    if (toRunning(event)) this.switchedIn(cpu, d0);
    this.tb.rec(cpu, ns, event, n, d0, d1, d2, d3, d4, d5, d6);
  }

  record(cpu: number, ns: bigint, event: number, data: readonly number[]): void {
    if (!this.tb.enabled) return;
    this.upTo(cpu, Number(ns));
    if (toRunning(event)) this.switchedIn(cpu, data[0]!);
    this.tb.record(cpu, ns, event, data);
  }

  /** Tracing starts at `ns`: learn who runs where now; activity is written from here on. */
  start(ns: bigint): void {
    this.units.clear();
    for (let cpu = 0; cpu < this.cur.length; cpu++) {
      const c = this.src.current(cpu);
      const domid = c ? c.domid : DOMID_IDLE, vcpu = c ? c.vcpu : cpu;
      this.from[cpu] = Number(ns);
      this.switchedIn(cpu, (domid << 16) | vcpu);
    }
  }

  /** The vCPU `(domid << 16) | vcpu` now runs on `cpu`. */
  private switchedIn(cpu: number, unit: number): void {
    this.cur[cpu] = unit | 0;
    this.refresh(cpu);
    this.tb.setCurrent(cpu, unit >>> 16, unit & 0xffff);
  }
  private refresh(cpu: number): void {
    const w = this.cur[cpu]!;
    if (w >>> 16 === DOMID_IDLE) return;
    let u = this.units.get(w);
    if (!u) {
      const domid = w >>> 16;
      u = { hvm: this.src.kind(domid) === 'hvm' ? 1 : 0, load: this.src.load(domid, w & 0xffff) };
      this.units.set(w, u);
    }
    this.hvm[cpu] = u.hvm;
    this.load[cpu] = u.load;
  }

  /** Write every pCPU's activity up to `ns` (before xentrace reads the rings). */
  flush(ns: bigint): void {
    if (!this.tb.enabled) return;
    const t = Number(ns);
    for (let cpu = 0; cpu < this.cur.length; cpu++) this.upTo(cpu, t);
    this.units.clear();
    for (let cpu = 0; cpu < this.cur.length; cpu++) this.refresh(cpu);
  }

  /** Write the activity of what runs on `cpu` since the last record there, in time order. */
  private upTo(cpu: number, ns: number): void {
    const from = this.from[cpu]!;
    if (ns <= from) return;
    this.from[cpu] = ns;
    const w = this.cur[cpu]!, domid = w >>> 16;
    traceStretch(this.tb, cpu, from, ns, domid, w & 0xffff, this.hvm[cpu] === 1, this.load[cpu]!,
      domid === 0 ? DOM0_IO_PER_SEC : 0);
  }
}
