// What a vCPU does while it holds a pCPU, as trace records: PV guests' hypercalls and page
// faults, HVM guests' VM exits (exit, handler record, entry), and the idle vCPU's C-state entry
// and exit. The scheduler knows when each vCPU ran; this turns one such stretch into records at
// rates that follow the guest's workload, written in time order straight to the sink (no
// arrays, no sorting): each record's instant goes in `sink.now`, which is put back after.
// No state of its own, deterministic for a given segment.
//
// Rates, per second the vCPU holds a pCPU, with `load` its computing fraction (0..1) and `io`
// its disk and network requests per second. They are those of a guest whose kernel batches its
// work (tickless, multicalls, PV clock, steady-state page tables), moderate on purpose so that
// all-classes tracing stays a realistic volume next to the scheduler's own records:
//   PV  hypercalls    100 + 900 * load + io   (1000/s fully busy, 820/s at 80 %)
//   PV  page faults   150 * load              ( 150/s fully busy)
//   HVM VM exits      100 + 900 * load + io   (each: exit, handler and entry records)
//   idle              one C-state entry and exit per idle stretch of 10 µs or more
import type { TraceSink } from './trace-sink.ts';
import * as T from './trace-events.ts';

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

/** A small deterministic hash that seeds each stretch, so that it always yields the same records. */
function mix(a: number, b: number): number {
  let h = (a ^ Math.imul(b, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

// Instants strictly inside a stretch, `perSec` per second on average: n of them, evenly spaced
// with jitter and increasing (instant i lies in [i*step, (i+1)*step)). Each stretch seeds a
// xorshift stream from its (cpu, start, domain) that gives the jitter and the choices. Plain
// numbers passed as arguments and words kept to int32: doubles kept in object fields, or numbers
// at or above 2^31 passed to a call, would each be a heap allocation.

/** How many instants: rounded up or down at random (deterministically) so that short stretches, which are most of them, keep the average rate. */
function count(span: number, perSec: number, seed: number): number {
  return span < 4 ? 0 : Math.floor(span * perSec / 1e9 + mix(seed, 0x7fffffff) / 0x100000000);
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
function instant(from: number, span: number, step: number, i: number, r: number): number {
  return from + Math.min(span - 1, Math.max(1, Math.floor((i + unit(r)) * step)));
}
const seedOf = (cpu: number, fromNs: number, domid: number, salt: number): number =>
  mix((fromNs | 0) ^ salt, cpu * 65536 + domid) | 1; // `| 0`: the low 32 bits, where `%` on a double calls fmod

/** Emit the records of one segment; returns how many were recorded. */
export function traceSegment(sink: TraceSink, seg: RunSegment): number {
  if (!sink.enabled || seg.toNs <= seg.fromNs) return 0;
  return traceStretch(sink, seg.cpu, seg.fromNs, seg.toNs, seg.domid, seg.vcpu, seg.kind === 'hvm', seg.cpuLoad ?? 1, seg.ioPerSec ?? 0);
}

/** traceSegment with the segment's fields as arguments (the trace buffers' gap writer). */
export function traceStretch(sink: TraceSink, cpu: number, fromNs: number, toNs: number, domid: number, vcpu: number,
  hvm: boolean, load: number, io: number): number {
  if (toNs <= fromNs) return 0;
  const now = sink.now[0]!;
  const recs = domid === T.DOMID_IDLE ? traceIdle(sink, cpu, fromNs, toNs)
    : hvm ? traceHvm(sink, cpu, fromNs, toNs, domid, load, io) : tracePv(sink, cpu, fromNs, toNs, domid, vcpu, load, io);
  sink.now[0] = now;
  return recs;
}

function tracePv(sink: TraceSink, cpu: number, fromNs: number, toNs: number, domid: number, vcpu: number,
  load: number, io: number): number {
  const wantHc = sink.wants(cpu, T.TRC_PV_HYPERCALL_V2), wantPf = sink.wants(cpu, PF);
  if (!wantHc && !wantPf) return 0;
  // One stream of instants, each a page fault or a hypercall in the proportion of the two rates,
  // so the records come out in time order.
  const hc = PV_HYPERCALLS(load, io), pf = PV_PAGE_FAULTS(load);
  const span = toNs - fromNs;
  let r = seedOf(cpu, fromNs, domid, 1);
  const n = count(span, hc + pf, r);
  if (n === 0) return 0;
  const step = span / n, pfShare = pf / (hc + pf);
  let recs = 0;
  for (let i = 0; i < n; i++) {
    r = next(r);
    const isPf = unit(r) < pfShare;
    r = next(r);
    const ns = instant(fromNs, span, step, i, r);
    r = next(r);
    if (isPf ? !wantPf : !wantHc) continue;
    sink.now[0] = ns;
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
    recs++;
  }
  return recs;
}

function traceHvm(sink: TraceSink, cpu: number, fromNs: number, toNs: number, domid: number, load: number, io: number): number {
  const exit = T.TRC_HVM_VMEXIT64;
  if (!sink.wants(cpu, exit)) return 0;
  const wantEntry = sink.wants(cpu, T.TRC_HVM_VMENTRY);
  const span = toNs - fromNs;
  let r = seedOf(cpu, fromNs, domid, 3);
  const n = count(span, HVM_EXITS(load, io), r);
  if (n === 0) return 0;
  const step = span / n;
  let recs = 0;
  for (let i = 0; i < n; i++) {
    r = next(r);
    const ns = instant(fromNs, span, step, i, r);
    r = next(r);
    const pick = percent(r);
    const rip = 0x81000000 | ((r >>> 4) & 0xffff0);
    sink.now[0] = ns;
    // The exits of a paravirtualised-device HVM guest: timer and event interrupts, APIC MSRs
    // (EOI, TSC deadline), hypercalls, and port I/O when it does I/O. Exit, handler and entry
    // at one instant, as the VM exit path records them.
    if (pick < 30) {
      sink.r3(cpu, exit, EXIT.EXTERNAL_INTERRUPT, rip, -1);
      if (sink.wants(cpu, T.TRC_HVM_INTR)) { sink.r1(cpu, T.TRC_HVM_INTR, 0xef); recs++; }
    } else if (pick < 55) {
      sink.r3(cpu, exit, EXIT.MSR_WRITE, rip, -1);
      if (sink.wants(cpu, T.TRC_HVM_MSR_WRITE)) { sink.r3(cpu, T.TRC_HVM_MSR_WRITE, 0x6e0, next(r), 0); recs++; }
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
  return recs;
}

/** ACPI PM timer ticks (3.579545 MHz), 24 bits, at `ns`; whole seconds apart so each step is exact. */
function pmTick(ns: number): number {
  const s = Math.floor(ns / 1e9);
  const t = s * 3579545 + Math.floor((ns - s * 1e9) * 3579545 / 1e9);
  return t - Math.floor(t / 0x1000000) * 0x1000000;
}

/** The idle vCPU enters a C-state just after it is switched in and leaves it just before it is switched out. */
function traceIdle(sink: TraceSink, cpu: number, fromNs: number, toNs: number): number {
  const span = toNs - fromNs;
  if (span < IDLE_MIN_NS || !sink.wants(cpu, T.TRC_PM_IDLE_ENTRY)) return 0;
  const cstate = span > 1_000_000 ? 2 : 1;
  const us = Math.floor(span / 1000);
  const enter = fromNs + 1000, leave = toNs - 1000;
  sink.now[0] = enter;
  sink.r4(cpu, T.TRC_PM_IDLE_ENTRY, cstate, pmTick(enter), us, us);
  if (sink.wants(cpu, T.TRC_PM_IDLE_EXIT)) {
    sink.now[0] = leave;
    sink.rn(cpu, T.TRC_PM_IDLE_EXIT, 6, cstate, pmTick(leave), 0, 0, 0, 0, 0);
  }
  return 2;
}
