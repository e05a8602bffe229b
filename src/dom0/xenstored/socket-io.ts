// Socket I/O for xenstored's Unix socket clients, cut to what a sequential request/reply
// client needs. A libxenstore client waits for every reply, so each microsecond between
// reading a request and writing its reply is paid per request: replies are encoded into one
// reused buffer and leave with a single write(2), bypassing Node's stream machinery whenever
// nothing is already queued on the socket.

import { readSync } from 'node:fs';
import type { Socket } from 'node:net';
import { XS_HEADER_LEN, XS_PAYLOAD_MAX, encodeMessageAt } from '../../formats/xenstore-wire.ts';
import { writeNow } from '../socket-write.ts';

/** Room for a few maximum-size replies; a batch that outgrows it gets a bigger buffer. */
const OUTPUT_BYTES = 64 * 1024;

export class ReplyWriter {
  private out = Buffer.allocUnsafe(OUTPUT_BYTES);
  private used = 0;
  private batching = false;

  /** `fd` < 0: the descriptor is unknown, so everything goes through the stream. */
  constructor(private readonly sock: Socket, private readonly fd: number) {}

  /** Bytes handed to the socket that the kernel has not taken yet, plus the open batch. */
  get unsent(): number { return this.sock.writableLength + this.used; }

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
      if (this.used > 0) this.flush();
      if (need > this.out.length) this.out = Buffer.allocUnsafe(Math.max(need, XS_HEADER_LEN + XS_PAYLOAD_MAX));
    }
    this.used = encodeMessageAt(this.out, this.used, type, reqId, txId, payload);
    if (!this.batching) this.flush();
  }

  private flush(): void {
    if (this.used === 0) return;
    const bytes = this.out.subarray(0, this.used);
    this.used = 0;
    if (this.sock.destroyed) return;
    const sent = writeNow(this.sock, this.fd, bytes);
    if (sent < 0 || sent === bytes.length) return;
    // The stream keeps what it is given until the kernel takes it: hand it a copy, since the
    // output buffer is reused.
    this.sock.write(Buffer.from(bytes.subarray(sent)));
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
