// Xen's per-pCPU trace buffers (common/trace.c): one ring of `pages` pages per pCPU, of which the
// first 8 bytes are the {cons, prod} header, so a ring holds pages*4096-8 bytes of records.
// Producer and consumer offsets run modulo twice the data size, telling a full ring from an
// empty one. A record never straddles the end of the ring: a WRAP_BUFFER filler takes the tail.
// A record that does not fit is dropped and counted; the next one that fits is preceded by a
// LOST_RECORDS record. `drain()` is xentrace's side: each pCPU's unread bytes as one window.
import type { TraceSink } from './trace-sink.ts';
import { DOMID_IDLE, TRC_ALL, TRC_HVM, TRC_HW, TRC_PV, TRC_SCHED_RUNSTATE_CHANGE } from './trace-events.ts';
import {
  CPU_CHANGE_SIZE, LOST_REC_SIZE, TRACE_EXTRA_MAX, TRC_EVENT_MASK, TRC_HD_CYCLE_FLAG, TRC_LOST_RECORDS, TRC_TRACE_WRAP_BUFFER, writeCpuChange,
} from '../formats/trace-record.ts';

export const PAGE_SIZE = 4096;
/** sizeof(struct t_buf): the cons and prod words at the start of each pCPU's first page. */
const T_BUF_HEADER = 8;
/** xentrace's default -S. */
export const DEFAULT_PAGES_PER_CPU = 32;

export interface TraceBuffersOptions {
  nrPcpus: number;
  /** TSC frequency: the host's MHz. */
  mhz: number;
  /**
   * Pages per pCPU allocated at boot (Xen's tbuf_size= option). Without it the rings are
   * allocated by the first setSize() (xentrace -S, default 32), after which the size is fixed.
   */
  pagesPerCpu?: number;
  /** Called when a pCPU's ring crosses half full, as Xen raises VIRQ_TBUF for xentrace. */
  onHighWater?: (cpu: number) => void;
}

interface Ring {
  /** The ring's bytes as little-endian words: every record is a whole number of words. */
  words: Uint32Array;
  /** The same memory as bytes. */
  bytes: Uint8Array;
  /**
   * The producer as Xen keeps it (bytes modulo twice the data size) is lap * dataSize + 4 * w:
   * `w` is the word where the next record goes, always below the end of the ring.
   */
  w: number;
  lap: number;
  cons: number;
  /**
   * Words the next records may take with no more checks: before the end of the ring, within
   * the free space, short of the high-water mark, and 0 while lost records wait to be reported.
   * Recomputed whenever a record takes the slow path or xentrace consumes.
   */
  fast: number;
  lost: number;
  /** TSC of the first record lost, as two 32-bit halves. */
  lostTscLo: number;
  lostTscHi: number;
  /** (domid << 16) | vcpu of the vCPU running on this pCPU, as runstate records say. */
  cur: number;
}

/**
 * Writes what a vCPU does between the scheduler's records (trace-activity.ts). Times go through
 * `tb.now` and `tb.due` (typed arrays), not arguments or results: a double passed to or
 * returned from a call that is not inlined is a heap allocation.
 */
export interface TraceGapWriter {
  /** `unit` starts running on `cpu` at `tb.now[0]`: set `tb.due[cpu]`, the instant after which it has records due (Infinity: none). */
  arm(tb: TraceBuffers, cpu: number, unit: number): void;
  /**
   * Write the records of `cpu` due strictly before `tb.now[0]`, through `tb` (r1..rn, each at
   * the `tb.now[0]` it sets), and set `tb.due[cpu]`, the instant after which more are due.
   */
  gap(tb: TraceBuffers, cpu: number): void;
}

const TWO32 = 4294967296;
/** Bits of an event id (and of the mask) that name its class, and its subclass. */
const CLASS_BITS = 0x0fff0000;
const SUBCLASS_BITS = 0x0000f000;
/** A runstate change into running: the id with any old state (bits 8-11) and new state 0 (bits 4-7). */
const RUNNING_BITS = 0x0ffff0ff;
/** The classes of what is written in the gaps (trace-activity.ts): PV, HVM and hardware (power management). */
const GAP_CLASSES = (TRC_PV | TRC_HVM | TRC_HW) & CLASS_BITS;
/** TRC_HD_CYCLE_FLAG as an int32, so that the header word is built from small integers. */
const CYCLES = TRC_HD_CYCLE_FLAG | 0;
/** Header words of a record of 1..4 words: size in bits 28-30, and the TSC flag. */
const H1 = (1 << 28) | CYCLES, H2 = (2 << 28) | CYCLES, H3 = (3 << 28) | CYCLES, H4 = (4 << 28) | CYCLES;

export class TraceBuffers implements TraceSink {
  enabled = false;
  readonly nrPcpus: number;
  readonly mhz: number;
  /** Pages per pCPU ring; 0 until allocated. */
  pagesPerCpu = 0;
  /** Bytes of records one ring holds. */
  dataSize = 0;
  private eventMask = TRC_ALL;
  /** The event mask while enabled, 0 while not: one test in the hot path covers both. */
  private liveMask = 0;
  /** 1 for each traced pCPU. */
  private readonly cpuOn: Uint8Array;
  private rings: Ring[] = [];
  private highWater = 0;
  private readonly onHighWater: ((cpu: number) => void) | undefined;
  /** TSC frequency in kHz, so that fractional MHz (2394.452) keep their precision. */
  private readonly khz: bigint;
  private readonly khzN: number;
  /**
   * The TSC of the last instant recorded, [lo, hi], and that instant (NaN: none). Typed arrays,
   * because numbers stored in object fields that leave the small-integer range are boxed.
   */
  private readonly tsc = new Uint32Array(2);
  private readonly tscNs = new Float64Array([NaN]);
  /** Records dropped since creation, for reporting; per ring counts reset when reported in-stream. */
  totalLost = 0;
  /** The instant of the records written by r1..r4, rn and runstate (see TraceSink). */
  readonly now = new Float64Array(1);
  private readonly scratch = new Int32Array(TRACE_EXTRA_MAX);
  /**
   * Per pCPU, the instant after which the gap writer has records due there: a record at a later
   * instant has them written first. Infinity: none (no writer, or nothing to write).
   */
  readonly due: Float64Array;
  private gapWriter: TraceGapWriter | null = null;

  constructor(opts: TraceBuffersOptions) {
    this.nrPcpus = opts.nrPcpus;
    this.mhz = opts.mhz;
    this.khzN = Math.round(opts.mhz * 1000);
    this.khz = BigInt(this.khzN);
    this.onHighWater = opts.onHighWater;
    this.cpuOn = new Uint8Array(this.nrPcpus).fill(1);
    this.due = new Float64Array(this.nrPcpus).fill(Infinity);
    if (opts.pagesPerCpu !== undefined) this.setSize(opts.pagesPerCpu);
  }

  get allocated(): boolean { return this.pagesPerCpu > 0; }

  /**
   * Allocate the rings (XEN_SYSCTL_TBUFOP_set_size). As in Xen this is done once per boot:
   * asking again for the size already set succeeds, any other size is refused (false).
   */
  setSize(pages: number = DEFAULT_PAGES_PER_CPU): boolean {
    if (this.allocated) return pages === this.pagesPerCpu;
    if (!Number.isInteger(pages) || pages < 1) throw new RangeError('trace buffers need at least one page per cpu');
    this.pagesPerCpu = pages;
    this.dataSize = pages * PAGE_SIZE - T_BUF_HEADER;
    this.highWater = this.dataSize >> 1;
    this.rings = Array.from({ length: this.nrPcpus }, (_, cpu) => {
      const words = new Uint32Array(this.dataSize >> 2);
      return { words, bytes: new Uint8Array(words.buffer), w: 0, lap: 0, cons: 0, fast: 0, lost: 0, lostTscLo: 0, lostTscHi: 0, cur: (DOMID_IDLE << 16) | cpu };
    });
    for (const r of this.rings) this.refresh(r);
    return true;
  }

  setEventMask(mask: number): void {
    this.eventMask = mask >>> 0;
    this.liveMask = this.enabled ? this.eventMask : 0;
    this.armAll();
  }
  getEventMask(): number { return this.eventMask; }
  /** Trace only these pCPUs (xentrace -c); pCPUs beyond the host are ignored. */
  setCpuMask(cpus: Iterable<number> | 'all'): void {
    if (cpus === 'all') { this.cpuOn.fill(1); return; }
    this.cpuOn.fill(0);
    for (const c of cpus) if (c >= 0 && c < this.nrPcpus) this.cpuOn[c] = 1;
  }
  getCpuMask(): number[] { return [...this.cpuOn].flatMap((on, c) => (on ? [c] : [])); }

  /** Start recording (XEN_SYSCTL_TBUFOP_enable); like Xen, refused until the rings exist. */
  enable(): void {
    if (!this.allocated) throw new Error('trace buffers are not allocated (set their size first)');
    this.enabled = true;
    this.liveMask = this.eventMask;
    this.armAll();
  }
  /** Stop recording; like Xen, pending lost-record counts are forgotten so no phantom report follows. */
  disable(): void {
    this.enabled = false;
    this.liveMask = 0;
    for (const r of this.rings) { r.lost = 0; this.refresh(r); }
  }
  /** xentrace -D: throw away what the rings hold. */
  discard(): void {
    for (const r of this.rings) { r.cons = this.prodOf(r); this.refresh(r); }
  }

  /** Tell the buffers which vCPU runs on a pCPU (for LOST_RECORDS); runstate records do it too. */
  setCurrent(cpu: number, domid: number, vcpu: number): void {
    const r = this.rings[cpu];
    if (r) r.cur = ((domid & 0xffff) << 16) | (vcpu & 0xffff);
  }
  /** The unit word of the vCPU running on a pCPU. */
  current(cpu: number): number { return this.rings[cpu]!.cur >>> 0; }

  /**
   * From `ns` on, `writer` records what runs on each pCPU between the scheduler's records (null:
   * nothing is written between records).
   */
  setGapWriter(writer: TraceGapWriter | null, ns: number): void {
    this.gapWriter = writer;
    const now = this.now[0]!;
    this.now[0] = ns;
    this.armAll();
    this.now[0] = now;
  }
  /** Whether the gap writer has anything to write: there is one, and its classes are wanted. */
  private get gapsWanted(): boolean { return this.gapWriter !== null && (this.liveMask & GAP_CLASSES) !== 0; }
  /** Arm the gap writer on every pCPU with who runs there at now[0]. */
  private armAll(): void {
    for (let cpu = 0; cpu < this.nrPcpus; cpu++) {
      if (this.gapsWanted && this.rings[cpu]) this.gapWriter!.arm(this, cpu, this.rings[cpu]!.cur);
      else this.due[cpu] = Infinity;
    }
  }
  /** Write every pCPU's gap up to `ns` (before xentrace reads the rings). */
  closeGaps(ns: number): void {
    const now = this.now[0]!;
    this.now[0] = ns;
    for (let cpu = 0; cpu < this.nrPcpus; cpu++) if (ns > this.due[cpu]!) this.gap(cpu);
    this.now[0] = now;
  }
  /** Write the gap of `cpu` up to now[0] (which is put back after). */
  private gap(cpu: number): void {
    if (!this.gapsWanted) { this.due[cpu] = Infinity; return; }
    const now = this.now[0]!;
    // Nothing is due while the writer writes (its records are all before now[0]).
    this.due[cpu] = Infinity;
    this.gapWriter!.gap(this, cpu);
    this.now[0] = now;
  }
  /** A runstate record at now[0]: who runs on the pCPU now, and the gap writer armed for it. */
  private follow(cpu: number, event: number, unit: number): void {
    if ((event & RUNNING_BITS) !== TRC_SCHED_RUNSTATE_CHANGE) return;
    this.rings[cpu]!.cur = unit;
    if (this.gapsWanted) this.gapWriter!.arm(this, cpu, unit);
  }

  tscOf(ns: bigint): bigint { return (ns * this.khz) / 1_000_000n; }

  /**
   * TSC = floor(ns * kHz / 1e6), split into whole milliseconds and the rest so that every step
   * is an exact double while the TSC stays below 2^53 (six weeks at 2.4 GHz); past that, BigInt.
   */
  private setTsc(): void {
    const ns = this.now[0]!;
    this.tscNs[0] = ns;
    const ms = Math.floor(ns / 1e6);
    const t = ms * this.khzN + Math.floor((ns - ms * 1e6) * this.khzN / 1e6);
    if (t <= Number.MAX_SAFE_INTEGER) {
      // No `%` on doubles: V8 makes it a call to fmod.
      const hi = Math.floor(t / TWO32);
      this.tsc[0] = t - hi * TWO32; this.tsc[1] = hi;
      return;
    }
    this.setTscBig(this.tscOf(BigInt(Math.floor(ns))));
    this.tscNs[0] = ns;
  }
  private setTscBig(t: bigint): void {
    this.tscNs[0] = NaN;
    this.tsc[0] = Number(t & 0xffffffffn);
    this.tsc[1] = Number((t >> 32n) & 0xffffffffn);
  }

  /** The class, then subclass, then pCPU test of __trace_var. */
  wants(cpu: number, event: number): boolean {
    const m = this.liveMask & event;
    return (m & CLASS_BITS) !== 0 && (m & SUBCLASS_BITS) !== 0 && this.cpuOn[cpu] === 1;
  }

  // The hot path, r1..r4 and rn: __trace_var's tests, the pCPU's gap written first when the
  // instant is new to it, the TSC worked out once per instant, then, while the ring has `fast`
  // room, the words stored where they go; anything else (lost records to report, the end of
  // the ring, a full ring, the high-water mark) goes through put().

  /** The ring of `cpu`, ready for a record at now[0] (gap written, TSC known); null when the record is not wanted. */
  private ready(cpu: number, event: number): Ring | null {
    const m = this.liveMask & event;
    if ((m & CLASS_BITS) === 0 || (m & SUBCLASS_BITS) === 0 || this.cpuOn[cpu] !== 1) return null;
    const ns = this.now[0]!;
    if (ns > this.due[cpu]!) this.gap(cpu);
    if (ns !== this.tscNs[0]) this.setTsc();
    return this.rings[cpu]!;
  }

  r1(cpu: number, event: number, a: number): void {
    const ring = this.ready(cpu, event);
    if (ring === null) return;
    if (ring.fast < 4) { this.scratch[0] = a; this.put(cpu, event, 1, this.scratch, 0); return; }
    const w = ring.w, W = ring.words;
    ring.w = w + 4; ring.fast -= 4;
    W[w] = event | H1; W[w + 1] = this.tsc[0]!; W[w + 2] = this.tsc[1]!; W[w + 3] = a;
  }
  r2(cpu: number, event: number, a: number, b: number): void {
    const ring = this.ready(cpu, event);
    if (ring === null) return;
    if (ring.fast < 5) { const x = this.scratch; x[0] = a; x[1] = b; this.put(cpu, event, 2, x, 0); return; }
    const w = ring.w, W = ring.words;
    ring.w = w + 5; ring.fast -= 5;
    W[w] = event | H2; W[w + 1] = this.tsc[0]!; W[w + 2] = this.tsc[1]!; W[w + 3] = a; W[w + 4] = b;
  }
  r3(cpu: number, event: number, a: number, b: number, c: number): void {
    const ring = this.ready(cpu, event);
    if (ring === null) return;
    if (ring.fast < 6) { const x = this.scratch; x[0] = a; x[1] = b; x[2] = c; this.put(cpu, event, 3, x, 0); return; }
    const w = ring.w, W = ring.words;
    ring.w = w + 6; ring.fast -= 6;
    W[w] = event | H3; W[w + 1] = this.tsc[0]!; W[w + 2] = this.tsc[1]!; W[w + 3] = a; W[w + 4] = b; W[w + 5] = c;
  }
  r4(cpu: number, event: number, a: number, b: number, c: number, d: number): void {
    const ring = this.ready(cpu, event);
    if (ring === null) return;
    if (ring.fast < 7) { const x = this.scratch; x[0] = a; x[1] = b; x[2] = c; x[3] = d; this.put(cpu, event, 4, x, 0); return; }
    const w = ring.w, W = ring.words;
    ring.w = w + 7; ring.fast -= 7;
    W[w] = event | H4; W[w + 1] = this.tsc[0]!; W[w + 2] = this.tsc[1]!; W[w + 3] = a; W[w + 4] = b; W[w + 5] = c; W[w + 6] = d;
  }
  /** A record of n (0..7) words; the words past n are ignored. */
  rn(cpu: number, event: number, n: number, d0: number, d1: number, d2: number, d3: number, d4: number, d5: number, d6: number): void {
    const ring = this.ready(cpu, event);
    if (ring === null) return;
    if (n > TRACE_EXTRA_MAX) n = TRACE_EXTRA_MAX;
    const x = this.scratch;
    x[0] = d0; x[1] = d1; x[2] = d2; x[3] = d3; x[4] = d4; x[5] = d5; x[6] = d6;
    const size = 3 + n;
    if (ring.fast < size) { this.put(cpu, event, n, x, 0); return; }
    const w = ring.w, W = ring.words;
    ring.w = w + size; ring.fast -= size;
    W[w] = event | (n << 28) | CYCLES; W[w + 1] = this.tsc[0]!; W[w + 2] = this.tsc[1]!;
    for (let i = 0; i < n; i++) W[w + 3 + i] = x[i]!;
  }
  /** A runstate change: the gap before it is written, and who runs on the pCPU followed, whatever the masks. */
  runstate(cpu: number, event: number, unit: number): void {
    if (!this.enabled) return;
    if (this.now[0]! > this.due[cpu]!) this.gap(cpu);
    this.follow(cpu, event, unit);
    this.r1(cpu, event, unit);
  }

  /** One record of `n` words d0..d6 at simulated time `ns`. */
  rec(cpu: number, ns: number, event: number, n: number,
    d0 = 0, d1 = 0, d2 = 0, d3 = 0, d4 = 0, d5 = 0, d6 = 0): void {
    if (!this.enabled) return;
    const now = this.now[0]!;
    this.now[0] = ns;
    if (ns > this.due[cpu]!) this.gap(cpu);
    this.follow(cpu, event, d0);
    this.rn(cpu, event, n, d0, d1, d2, d3, d4, d5, d6);
    this.now[0] = now;
  }

  record(cpu: number, ns: bigint, event: number, data: readonly number[]): void {
    if (!this.enabled) return;
    const now = this.now[0]!;
    this.now[0] = Number(ns);
    if (this.now[0]! > this.due[cpu]!) this.gap(cpu);
    this.follow(cpu, event, data[0]! | 0);
    this.now[0] = now;
    if (!this.wants(cpu, event)) return;
    this.setTscBig(this.tscOf(ns));
    const n = data.length > TRACE_EXTRA_MAX ? TRACE_EXTRA_MAX : data.length;
    for (let i = 0; i < n; i++) this.scratch[i] = data[i]!;
    this.put(cpu, event, n, this.scratch, 0);
  }

  /** Write a record (TSC in this.tsc, words src[at..at+n)) into a pCPU's ring, as __trace_var does. */
  private put(cpu: number, event: number, n: number, src: Int32Array, at: number): void {
    const ring = this.rings[cpu]!;
    const recSize = 12 + 4 * n;
    const used = this.unconsumed(ring);
    if (!this.makeRoom(ring, recSize, used)) { this.refresh(ring); return; }
    const p = this.claim(ring, recSize);
    const w = ring.words;
    // Stores into a Uint32Array keep the low 32 bits, as `>>> 0` would.
    w[p] = (event & TRC_EVENT_MASK) | (n << 28) | CYCLES;
    w[p + 1] = this.tsc[0]!; w[p + 2] = this.tsc[1]!;
    for (let i = 0; i < n; i++) w[p + 3 + i] = src[at + i]!;
    this.refresh(ring);
    if (used < this.highWater && this.unconsumed(ring) >= this.highWater) this.onHighWater?.(cpu);
  }

  /**
   * The rare cases of __trace_var: report lost records, fill the ring's tail with a wrap record,
   * or drop the record (false) when all that does not fit.
   */
  private makeRoom(ring: Ring, recSize: number, used: number): boolean {
    // Dry run: will the lost-records report, wrap fillers and the record all fit?
    let toWrap = this.bytesToWrap(ring);
    let total = 0;
    if (ring.lost) {
      if (LOST_REC_SIZE > toWrap) { total += toWrap; toWrap = this.dataSize; }
      total += LOST_REC_SIZE;
      toWrap -= LOST_REC_SIZE;
      if (toWrap === 0) toWrap = this.dataSize;
    }
    if (recSize > toWrap) total += toWrap;
    total += recSize;
    if (total > this.dataSize - used) {
      if (++ring.lost === 1) { ring.lostTscLo = this.tsc[0]!; ring.lostTscHi = this.tsc[1]!; }
      this.totalLost++;
      return false;
    }
    const w = ring.words;
    if (ring.lost) {
      if (LOST_REC_SIZE > this.bytesToWrap(ring)) this.insertWrap(ring);
      const p = this.claim(ring, LOST_REC_SIZE);
      w[p] = TRC_LOST_RECORDS | (4 << 28) | TRC_HD_CYCLE_FLAG;
      w[p + 1] = this.tsc[0]!; w[p + 2] = this.tsc[1]!;
      w[p + 3] = ring.lost; w[p + 4] = (ring.cur >>> 16) | (ring.cur << 16); // u16 domid, u16 vcpu
      w[p + 5] = ring.lostTscLo; w[p + 6] = ring.lostTscHi;
      ring.lost = 0;
    }
    if (recSize > this.bytesToWrap(ring)) this.insertWrap(ring);
    return true;
  }

  /** Unread bytes per pCPU. */
  pending(cpu: number): number { return this.unconsumed(this.rings[cpu]!); }
  /** Records dropped on a pCPU and not yet reported by a LOST_RECORDS record. */
  lostPending(cpu: number): number { return this.rings[cpu]!.lost; }

  /**
   * Copy out every pCPU's unread bytes, in pCPU order, each as one window headed by a cpu_change
   * record (both pieces when the ring wrapped), into one buffer, and mark them read: what
   * xentrace writes per poll.
   */
  drain(into?: Buffer): Buffer {
    let total = 0;
    for (const ring of this.rings) { const size = this.unconsumed(ring); if (size) total += CPU_CHANGE_SIZE + size; }
    // `into`, when big enough: a buffer the caller reuses, whose pages are already mapped. A new
    // one is never a slice of Node's shared pool, so that the caller may reuse it in turn.
    const out = into && into.length >= total ? into.subarray(0, total) : Buffer.allocUnsafeSlow(total);
    let o = 0;
    for (let cpu = 0; cpu < this.nrPcpus; cpu++) {
      const ring = this.rings[cpu]!;
      const size = this.unconsumed(ring);
      if (size === 0) continue;
      o = writeCpuChange(out, o, cpu, size);
      const bytes = ring.bytes;
      const start = ring.cons >= this.dataSize ? ring.cons - this.dataSize : ring.cons;
      const first = Math.min(size, this.dataSize - start);
      out.set(bytes.subarray(start, start + first), o);
      if (first < size) out.set(bytes.subarray(0, size - first), o + first);
      o += size;
      ring.cons = this.prodOf(ring);
      this.refresh(ring);
    }
    return out;
  }
  /** The producer offset as Xen keeps it: bytes, modulo twice the data size. */
  private prodOf(r: Ring): number { return r.lap * this.dataSize + 4 * r.w; }
  private unconsumed(r: Ring): number {
    let x = this.prodOf(r) - r.cons;
    if (x < 0) x += 2 * this.dataSize;
    return x;
  }
  private bytesToWrap(r: Ring): number { return this.dataSize - 4 * r.w; }
  /** Recompute the words the hot path may take in a ring with no more checks (see Ring.fast). */
  private refresh(r: Ring): void {
    if (r.lost !== 0) { r.fast = 0; return; }
    const used = this.unconsumed(r);
    // Within the free space, and short of the end: a record that ends exactly there wraps the
    // producer, which put() does.
    let f = (this.dataSize - used) >> 2;
    const toEnd = (this.dataSize >> 2) - r.w - 1;
    if (toEnd < f) f = toEnd;
    // Short of the high-water mark, so that put() raises it.
    if (used < this.highWater) { const h = ((this.highWater - used) >> 2) - 1; if (h < f) f = h; }
    r.fast = f > 0 ? f : 0;
  }
  /** Fill the tail of the ring with a WRAP_BUFFER record (with a TSC when it needs the room). */
  private insertWrap(r: Ring): void {
    const space = this.bytesToWrap(r);
    let words = (space - 4) / 4;
    const withTsc = words > TRACE_EXTRA_MAX;
    if (withTsc) words -= 2;
    const w = r.words;
    let p = this.claim(r, space);
    w[p++] = TRC_TRACE_WRAP_BUFFER | (words << 28) | (withTsc ? TRC_HD_CYCLE_FLAG : 0);
    if (withTsc) { w[p++] = this.tsc[0]!; w[p++] = this.tsc[1]!; }
    for (let i = 0; i < words; i++) w[p++] = 0;
  }
  /** Advance the producer by `size` bytes; the word index where they start. */
  private claim(r: Ring, size: number): number {
    const at = r.w;
    r.w += size >> 2;
    if (r.w >= this.dataSize >> 2) { r.w = 0; r.lap ^= 1; }
    return at;
  }
}
