// What a vCPU does while it holds a pCPU, as trace records: PV guests' hypercalls and page
// faults, HVM guests' VM exits (exit, handler record, entry), and the idle vCPU's C-state entry
// and exit. The scheduler knows when each vCPU ran; this turns one such stretch into records at
// rates that follow the guest's workload. Pure: no state, deterministic for a given segment.
import type { TraceSink } from './trace-sink.ts';
import * as T from './trace-events.ts';

export type GuestKind = 'pv' | 'hvm';

/** One stretch of time during which one vCPU ran on one pCPU (the idle vCPU included). */
export interface RunSegment {
  cpu: number;
  fromNs: bigint;
  toNs: bigint;
  domid: number;
  vcpu: number;
  /** PV or HVM; ignored for the idle domain. */
  kind?: GuestKind;
  /** How much of its time the guest spends computing (0..1); drives faults and exits. */
  cpuLoad?: number;
  /** Disk and network requests per second; drive event channel, grant and port I/O activity. */
  ioPerSec?: number;
}

// Xen hypercall numbers used by a busy PV guest.
const HC = { mmu_update: 1, memory_op: 12, multicall: 13, set_timer_op: 15, grant_table_op: 20, iret: 23, vcpu_op: 24, mmuext_op: 26, sched_op: 29, event_channel_op: 32 };
/** TRC_PV_HYPERCALL_V2: two bits per argument from bit 20, 1 = a 32-bit value follows. */
const ARG32 = (i: number): number => 1 << (20 + 2 * i);
// VMX exit reasons and the handler record each one produces.
const EXIT = { EXTERNAL_INTERRUPT: 1, VMCALL: 18, IO_INSTRUCTION: 30, MSR_READ: 31, MSR_WRITE: 32 };

/** A small deterministic hash so that a segment always yields the same records. */
function mix(a: number, b: number): number {
  let h = (a ^ Math.imul(b, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Instants strictly inside the segment, `perSec` of them per second on average, evenly jittered. */
function instants(seg: RunSegment, perSec: number, salt: number): bigint[] {
  const span = Number(seg.toNs - seg.fromNs);
  const n = Math.floor(span * perSec / 1e9);
  if (n <= 0 || span < 4) return [];
  const out: bigint[] = [];
  const step = span / n;
  const seed = mix(Number(seg.fromNs % 0xffffffffn) ^ salt, seg.cpu * 65536 + seg.domid);
  for (let i = 0; i < n; i++) {
    const jitter = (mix(seed, i) / 0x100000000) * step;
    const at = Math.min(span - 1, Math.max(1, Math.floor(i * step + jitter)));
    out.push(seg.fromNs + BigInt(at));
  }
  return out;
}

/** Emit the records of one segment; returns how many were recorded. */
export function traceSegment(sink: TraceSink, seg: RunSegment): number {
  if (!sink.enabled || seg.toNs <= seg.fromNs) return 0;
  if (seg.domid === T.DOMID_IDLE) return traceIdle(sink, seg);
  return seg.kind === 'hvm' ? traceHvm(sink, seg) : tracePv(sink, seg);
}

function tracePv(sink: TraceSink, seg: RunSegment): number {
  const load = seg.cpuLoad ?? 1, io = seg.ioPerSec ?? 0;
  let n = 0;
  const { cpu } = seg;
  if (sink.wants(cpu, T.TRC_PV_HYPERCALL_V2)) {
    instants(seg, 800 + 3000 * load + 3 * io, 1).forEach((ns, i) => {
      const pick = mix(i, Number(ns & 0xffffn)) % 100;
      let data: number[];
      if (pick < 25) data = [HC.sched_op | ARG32(0), 0]; // SCHEDOP_yield
      else if (pick < 40) data = [HC.set_timer_op];
      else if (pick < 55) data = [HC.mmu_update | ARG32(1), 1 + (pick % 8)];
      else if (pick < 65) data = [HC.mmuext_op | ARG32(1), 1];
      else if (pick < 75) data = [HC.multicall | ARG32(1), 2 + (pick % 6)];
      else if (pick < 82) data = [HC.vcpu_op | ARG32(0) | ARG32(1), 13, seg.vcpu]; // VCPUOP_stop_singleshot_timer
      else if (pick < 90) data = [HC.iret];
      else if (io > 0 && pick < 95) data = [HC.event_channel_op];
      else if (io > 0) data = [HC.grant_table_op | ARG32(0) | ARG32(2), 0, 1 + (pick % 4)]; // GNTTABOP_map_grant_ref
      else data = [HC.memory_op];
      sink.record(cpu, ns, T.TRC_PV_HYPERCALL_V2, data);
      n++;
    });
  }
  const pf = T.TRC_PV_PAGE_FAULT | T.TRC_64_FLAG;
  if (sink.wants(cpu, pf)) {
    instants(seg, 1500 * load, 2).forEach((ns, i) => {
      const rip = 0x81000000 + (mix(i, 7) & 0xffff0);
      const addr = 0x7f0000000000 + (mix(i, 11) & 0xfffff000);
      sink.record(cpu, ns, pf, [rip >>> 0, 0xffffffff, addr % 0x100000000, Math.floor(addr / 0x100000000), 0x6]);
      n++;
    });
  }
  return n;
}

function traceHvm(sink: TraceSink, seg: RunSegment): number {
  const load = seg.cpuLoad ?? 1, io = seg.ioPerSec ?? 0;
  const { cpu } = seg;
  const exit = T.TRC_HVM_VMEXIT64;
  if (!sink.wants(cpu, exit)) return 0;
  let n = 0;
  instants(seg, 1000 + 5000 * load + 2 * io, 3).forEach((ns, i) => {
    const pick = mix(i, Number(ns & 0xffffn)) % 100;
    const rip = 0x81000000 + (mix(i, 5) & 0xffff0);
    let reason: number, handler: number, data: number[];
    // The exits of a paravirtualised-device HVM guest: timer and event interrupts, APIC MSRs
    // (EOI, TSC deadline), hypercalls, and port I/O when it does I/O.
    if (pick < 30) { reason = EXIT.EXTERNAL_INTERRUPT; handler = T.TRC_HVM_INTR; data = [0xef]; }
    else if (pick < 55) { reason = EXIT.MSR_WRITE; handler = T.TRC_HVM_MSR_WRITE; data = [0x6e0, mix(i, 9), 0]; }
    else if (pick < 65) { reason = EXIT.MSR_READ; handler = T.TRC_HVM_MSR_READ; data = [0x1b, 0xfee00900, 0]; }
    else if (pick < 85 || io === 0) { reason = EXIT.VMCALL; handler = T.TRC_HVM_VMMCALL; data = [pick < 75 ? 29 : 32]; }
    else { reason = EXIT.IO_INSTRUCTION; handler = T.TRC_HVM_IOPORT_WRITE; data = [0xc000 + (pick & 0x3f), pick]; }
    // Exit, handler and entry at one instant, as the VM exit path records them.
    sink.record(cpu, ns, exit, [reason, rip, 0xffffffff]);
    if (sink.wants(cpu, handler)) { sink.record(cpu, ns, handler, data); n++; }
    if (sink.wants(cpu, T.TRC_HVM_VMENTRY)) { sink.record(cpu, ns, T.TRC_HVM_VMENTRY, []); n++; }
    n++;
  });
  return n;
}

/** The idle vCPU enters a C-state just after it is switched in and leaves it just before it is switched out. */
function traceIdle(sink: TraceSink, seg: RunSegment): number {
  const span = seg.toNs - seg.fromNs;
  if (span < 10_000n || !sink.wants(seg.cpu, T.TRC_PM_IDLE_ENTRY)) return 0;
  const cstate = span > 1_000_000n ? 2 : 1;
  const us = Number(span / 1000n);
  // ACPI PM timer ticks (3.579545 MHz) at entry and exit.
  const tick = (ns: bigint): number => Number((ns * 3579545n / 1_000_000_000n) & 0xffffffn);
  const enter = seg.fromNs + 1000n, leave = seg.toNs - 1000n;
  sink.record(seg.cpu, enter, T.TRC_PM_IDLE_ENTRY, [cstate, tick(enter), us, us]);
  if (sink.wants(seg.cpu, T.TRC_PM_IDLE_EXIT)) sink.record(seg.cpu, leave, T.TRC_PM_IDLE_EXIT, [cstate, tick(leave), 0, 0, 0, 0]);
  return 2;
}
