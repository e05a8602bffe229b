// Xen's per-pCPU trace buffers (common/trace.c): one ring of `pages` pages per pCPU, of which the
// first 8 bytes are the {cons, prod} header, so a ring holds pages*4096-8 bytes of records.
// Producer and consumer offsets run modulo twice the data size, telling a full ring from an
// empty one. A record never straddles the end of the ring: a WRAP_BUFFER filler takes the tail.
// A record that does not fit is dropped and counted; the next one that fits is preceded by a
// LOST_RECORDS record. `drain()` is xentrace's side: each pCPU's unread bytes as one window.
import type { TraceSink } from './trace-sink.ts';
import { DOMID_IDLE, TRC_ALL, TRC_SCHED_CONTINUE_RUNNING, TRC_SCHED_RUNSTATE_CHANGE } from './trace-events.ts';
import {
  LOST_REC_SIZE, TRACE_EXTRA_MAX, TRC_EVENT_MASK, TRC_HD_CYCLE_FLAG, TRC_LOST_RECORDS, TRC_TRACE_WRAP_BUFFER, encodeCpuChange,
} from '../formats/trace-record.ts';

export const PAGE_SIZE = 4096;
/** sizeof(struct t_buf): the cons and prod words at the start of each pCPU's first page. */
const T_BUF_HEADER = 8;
/** xentrace's default -S. */
export const DEFAULT_PAGES_PER_CPU = 32;
const TRC_CLS_SHIFT = 16;
const TRC_SUBCLS_SHIFT = 12;

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
  prod: number;
  cons: number;
  lost: number;
  /** TSC of the first record lost, as two 32-bit halves. */
  lostTscLo: number;
  lostTscHi: number;
  /** (domid, vcpu) of the vCPU running on this pCPU. */
  curDom: number;
  curVcpu: number;
}

const TWO32 = 4294967296;

export class TraceBuffers implements TraceSink {
  enabled = false;
  readonly nrPcpus: number;
  readonly mhz: number;
  /** Pages per pCPU ring; 0 until allocated. */
  pagesPerCpu = 0;
  /** Bytes of records one ring holds. */
  dataSize = 0;
  private eventMask = TRC_ALL;
  private cpuMask: boolean[];
  private rings: Ring[] = [];
  private highWater = 0;
  private readonly onHighWater: ((cpu: number) => void) | undefined;
  /** TSC frequency in kHz, so that fractional MHz (2394.452) keep their precision. */
  private readonly khz: bigint;
  private readonly khzN: number;
  /**
   * Scratch for the record being written: [ns it is for (NaN: none), TSC low and high halves].
   * A typed array, because doubles stored in object fields are boxed: one allocation each.
   */
  private readonly tsc = new Float64Array([NaN, 0, 0]);
  /** Records dropped since creation, for reporting; per ring counts reset when reported in-stream. */
  totalLost = 0;

  constructor(opts: TraceBuffersOptions) {
    this.nrPcpus = opts.nrPcpus;
    this.mhz = opts.mhz;
    this.khzN = Math.round(opts.mhz * 1000);
    this.khz = BigInt(this.khzN);
    this.onHighWater = opts.onHighWater;
    this.cpuMask = new Array<boolean>(this.nrPcpus).fill(true);
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
    this.rings = Array.from({ length: this.nrPcpus }, (_, cpu) => ({
      words: new Uint32Array(this.dataSize >> 2), prod: 0, cons: 0, lost: 0, lostTscLo: 0, lostTscHi: 0,
      curDom: DOMID_IDLE, curVcpu: cpu,
    }));
    return true;
  }

  setEventMask(mask: number): void { this.eventMask = mask >>> 0; }
  getEventMask(): number { return this.eventMask; }
  /** Trace only these pCPUs (xentrace -c); pCPUs beyond the host are ignored. */
  setCpuMask(cpus: Iterable<number> | 'all'): void {
    if (cpus === 'all') { this.cpuMask.fill(true); return; }
    this.cpuMask.fill(false);
    for (const c of cpus) if (c >= 0 && c < this.nrPcpus) this.cpuMask[c] = true;
  }
  getCpuMask(): number[] { return this.cpuMask.flatMap((on, c) => (on ? [c] : [])); }

  /** Start recording (XEN_SYSCTL_TBUFOP_enable); like Xen, refused until the rings exist. */
  enable(): void {
    if (!this.allocated) throw new Error('trace buffers are not allocated (set their size first)');
    this.enabled = true;
  }
  /** Stop recording; like Xen, pending lost-record counts are forgotten so no phantom report follows. */
  disable(): void {
    this.enabled = false;
    for (const r of this.rings) r.lost = 0;
  }
  /** xentrace -D: throw away what the rings hold. */
  discard(): void { for (const r of this.rings) r.cons = r.prod; }

  /** Tell the buffers which vCPU runs on a pCPU (for LOST_RECORDS); runstate records do it too. */
  setCurrent(cpu: number, domid: number, vcpu: number): void {
    const r = this.rings[cpu];
    if (r) { r.curDom = domid; r.curVcpu = vcpu; }
  }

  tscOf(ns: bigint): bigint { return (ns * this.khz) / 1_000_000n; }

  /**
   * TSC = floor(ns * kHz / 1e6), split into whole milliseconds and the rest so that every step
   * is an exact double while the TSC stays below 2^53 (six weeks at 2.4 GHz); past that, BigInt.
   */
  private setTsc(ns: number): void {
    // Records come in bursts at one instant.
    const tsc = this.tsc;
    if (ns === tsc[0]) return;
    tsc[0] = ns;
    const ms = Math.floor(ns / 1e6);
    const t = ms * this.khzN + Math.floor((ns - ms * 1e6) * this.khzN / 1e6);
    if (t <= Number.MAX_SAFE_INTEGER) { tsc[1] = t >>> 0; tsc[2] = Math.floor(t / TWO32); return; }
    this.setTscBig(this.tscOf(BigInt(Math.floor(ns))));
    tsc[0] = ns;
  }
  private setTscBig(t: bigint): void {
    this.tsc[0] = NaN;
    this.tsc[1] = Number(t & 0xffffffffn);
    this.tsc[2] = Number((t >> 32n) & 0xffffffffn);
  }

  /** The class, then subclass, then pCPU test of __trace_var. */
  wants(cpu: number, event: number): boolean {
    if (!this.enabled) return false;
    const m = this.eventMask;
    if ((m & event) === 0) return false;
    if (((m >>> TRC_CLS_SHIFT) & (event >>> TRC_CLS_SHIFT)) === 0) return false;
    if ((((m >>> TRC_SUBCLS_SHIFT) & 0xf) & ((event >>> TRC_SUBCLS_SHIFT) & 0xf)) === 0) return false;
    return this.cpuMask[cpu] === true;
  }

  /** One record of `n` words d0..d6 at simulated time `ns` (TraceSink's hot path). */
  rec(cpu: number, ns: number, event: number, n: number,
    d0 = 0, d1 = 0, d2 = 0, d3 = 0, d4 = 0, d5 = 0, d6 = 0): void {
    if (!this.wants(cpu, event)) return;
    this.setTsc(ns);
    this.put(cpu, event, n > TRACE_EXTRA_MAX ? TRACE_EXTRA_MAX : n, d0, d1, d2, d3, d4, d5, d6);
  }

  record(cpu: number, ns: bigint, event: number, data: readonly number[]): void {
    if (!this.wants(cpu, event)) return;
    this.setTscBig(this.tscOf(ns));
    const n = data.length > TRACE_EXTRA_MAX ? TRACE_EXTRA_MAX : data.length;
    this.put(cpu, event, n, data[0] ?? 0, data[1] ?? 0, data[2] ?? 0, data[3] ?? 0, data[4] ?? 0, data[5] ?? 0, data[6] ?? 0);
  }

  /** Write a record (TSC in tscLo/tscHi) into a pCPU's ring, as __trace_var does. */
  private put(cpu: number, event: number, n: number,
    d0: number, d1: number, d2: number, d3: number, d4: number, d5: number, d6: number): void {
    const ring = this.rings[cpu]!;
    // Runstate records tell the buffers which vCPU is current here, which LOST_RECORDS reports.
    if ((event & 0x0ffff00f) === TRC_SCHED_RUNSTATE_CHANGE && (event & 0xf0) === 0
      || event === TRC_SCHED_CONTINUE_RUNNING) {
      ring.curDom = d0 >>> 16; ring.curVcpu = d0 & 0xffff;
    }
    const recSize = 12 + 4 * n;
    const ds = this.dataSize;
    let used = ring.prod - ring.cons;
    if (used < 0) used += 2 * ds;
    const startedBelow = used < this.highWater;
    const at = ring.prod >= ds ? ring.prod - ds : ring.prod;
    // Common case first: nothing lost to report, no wrap filler, room for the record.
    if (ring.lost !== 0 || recSize > ds - at || recSize > ds - used) {
      if (!this.makeRoom(ring, recSize, used)) return;
    }
    const w = ring.words;
    const p = this.claim(ring, recSize);
    // Stores into a Uint32Array wrap modulo 2^32, as `>>> 0` would.
    w[p] = (event & TRC_EVENT_MASK) | (n << 28) | TRC_HD_CYCLE_FLAG;
    w[p + 1] = this.tsc[1]!; w[p + 2] = this.tsc[2]!;
    if (n > 0) w[p + 3] = d0;
    if (n > 1) w[p + 4] = d1;
    if (n > 2) w[p + 5] = d2;
    if (n > 3) w[p + 6] = d3;
    if (n > 4) w[p + 7] = d4;
    if (n > 5) w[p + 8] = d5;
    if (n > 6) w[p + 9] = d6;

    if (startedBelow && this.onHighWater && this.unconsumed(ring) >= this.highWater) this.onHighWater(cpu);
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
      if (++ring.lost === 1) { ring.lostTscLo = this.tsc[1]!; ring.lostTscHi = this.tsc[2]!; }
      this.totalLost++;
      return false;
    }
    const w = ring.words;
    if (ring.lost) {
      if (LOST_REC_SIZE > this.bytesToWrap(ring)) this.insertWrap(ring);
      const p = this.claim(ring, LOST_REC_SIZE);
      w[p] = TRC_LOST_RECORDS | (4 << 28) | TRC_HD_CYCLE_FLAG;
      w[p + 1] = this.tsc[1]!; w[p + 2] = this.tsc[2]!;
      w[p + 3] = ring.lost; w[p + 4] = (ring.curDom & 0xffff) | ((ring.curVcpu & 0xffff) << 16);
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
   * record (two chunks when the ring wrapped), and mark them read: what xentrace writes per poll.
   */
  drainWindows(): Buffer[] {
    const out: Buffer[] = [];
    for (let cpu = 0; cpu < this.nrPcpus; cpu++) {
      const ring = this.rings[cpu]!;
      const size = this.unconsumed(ring);
      if (size === 0) continue;
      const start = ring.cons % this.dataSize;
      const first = Math.min(size, this.dataSize - start);
      const bytes = Buffer.from(ring.words.buffer, ring.words.byteOffset, this.dataSize);
      const parts = [encodeCpuChange(cpu, size), bytes.subarray(start, start + first)];
      if (first < size) parts.push(bytes.subarray(0, size - first));
      out.push(Buffer.concat(parts));
      ring.cons = ring.prod;
    }
    return out;
  }
  drain(): Buffer { return Buffer.concat(this.drainWindows()); }

  private unconsumed(r: Ring): number {
    let x = r.prod - r.cons;
    if (x < 0) x += 2 * this.dataSize;
    return x;
  }
  private bytesToWrap(r: Ring): number {
    let x = this.dataSize - r.prod;
    if (x <= 0) x += this.dataSize;
    return x;
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
    if (withTsc) { w[p++] = this.tsc[1]!; w[p++] = this.tsc[2]!; }
    for (let i = 0; i < words; i++) w[p++] = 0;
  }
  /** Advance the producer by `size` bytes; the word index where they start. */
  private claim(r: Ring, size: number): number {
    const at = r.prod >= this.dataSize ? r.prod - this.dataSize : r.prod;
    r.prod += size;
    if (r.prod >= 2 * this.dataSize) r.prod -= 2 * this.dataSize;
    return at >> 2;
  }
}
