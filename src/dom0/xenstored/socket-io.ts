// Socket I/O for xenstored's Unix socket clients, cut to what a sequential request/reply
// client needs. A libxenstore client waits for every reply, so each microsecond between
// reading a request and writing its reply is paid per request: replies are encoded into one
// reused buffer and leave with a single write(2), bypassing Node's stream machinery whenever
// nothing is already queued on the socket.

import { readSync } from 'node:fs';
import type { Socket } from 'node:net';
import { XS_HEADER_LEN, XS_PAYLOAD_MAX, XsType, encodeMessageAt } from '../../formats/xenstore-wire.ts';
import { quota } from './quota.ts';
import { writeNow } from '../socket-write.ts';

/** Room for a few maximum-size replies; a batch that outgrows it gets a bigger buffer. */
const OUTPUT_BYTES = 64 * 1024;

export class ReplyWriter {
  private out = Buffer.allocUnsafe(OUTPUT_BYTES);
  private used = 0;
  private batching = false;
  /** Bytes ever encoded: with `unsent`, tells which messages the kernel has taken. */
  private encoded = 0;
  /** Watch events not yet taken by the kernel (payload → where it ends), oldest first. */
  private readonly queuedEvents = new Map<string, number>();
  private overQuota = false;

  /**
   * `fd` < 0: the descriptor is unknown, so everything goes through the stream.
   * `quotaCrossed` is told when watch events start being dropped for want of a reader, and when
   * they stop.
   */
  constructor(private readonly sock: Socket, private readonly fd: number, private readonly quotaCrossed: (over: boolean) => void = () => {}) {}

  /** Bytes handed to the socket that the kernel has not taken yet, plus the open batch. */
  get unsent(): number { return this.sock.writableLength + this.used; }

  /**
   * A watch event, queued as C xenstored's send_event does: not if an identical one is still
   * waiting to be written, and not beyond the memory quota (what is queued for a client that
   * does not read would otherwise grow without bound). C exempts dom0 from that quota; socket
   * clients are dom0 here, and bounding them is what keeps one stuck client from growing the
   * daemon.
   */
  sendEvent(payload: Buffer): void {
    const unsent = this.unsent;
    // Over the quota, an event is dropped whether or not it repeats one still queued.
    const over = unsent + XS_HEADER_LEN + payload.length > quota.memory;
    if (over !== this.overQuota) { this.overQuota = over; this.quotaCrossed(over); }
    if (over) return;
    const taken = this.encoded - unsent;
    for (const [key, end] of this.queuedEvents) { if (end > taken) break; this.queuedEvents.delete(key); }
    const key = payload[0] === 0x40 ? null : payload.toString('latin1'); // '@' events are never merged
    if (key !== null && this.queuedEvents.has(key)) return;
    this.send(XsType.WATCH_EVENT, 0, 0, payload);
    if (key !== null) this.queuedEvents.set(key, this.encoded);
  }

  /** Messages sent while `work` runs leave together when it returns. */
  batch<T>(work: () => T): T {
    this.batching = true;
    try {
      return work();
    } finally {
      this.batching = false;
      this.flush();
    }
  }

  send(type: number, reqId: number, txId: number, payload: Buffer): void {
    const need = XS_HEADER_LEN + payload.length;
    if (this.used + need > this.out.length) {
      this.flush();
      if (this.used + need > this.out.length) {
        const bigger = Buffer.allocUnsafe(Math.max(2 * this.out.length, this.used + need, XS_HEADER_LEN + XS_PAYLOAD_MAX));
        this.out.copy(bigger, 0, 0, this.used);
        this.out = bigger;
      }
    }
    this.used = encodeMessageAt(this.out, this.used, type, reqId, txId, payload);
    this.encoded += need;
    if (!this.batching) this.flush();
  }

  private flush(): void {
    if (this.used === 0) return;
    if (this.sock.destroyed) { this.used = 0; return; }
    // Behind bytes the kernel has not taken, messages wait here, in one buffer rather than as
    // many small stream chunks, and follow when those bytes have left.
    if (this.sock.writableLength > 0) return;
    const bytes = this.out.subarray(0, this.used);
    this.used = 0;
    const sent = writeNow(this.sock, this.fd, bytes);
    if (sent >= 0 && sent < bytes.length) {
      // The stream keeps what it is given until the kernel takes it: hand it a copy, since the
      // output buffer is reused.
      this.sock.write(Buffer.from(bytes.subarray(sent)), () => this.flush());
    }
    // A buffer grown for a client that stopped reading is not kept once it is empty.
    if (this.out.length > OUTPUT_BYTES && this.used === 0) this.out = Buffer.allocUnsafe(OUTPUT_BYTES);
  }
}

/** A non-blocking read(2) of what is already there: 0 if nothing is (or on any error). */
export function readNow(fd: number, buf: Buffer, offset: number, length: number): number {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0; // EAGAIN is the common failure: no stack to build
  try {
    return readSync(fd, buf, offset, length, null);
  } catch {
    return 0;
  } finally {
    Error.stackTraceLimit = limit;
  }
}
