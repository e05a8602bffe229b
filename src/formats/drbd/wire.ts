// The replication link between two hosts' DRBD models (xenlab's own, in the role of DRBD's peer
// connection): frames of a JSON head and a binary body, each as [u32 head length][u32 body
// length][head][body], little-endian.
//
//   primary -> peer: hello {res, size}, sync {res, offset} + bytes, epoch {res, n, writes: [[offset, length], ...]} + the bytes
//   peer -> primary: ready {res} | refused {res, reason}, synced {res}, ack {res, n}

export type DrbdFrame =
  | { t: 'hello'; res: string; size: number }
  | { t: 'ready'; res: string }
  | { t: 'refused'; res: string; reason: string }
  | { t: 'sync'; res: string; offset: number; last: boolean }
  | { t: 'synced'; res: string }
  | { t: 'epoch'; res: string; n: number; writes: [number, number][] }
  | { t: 'ack'; res: string; n: number };

export function encodeFrame(head: DrbdFrame, body: Buffer = Buffer.alloc(0)): Buffer {
  const h = Buffer.from(JSON.stringify(head));
  const pre = Buffer.alloc(8);
  pre.writeUInt32LE(h.length, 0);
  pre.writeUInt32LE(body.length, 4);
  return Buffer.concat([pre, h, body]);
}

/** Bounds on one frame's parts: a peer that announces more is broken, not waited for. */
const MAX_HEAD = 1 << 20, MAX_BODY = 1 << 28;

/** Frames out of a byte stream, as they complete. */
export class FrameReader {
  private buf = Buffer.alloc(0);

  feed(chunk: Buffer): { head: DrbdFrame; body: Buffer }[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
    const out: { head: DrbdFrame; body: Buffer }[] = [];
    while (this.buf.length >= 8) {
      const hl = this.buf.readUInt32LE(0), bl = this.buf.readUInt32LE(4);
      if (hl > MAX_HEAD || bl > MAX_BODY) throw new Error(`frame of ${hl} + ${bl} bytes is over the bound`);
      if (this.buf.length < 8 + hl + bl) break;
      const head = JSON.parse(this.buf.subarray(8, 8 + hl).toString()) as DrbdFrame;
      out.push({ head, body: Buffer.from(this.buf.subarray(8 + hl, 8 + hl + bl)) });
      this.buf = this.buf.subarray(8 + hl + bl);
    }
    return out;
  }
}
