// libvirt's RPC framing (virnetprotocol.x): a 4-byte length counting itself, a 24-byte header
// (program, version, procedure, type, serial, status), then the XDR body. Replies carry the
// call's serial; MESSAGE frames (events, keepalive) and STREAM frames share the same header.
import { XdrError, XdrReader, XdrWriter } from '../xdr.ts';

/** The most a frame may be (VIR_NET_MESSAGE_MAX); longer ones make libvirt drop the connection. */
export const MESSAGE_MAX = 33554432;
export const HEADER_SIZE = 24;
/** virNetMessageString's bound. */
export const STRING_MAX = 4194304;

export const enum MessageType { CALL = 0, REPLY = 1, MESSAGE = 2, STREAM = 3, CALL_WITH_FDS = 4, REPLY_WITH_FDS = 5, STREAM_HOLE = 6 }
export const enum MessageStatus { OK = 0, ERROR = 1, CONTINUE = 2 }

export interface MessageHeader {
  prog: number; vers: number; proc: number; type: MessageType; serial: number; status: MessageStatus;
}

export function encodeFrame(h: MessageHeader, body?: Buffer): Buffer {
  const w = new XdrWriter().uint(0).uint(h.prog).uint(h.vers).int(h.proc).int(h.type).uint(h.serial).int(h.status);
  const head = w.toBuffer();
  const frame = body?.length ? Buffer.concat([head, body]) : head;
  frame.writeUInt32BE(frame.length, 0);
  return frame;
}

export function decodeHeader(frame: Buffer): { header: MessageHeader; body: Buffer } {
  const r = new XdrReader(frame.subarray(4, 4 + HEADER_SIZE));
  const header = { prog: r.uint(), vers: r.uint(), proc: r.int(), type: r.int(), serial: r.uint(), status: r.int() };
  return { header, body: frame.subarray(4 + HEADER_SIZE) };
}

/**
 * Cuts a byte stream into frames. A length below a bare header or above MESSAGE_MAX is a
 * protocol error: the caller drops the connection, as libvirt does, before reading the body.
 */
export class FrameReader {
  private pending: Buffer[] = [];
  private have = 0;

  /** Returns the complete frames, or throws XdrError for an impossible length. */
  push(data: Buffer): Buffer[] {
    this.pending.push(data);
    this.have += data.length;
    const out: Buffer[] = [];
    for (;;) {
      if (this.have < 4) return out;
      const buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.have);
      this.pending = [buf];
      const len = buf.readUInt32BE(0);
      if (len < 4 + HEADER_SIZE) throw new XdrError(`packet ${len} bytes received from client too small, want ${4 + HEADER_SIZE}`);
      if (len > MESSAGE_MAX) throw new XdrError(`packet ${len} bytes received from client too large, want ${MESSAGE_MAX}`);
      if (this.have < len) return out;
      out.push(buf.subarray(0, len));
      const rest = buf.subarray(len);
      this.pending = rest.length ? [rest] : [];
      this.have = rest.length;
    }
  }
}
