// Xen trace records (`struct t_rec`, public/trace.h) and the file framing xentrace writes.
// A record is a header word (event id in bits 0-27, count of data words in bits 28-30, "TSC
// included" in bit 31), an optional 64-bit TSC, then up to 7 data words; little-endian as on x86.
// xentrace heads each per-pCPU chunk it copies out of Xen with a cpu_change record giving the
// cpu and the byte length of the chunk (a "window").

export const TRC_HD_CYCLE_FLAG = 0x80000000;
export const TRC_EVENT_MASK = 0x0fffffff;
export const TRACE_EXTRA_MAX = 7;

/** The generic class records that belong to the buffer machinery rather than to any subsystem. */
export const TRC_LOST_RECORDS = 0x0001f001;
export const TRC_TRACE_WRAP_BUFFER = 0x0001f002;
export const TRC_TRACE_CPU_CHANGE = 0x0001f003;

/** Size of a TSC-bearing LOST_RECORDS record: header, TSC, u32 lost, u16 domid, u16 vcpu, u64 tsc. */
export const LOST_REC_SIZE = 4 + 8 + 16;
/** Size of the cpu_change record that heads each window. */
export const CPU_CHANGE_SIZE = 12;

export interface TraceRecord {
  event: number;
  /** Present when the record carries a TSC (bit 31 of the header). */
  tsc?: bigint;
  data: number[];
}

export function recordSize(nData: number, withTsc: boolean): number {
  return 4 + (withTsc ? 8 : 0) + 4 * nData;
}

/** Write one record at `off` and return the offset after it (the trace buffers' hot path). */
export function writeRecord(buf: Buffer, off: number, event: number, tsc: bigint | undefined,
  data: readonly number[]): number {
  const n = data.length;
  if (n > TRACE_EXTRA_MAX) throw new RangeError(`trace record with ${n} data words (max ${TRACE_EXTRA_MAX})`);
  let hdr = ((event & TRC_EVENT_MASK) | (n << 28)) >>> 0;
  if (tsc !== undefined) hdr = (hdr | TRC_HD_CYCLE_FLAG) >>> 0;
  buf.writeUInt32LE(hdr, off); off += 4;
  if (tsc !== undefined) {
    buf.writeBigUInt64LE(tsc, off);
    off += 8;
  }
  for (let i = 0; i < n; i++) { buf.writeUInt32LE(data[i]! >>> 0, off); off += 4; }
  return off;
}

export function encodeRecord(rec: TraceRecord): Buffer {
  const buf = Buffer.alloc(recordSize(rec.data.length, rec.tsc !== undefined));
  writeRecord(buf, 0, rec.event, rec.tsc, rec.data);
  return buf;
}

/** Decode the record at `off`; undefined when fewer bytes remain than the header announces. */
export function decodeRecord(buf: Uint8Array, off: number): { record: TraceRecord; size: number } | undefined {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (off + 4 > b.length) return undefined;
  const hdr = b.readUInt32LE(off);
  const n = (hdr >>> 28) & 7;
  const cycles = (hdr & TRC_HD_CYCLE_FLAG) !== 0;
  const size = recordSize(n, cycles);
  if (off + size > b.length) return undefined;
  let p = off + 4;
  let tsc: bigint | undefined;
  if (cycles) { tsc = b.readBigUInt64LE(p); p += 8; }
  const data: number[] = [];
  for (let i = 0; i < n; i++, p += 4) data.push(b.readUInt32LE(p));
  const record: TraceRecord = { event: hdr & TRC_EVENT_MASK, data };
  if (tsc !== undefined) record.tsc = tsc;
  return { record, size };
}

/** The 12-byte record xentrace writes before each window: cpu and the window's byte count. */
export function encodeCpuChange(cpu: number, windowSize: number): Buffer {
  const buf = Buffer.alloc(CPU_CHANGE_SIZE);
  writeCpuChange(buf, 0, cpu, windowSize);
  return buf;
}
/** The same, written at `off`; the offset after it. */
export function writeCpuChange(buf: Buffer, off: number, cpu: number, windowSize: number): number {
  buf.writeUInt32LE(TRC_TRACE_CPU_CHANGE | (2 << 28), off);
  buf.writeUInt32LE(cpu >>> 0, off + 4);
  buf.writeUInt32LE(windowSize >>> 0, off + 8);
  return off + CPU_CHANGE_SIZE;
}

/** One window: the cpu_change header followed by the chunks (one, or two when Xen's ring wrapped). */
export function frameWindow(cpu: number, chunks: readonly Uint8Array[]): Buffer {
  const size = chunks.reduce((s, c) => s + c.length, 0);
  return Buffer.concat([encodeCpuChange(cpu, size), ...chunks]);
}

export interface TraceWindow { cpu: number; offset: number; records: TraceRecord[]; truncated: boolean }

/**
 * Split a xentrace file into its windows, as xenalyze reads it. Throws if the file does not
 * start with a cpu_change record; a last window shorter than announced is marked truncated.
 */
export function decodeWindows(file: Uint8Array): TraceWindow[] {
  const windows: TraceWindow[] = [];
  let off = 0;
  while (off < file.length) {
    const head = decodeRecord(file, off);
    if (!head || head.record.event !== TRC_TRACE_CPU_CHANGE || head.record.data.length < 2) {
      throw new Error(`expected a cpu_change record at offset ${off}`);
    }
    const [cpu, size] = head.record.data as [number, number];
    const start = off + head.size;
    const end = Math.min(start + size, file.length);
    const records: TraceRecord[] = [];
    let p = start;
    while (p < end) {
      const r = decodeRecord(file.subarray(0, end), p);
      if (!r) break;
      records.push(r.record);
      p += r.size;
    }
    windows.push({ cpu, offset: off, records, truncated: p !== start + size });
    off = start + size;
  }
  return windows;
}

/** Every record in file order with the cpu of its window (cpu_change records included, as xentrace_format sees them). */
export function* recordsInFileOrder(file: Uint8Array): Generator<{ cpu: number; offset: number; record: TraceRecord }> {
  let off = 0;
  let cpu = -1;
  for (;;) {
    const r = decodeRecord(file, off);
    if (!r) return;
    if (r.record.event === TRC_TRACE_CPU_CHANGE) cpu = r.record.data[0] ?? cpu;
    yield { cpu, offset: off, record: r.record };
    off += r.size;
  }
}
