// What each vCPU does while it holds a pCPU, written into the trace buffers between the
// scheduler's records (trace-pv.ts: hypercalls, page faults, VM exits, idle C-states). One
// ActivityStream per pCPU, armed whenever a vCPU starts running there (the buffers follow the
// runstate records, even when the event mask leaves them out); the buffers call back only when
// a stream has something due before the record they are about to write, and when xentrace
// drains, so each ring stays in TSC order.
import type { TraceBuffers, TraceGapWriter } from './trace-buffers.ts';
import { ActivityStream, type GuestKind } from './trace-pv.ts';
import { DOMID_IDLE } from './trace-events.ts';

/** What the activity asks the hypervisor about the vCPU running on a pCPU. */
export interface ActivitySource {
  current(cpu: number): { domid: number; vcpu: number } | null;
  kind(domid: number): GuestKind;
  /** The vCPU's workload: the fraction of time it wants to compute (0..1). */
  load(domid: number, vcpu: number): number;
  /** The C-state an idle period of `spanNs` goes to. */
  cstate(spanNs: number): number;
}

/** Dom0 drives the guests' I/O: backends' event channels and grant copies. */
const DOM0_IO_PER_SEC = 300;
/** Added to an HVM guest's load in the cache of units. */
const HVM = 2;

export class TraceActivity implements TraceGapWriter {
  /**
   * Kind and load of each vCPU that ran, as unit word → load (0..1), plus HVM for HVM guests:
   * asked of the hypervisor once per drain rather than at every arming (a workload change
   * shows within a poll), and forgotten at each drain so that it holds only recent vCPUs.
   */
  private readonly units = new Map<number, number>();
  private readonly streams: ActivityStream[];

  constructor(private readonly tb: TraceBuffers, private readonly src: ActivitySource) {
    this.streams = Array.from({ length: tb.nrPcpus }, (_, cpu) => new ActivityStream(cpu, span => src.cstate(span)));
  }

  /** Tracing starts at `ns`: learn who runs where now; activity is written from here on. */
  start(ns: bigint): void {
    this.units.clear();
    for (let cpu = 0; cpu < this.tb.nrPcpus; cpu++) {
      const c = this.src.current(cpu);
      this.tb.setCurrent(cpu, c ? c.domid : DOMID_IDLE, c ? c.vcpu : cpu);
    }
    this.tb.setGapWriter(this, Number(ns));
  }

  /** Write every pCPU's activity up to `ns` (before xentrace reads the rings). */
  flush(ns: bigint): void {
    if (!this.tb.enabled) return;
    this.tb.closeGaps(Number(ns));
    this.units.clear();
  }

  arm(tb: TraceBuffers, cpu: number, unit: number): void {
    const domid = unit >>> 16, s = this.streams[cpu]!;
    if (domid === DOMID_IDLE) s.armIdle(tb.now);
    else {
      let u = this.units.get(unit);
      if (u === undefined) {
        const load = this.src.load(domid, unit & 0xffff);
        u = this.src.kind(domid) === 'hvm' ? HVM + load : load;
        this.units.set(unit, u);
      }
      const hvm = u >= HVM;
      s.arm(tb.now, domid, unit & 0xffff, hvm, hvm ? u - HVM : u, domid === 0 ? DOM0_IO_PER_SEC : 0);
    }
    tb.due[cpu] = s.at[0]!;
  }

  gap(tb: TraceBuffers, cpu: number): void {
    const s = this.streams[cpu]!;
    s.advance(tb);
    tb.due[cpu] = s.at[0]!;
  }
}
