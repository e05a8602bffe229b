// Bytes waiting for a socket that cannot take them yet, kept in reused 1 MiB chunks: the trace
// data produced during a long simulation step while xentrace is behind. Producers write
// straight into the room at the tail (no copy of their own); the head goes out with one
// write(2) per piece whenever the kernel takes it, and what is left when the step ends is handed
// to the stream, whose callbacks give the chunks back.
import type { Socket } from 'node:net';
import { writeNow } from './socket-write.ts';

const CHUNK = 1 << 20;
/** Chunks kept for reuse; beyond that, a chunk given back is left to the collector. */
const KEEP = 16;

interface Piece { buf: Buffer; start: number; end: number }

export class ByteSpool {
  private pieces: Piece[] = [];
  private readonly free: Buffer[] = [];
  private waiting = 0;

  /** How many bytes wait. */
  get size(): number { return this.waiting; }
  /** Bytes are waiting. */
  get pending(): boolean { return this.waiting > 0; }

  /** Free room at the tail, at least `min` bytes; fill some of it, then commit() what was written. */
  room(min: number): Buffer {
    const last = this.pieces[this.pieces.length - 1];
    if (last && last.buf.length - last.end >= min) return last.buf.subarray(last.end);
    const buf = (min <= CHUNK && this.free.pop()) || Buffer.allocUnsafeSlow(Math.max(CHUNK, min));
    this.pieces.push({ buf, start: 0, end: 0 });
    return buf;
  }
  /** `n` bytes were written at the start of the last room() given. */
  commit(n: number): void { this.pieces[this.pieces.length - 1]!.end += n; this.waiting += n; }

  /** Queue a copy of `bytes`. */
  append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.room(bytes.length).set(bytes);
    this.commit(bytes.length);
  }

  /** Send from the head what the kernel takes now (see writeNow); -1 if the socket failed. */
  writeNow(sock: Socket, fd: number): number {
    let total = 0;
    while (this.pieces.length) {
      const p = this.pieces[0]!;
      const sent = p.end > p.start ? writeNow(sock, fd, p.buf.subarray(p.start, p.end)) : 0;
      if (sent < 0) return -1;
      p.start += sent;
      this.waiting -= sent;
      total += sent;
      if (p.start < p.end) break;
      // Sent whole: the last piece stays as the tail's room, emptied; the others are free again.
      if (this.pieces.length === 1) { p.start = p.end = 0; break; }
      this.pieces.shift();
      this.give(p.buf);
    }
    return total;
  }

  /** Queue everything waiting on the stream (after which new bytes start a new chunk). */
  handOff(sock: Socket): void {
    for (const p of this.pieces) {
      if (p.end === p.start) { this.give(p.buf); continue; }
      sock.write(p.buf.subarray(p.start, p.end), () => this.give(p.buf));
    }
    this.pieces = [];
    this.waiting = 0;
  }

  private give(buf: Buffer): void {
    if (buf.length === CHUNK && this.free.length < KEEP) this.free.push(buf);
  }
}
