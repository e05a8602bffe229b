// What a vCPU does while it holds a pCPU, as trace records: PV guests' hypercalls and page
// faults, HVM guests' VM exits (exit, handler record, entry), and the idle vCPU's C-state entry
// and exit. Each pCPU has an ActivityStream: armed when a vCPU starts running there, it knows
// when its next record is due, so the trace buffers call it only then (not at every scheduler
// record), and it writes what fell due, in time order, straight to the sink (each record's
// instant in `sink.now`, which the caller puts back). Deterministic: the same arming gives the
// same records. Times travel in typed arrays (`sink.now`, `at`), never as arguments or results
// of calls: each such double would be a heap allocation on this hot path.
//
// Rates, per second the vCPU holds a pCPU, with `load` its computing fraction (0..1) and `io`
// its disk and network requests per second. They are those of a guest whose kernel batches its
// work (tickless, multicalls, PV clock, steady-state page tables), moderate on purpose so that
// all-classes tracing stays a realistic volume next to the scheduler's own records:
//   PV  hypercalls    100 + 900 * load + io   (1000/s fully busy, 820/s at 80 %)
//   PV  page faults   150 * load              ( 150/s fully busy)
//   HVM VM exits      100 + 900 * load + io   (each: exit, handler and entry records)
//   idle              one C-state entry and exit per idle stretch of 10 µs or more
// Events are spaced by 0.5 to 1.5 times the mean interval, the first within one mean of the
// start, so that short stretches, which are most of them, keep the average rate.
import type { TraceSink } from './trace-sink.ts';
import * as T from './trace-events.ts';
import { CX_UNLIMITED, cstateFor } from './pm/cpu-power.ts';

export type GuestKind = 'pv' | 'hvm';

/** One stretch of time during which one vCPU ran on one pCPU (the idle vCPU included). */
export interface RunSegment {
  cpu: number;
  /** Simulated ns, as plain numbers (exact for 104 days of uptime). */
  fromNs: number;
  toNs: number;
  domid: number;
  vcpu: number;
  /** PV or HVM; ignored for the idle domain. */
  kind?: GuestKind;
  /** How much of its time the guest spends computing (0..1); drives faults and exits. */
  cpuLoad?: number;
  /** Disk and network requests per second; drive event channel, grant and port I/O activity. */
  ioPerSec?: number;
}

export const PV_HYPERCALLS = (load: number, io: number): number => 100 + 900 * load + io;
export const PV_PAGE_FAULTS = (load: number): number => 150 * load;
export const HVM_EXITS = (load: number, io: number): number => 100 + 900 * load + io;
/** Shortest idle stretch in which the idle vCPU enters a C-state. */
const IDLE_MIN_NS = 10_000;

// Xen hypercall numbers used by a busy PV guest.
const HC = { mmu_update: 1, memory_op: 12, multicall: 13, set_timer_op: 15, grant_table_op: 20, iret: 23, vcpu_op: 24, mmuext_op: 26, sched_op: 29, event_channel_op: 32 };
/** TRC_PV_HYPERCALL_V2: two bits per argument from bit 20, 1 = a 32-bit value follows. */
const ARG32 = (i: number): number => 1 << (20 + 2 * i);
// VMX exit reasons and the handler record each one produces.
const EXIT = { EXTERNAL_INTERRUPT: 1, VMCALL: 18, IO_INSTRUCTION: 30, MSR_READ: 31, MSR_WRITE: 32 };
const PF = T.TRC_PV_PAGE_FAULT | T.TRC_64_FLAG;

/** A small deterministic hash that seeds each stream, so that it always yields the same records. */
function mix(a: number, b: number): number {
  let h = (a ^ Math.imul(b, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
/** The next int32 of a xorshift stream (never 0 from a non-zero state). */
function next(x: number): number {
  x ^= x << 13;
  x ^= x >>> 17;
  return x ^ (x << 5);
}
/** A uniform draw in [0, 1) from a stream value. */
const unit = (r: number): number => (r >>> 0) / 0x100000000;
/** A uniform integer in [0, 100) from a stream value. */
const percent = (r: number): number => ((r >>> 8) * 100) >>> 24;
// `| 0`: the low 32 bits, where `%` on a double calls fmod.
const seedOf = (cpu: number, ns: number, domid: number): number => mix((ns | 0) ^ (cpu << 20), cpu * 65536 + domid) | 1;

const IDLE = 0, PV = 1, HVM = 2;

/** One pCPU's activity: who runs there, and when its next record is due. */
export class ActivityStream {
  private kind = IDLE;
  private vcpu = 0;
  private io = 0;
  /** Mean ns between events, and the share of them that are page faults (PV). */
  private mean = 0;
  private pfShare = 0;
  private rng = 1;
  /** [0]: the next event (PV, HVM) or the start of the idle period (idle), in ns; Infinity: nothing to write. */
  readonly at = new Float64Array(1);
  /** Records written so far. */
  written = 0;

  /** `cstateOf`: the C-state an idle period of that many ns goes to (power management's choice). */
  constructor(readonly cpu: number, private readonly cstateOf: (spanNs: number) => number = span => cstateFor(span, CX_UNLIMITED)) {}

  /** The idle vCPU runs from now[0]; at[0] is then the instant after which advance() has something to do. */
  armIdle(now: Float64Array): void {
    this.kind = IDLE;
    this.at[0] = now[0]!;
  }

  /** A guest vCPU runs from now[0]; at[0] is then the instant after which advance() has something to do. */
  arm(now: Float64Array, domid: number, vcpu: number, hvm: boolean, load: number, io: number): void {
    const ns = now[0]!;
    this.vcpu = vcpu; this.io = io;
    let rate: number;
    if (hvm) { this.kind = HVM; rate = HVM_EXITS(load, io); } else {
      this.kind = PV;
      const hc = PV_HYPERCALLS(load, io), pf = PV_PAGE_FAULTS(load);
      rate = hc + pf;
      this.pfShare = pf / rate;
    }
    this.mean = 1e9 / rate;
    let r = seedOf(this.cpu, ns, domid);
    r = next(r);
    this.rng = r;
    this.at[0] = ns + 1 + Math.floor(this.mean * unit(r));
  }

  /** Write what falls due strictly before sink.now[0] (left changed), and move at[0] on. */
  advance(sink: TraceSink): void {
    if (this.kind === IDLE) this.idle(sink);
    else if (this.kind === PV) this.pv(sink);
    else this.hvm(sink);
  }

  private pv(sink: TraceSink): void {
    const cpu = this.cpu, wantHc = sink.wants(cpu, T.TRC_PV_HYPERCALL_V2), wantPf = sink.wants(cpu, PF);
    if (!wantHc && !wantPf) { this.at[0] = Infinity; return; }
    const ns = sink.now[0]!, mean = this.mean;
    const pfShare = this.pfShare, io = this.io, vcpu = this.vcpu;
    let r = this.rng, t = this.at[0]!, recs = 0;
    // Each event is 0.5 to 1.5 means after the last (at least 1 ns).
    for (; t < ns; t += Math.max(1, Math.floor(mean * (0.5 + unit(r))))) {
      r = next(r);
      const isPf = unit(r) < pfShare;
      r = next(r);
      if (isPf ? wantPf : wantHc) {
        sink.now[0] = t;
        recs++;
        if (isPf) {
          // {u64 eip; u64 addr; u32 error_code}: a user-mode read fault below the kernel.
          sink.rn(cpu, PF, 5, 0x81000000 | (r & 0xffff0), -1, r & 0xfffff000, 0x7f00, 0x6, 0, 0);
        } else {
          const pick = percent(r);
          if (pick < 25) sink.r2(cpu, T.TRC_PV_HYPERCALL_V2, HC.sched_op | ARG32(0), 0); // SCHEDOP_yield
          else if (pick < 40) sink.r1(cpu, T.TRC_PV_HYPERCALL_V2, HC.set_timer_op);
          else if (pick < 55) sink.r2(cpu, T.TRC_PV_HYPERCALL_V2, HC.mmu_update | ARG32(1), 1 + (pick % 8));
          else if (pick < 65) sink.r2(cpu, T.TRC_PV_HYPERCALL_V2, HC.mmuext_op | ARG32(1), 1);
          else if (pick < 75) sink.r2(cpu, T.TRC_PV_HYPERCALL_V2, HC.multicall | ARG32(1), 2 + (pick % 6));
          else if (pick < 82) sink.r3(cpu, T.TRC_PV_HYPERCALL_V2, HC.vcpu_op | ARG32(0) | ARG32(1), 13, vcpu); // VCPUOP_stop_singleshot_timer
          else if (pick < 90) sink.r1(cpu, T.TRC_PV_HYPERCALL_V2, HC.iret);
          else if (io > 0 && pick < 95) sink.r1(cpu, T.TRC_PV_HYPERCALL_V2, HC.event_channel_op);
          else if (io > 0) sink.r3(cpu, T.TRC_PV_HYPERCALL_V2, HC.grant_table_op | ARG32(0) | ARG32(2), 0, 1 + (pick % 4)); // GNTTABOP_map_grant_ref
          else sink.r1(cpu, T.TRC_PV_HYPERCALL_V2, HC.memory_op);
        }
      }
      r = next(r);
    }
    this.rng = r; this.at[0] = t; this.written += recs;
  }

  private hvm(sink: TraceSink): void {
    const cpu = this.cpu, exit = T.TRC_HVM_VMEXIT64, io = this.io;
    if (!sink.wants(cpu, exit)) { this.at[0] = Infinity; return; }
    const wantEntry = sink.wants(cpu, T.TRC_HVM_VMENTRY);
    const ns = sink.now[0]!, mean = this.mean;
    let r = this.rng, t = this.at[0]!, recs = 0;
    for (; t < ns; t += Math.max(1, Math.floor(mean * (0.5 + unit(r))))) {
      r = next(r);
      const pick = percent(r);
      const rip = 0x81000000 | ((r >>> 4) & 0xffff0);
      r = next(r);
      {
        sink.now[0] = t;
        // The exits of a paravirtualised-device HVM guest: timer and event interrupts, APIC MSRs
        // (EOI, TSC deadline), hypercalls, and port I/O when it does I/O. Exit, handler and entry
        // at one instant, as the VM exit path records them.
        if (pick < 30) {
          sink.r3(cpu, exit, EXIT.EXTERNAL_INTERRUPT, rip, -1);
          if (sink.wants(cpu, T.TRC_HVM_INTR)) { sink.r1(cpu, T.TRC_HVM_INTR, 0xef); recs++; }
        } else if (pick < 55) {
          sink.r3(cpu, exit, EXIT.MSR_WRITE, rip, -1);
          if (sink.wants(cpu, T.TRC_HVM_MSR_WRITE)) { sink.r3(cpu, T.TRC_HVM_MSR_WRITE, 0x6e0, r, 0); recs++; }
        } else if (pick < 65) {
          sink.r3(cpu, exit, EXIT.MSR_READ, rip, -1);
          if (sink.wants(cpu, T.TRC_HVM_MSR_READ)) { sink.r3(cpu, T.TRC_HVM_MSR_READ, 0x1b, 0xfee00900 | 0, 0); recs++; }
        } else if (pick < 85 || io === 0) {
          sink.r3(cpu, exit, EXIT.VMCALL, rip, -1);
          if (sink.wants(cpu, T.TRC_HVM_VMMCALL)) { sink.r1(cpu, T.TRC_HVM_VMMCALL, pick < 75 ? 29 : 32); recs++; }
        } else {
          sink.r3(cpu, exit, EXIT.IO_INSTRUCTION, rip, -1);
          if (sink.wants(cpu, T.TRC_HVM_IOPORT_WRITE)) { sink.r2(cpu, T.TRC_HVM_IOPORT_WRITE, 0xc000 + (pick & 0x3f), pick); recs++; }
        }
        if (wantEntry) { sink.rn(cpu, T.TRC_HVM_VMENTRY, 0, 0, 0, 0, 0, 0, 0, 0); recs++; }
        recs++;
      }
      r = next(r);
    }
    this.rng = r; this.at[0] = t; this.written += recs;
  }

  /** The idle vCPU enters a C-state just after its period starts and leaves it just before now[0], which starts the next. */
  private idle(sink: TraceSink): void {
    const ns = sink.now[0]!, from = this.at[0]!, span = ns - from;
    this.at[0] = ns;
    if (span < IDLE_MIN_NS || !sink.wants(this.cpu, T.TRC_PM_IDLE_ENTRY)) return;
    const cstate = this.cstateOf(span);
    const us = Math.floor(span / 1000);
    const enter = from + 1000, leave = ns - 1000;
    sink.now[0] = enter;
    sink.r4(this.cpu, T.TRC_PM_IDLE_ENTRY, cstate, pmTick(enter), us, us);
    this.written++;
    if (sink.wants(this.cpu, T.TRC_PM_IDLE_EXIT)) {
      sink.now[0] = leave;
      sink.rn(this.cpu, T.TRC_PM_IDLE_EXIT, 6, cstate, pmTick(leave), 0, 0, 0, 0, 0);
      this.written++;
    }
  }
}

/** The records of one whole segment (its vCPU armed at the start, advanced to the end); how many. */
export function traceSegment(sink: TraceSink, seg: RunSegment): number {
  if (!sink.enabled || seg.toNs <= seg.fromNs) return 0;
  const s = new ActivityStream(seg.cpu);
  const now = sink.now[0]!;
  sink.now[0] = seg.fromNs;
  if (seg.domid === T.DOMID_IDLE) s.armIdle(sink.now);
  else s.arm(sink.now, seg.domid, seg.vcpu, seg.kind === 'hvm', seg.cpuLoad ?? 1, seg.ioPerSec ?? 0);
  sink.now[0] = seg.toNs;
  s.advance(sink);
  sink.now[0] = now;
  return s.written;
}

/** ACPI PM timer ticks (3.579545 MHz), 24 bits, at `ns`; whole seconds apart so each step is exact. */
function pmTick(ns: number): number {
  const s = Math.floor(ns / 1e9);
  const t = s * 3579545 + Math.floor((ns - s * 1e9) * 3579545 / 1e9);
  return t - Math.floor(t / 0x1000000) * 0x1000000;
}
