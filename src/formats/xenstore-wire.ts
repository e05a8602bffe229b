// The xenstore wire protocol (xs_wire.h, Xen 4.17): a 16-byte header of four little-endian u32
// (type, req_id, tx_id, len) followed by `len` payload bytes. Pure codec: no store, no I/O.

export const XS_HEADER_LEN = 16;
/** XENSTORE_PAYLOAD_MAX: longest payload either side may send. */
export const XS_PAYLOAD_MAX = 4096;
export const XS_ABS_PATH_MAX = 3072;
export const XS_REL_PATH_MAX = 2048;

export const XsType = {
  CONTROL: 0,
  DIRECTORY: 1,
  READ: 2,
  GET_PERMS: 3,
  WATCH: 4,
  UNWATCH: 5,
  TRANSACTION_START: 6,
  TRANSACTION_END: 7,
  INTRODUCE: 8,
  RELEASE: 9,
  GET_DOMAIN_PATH: 10,
  WRITE: 11,
  MKDIR: 12,
  RM: 13,
  SET_PERMS: 14,
  WATCH_EVENT: 15,
  ERROR: 16,
  IS_DOMAIN_INTRODUCED: 17,
  RESUME: 18,
  SET_TARGET: 19,
  RESTRICT: 20,
  RESET_WATCHES: 21,
  DIRECTORY_PART: 22,
  INVALID: 0xffff,
} as const;
export type XsTypeName = keyof typeof XsType;
/** XS_TYPE_COUNT in 4.17: types at or above it are unknown (ENOSYS). */
export const XS_TYPE_COUNT = 23;

const typeNames: string[] = [];
for (const [name, n] of Object.entries(XsType)) if (n < XS_TYPE_COUNT) typeNames[n] = name;
export function xsTypeName(type: number): string {
  return typeNames[type] ?? (type === XsType.INVALID ? 'INVALID' : `UNKNOWN(${type})`);
}

/** xsd_errors[] in its fixed order: wire name and Linux errno. EQUOTA is oxenstored's only. */
export const XS_ERRORS: ReadonlyArray<readonly [string, number]> = [
  ['EINVAL', 22], ['EACCES', 13], ['EEXIST', 17], ['EISDIR', 21], ['ENOENT', 2],
  ['ENOMEM', 12], ['ENOSPC', 28], ['EIO', 5], ['ENOTEMPTY', 39], ['ENOSYS', 38],
  ['EROFS', 30], ['EBUSY', 16], ['EAGAIN', 11], ['EISCONN', 106], ['E2BIG', 7], ['EPERM', 1],
];
const errnoByName = new Map(XS_ERRORS.map(([n, e]) => [n, e]));
export function xsErrno(name: string): number | undefined { return errnoByName.get(name); }
export function isXsErrorName(name: string): boolean { return errnoByName.has(name); }

export interface XsMessage {
  type: number;
  reqId: number;
  txId: number;
  payload: Buffer;
}

export function encodeHeader(type: number, reqId: number, txId: number, len: number): Buffer {
  const h = Buffer.allocUnsafe(XS_HEADER_LEN);
  putU32(h, 0, type);
  putU32(h, 4, reqId);
  putU32(h, 8, txId);
  putU32(h, 12, len);
  return h;
}

// Header words by hand: Buffer's checked accessors cost more than the rest of a small reply.
function putU32(b: Buffer, off: number, v: number): void {
  b[off] = v; b[off + 1] = v >>> 8; b[off + 2] = v >>> 16; b[off + 3] = v >>> 24;
}
function getU32(b: Buffer, off: number): number {
  return (b[off] | b[off + 1] << 8 | b[off + 2] << 16 | b[off + 3] << 24) >>> 0;
}

/** Writes one message at `off` in `out` (which must have room); returns the offset after it. */
export function encodeMessageAt(out: Buffer, off: number, type: number, reqId: number, txId: number, payload: Buffer): number {
  putU32(out, off, type);
  putU32(out, off + 4, reqId);
  putU32(out, off + 8, txId);
  putU32(out, off + 12, payload.length);
  out.set(payload, off + XS_HEADER_LEN);
  return off + XS_HEADER_LEN + payload.length;
}

export function encodeMessage(m: XsMessage): Buffer {
  const out = Buffer.allocUnsafe(XS_HEADER_LEN + m.payload.length);
  encodeMessageAt(out, 0, m.type, m.reqId, m.txId, m.payload);
  return out;
}

/** Decodes exactly one complete message at the start of `buf`, or null if incomplete. */
export function decodeMessage(buf: Buffer): XsMessage | null {
  if (buf.length < XS_HEADER_LEN) return null;
  const len = buf.readUInt32LE(12);
  if (buf.length < XS_HEADER_LEN + len) return null;
  return {
    type: buf.readUInt32LE(0), reqId: buf.readUInt32LE(4), txId: buf.readUInt32LE(8),
    payload: buf.subarray(XS_HEADER_LEN, XS_HEADER_LEN + len),
  };
}

/**
 * Payload of NUL-terminated strings: `a\0b\0`. The server uses latin1 (bytes in, same bytes
 * out); clients use utf8 for what users type.
 */
export function packStrings(parts: (string | Buffer)[], enc: BufferEncoding = 'latin1'): Buffer {
  // Strings only (directory listings, the common case): one join, one buffer.
  if (parts.every(p => typeof p === 'string')) return parts.length ? Buffer.from(`${parts.join('\0')}\0`, enc) : Buffer.alloc(0);
  const bufs: Buffer[] = [];
  for (const p of parts) { bufs.push(typeof p === 'string' ? Buffer.from(p, enc) : p, NUL); }
  return Buffer.concat(bufs);
}
const NUL = Buffer.from([0]);

/**
 * Splits a payload at NULs. A trailing NUL ends the last string; bytes after the last NUL
 * become a final unterminated string (WRITE's value, for instance).
 */
export function splitStrings(payload: Buffer, enc: BufferEncoding = 'latin1'): { strings: string[]; terminated: boolean } {
  const strings: string[] = [];
  let start = 0;
  for (;;) {
    const i = payload.indexOf(0, start);
    if (i < 0) break;
    strings.push(payload.toString(enc, start, i));
    start = i + 1;
  }
  const terminated = start === payload.length;
  if (!terminated) strings.push(payload.toString(enc, start));
  return { strings, terminated };
}

/** Count of NUL bytes (xenstored's `get_strings` argument count). */
export function countNuls(payload: Buffer): number {
  let n = 0, i = -1;
  while ((i = payload.indexOf(0, i + 1)) >= 0) n++;
  return n;
}

export type FrameEvent =
  | { kind: 'message'; message: XsMessage }
  | { kind: 'oversize'; type: number; len: number };

/**
 * Reassembles messages from a byte stream. A header announcing more than `maxPayload` bytes is
 * reported once as 'oversize' and the splitter stops (the peer must be dropped: the stream
 * cannot be resynchronised). Buffered input never exceeds one maximum-size message.
 */
export class FrameSplitter {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private dead = false;

  constructor(private readonly maxPayload = XS_PAYLOAD_MAX) {}

  get pending(): number { return this.buffered; }
  get broken(): boolean { return this.dead; }

  push(data: Buffer): FrameEvent[] {
    const out: FrameEvent[] = [];
    if (this.dead) return out;
    let buf: Buffer;
    if (this.buffered === 0) buf = data;
    else { this.chunks.push(data); buf = Buffer.concat(this.chunks, this.buffered + data.length); }
    this.chunks = [];
    let off = 0;
    while (buf.length - off >= XS_HEADER_LEN) {
      const len = getU32(buf, off + 12);
      if (len > this.maxPayload) {
        out.push({ kind: 'oversize', type: getU32(buf, off), len });
        this.dead = true;
        this.buffered = 0;
        return out;
      }
      const end = off + XS_HEADER_LEN + len;
      if (end > buf.length) break;
      out.push({
        kind: 'message',
        message: {
          type: getU32(buf, off), reqId: getU32(buf, off + 4), txId: getU32(buf, off + 8),
          payload: buf.subarray(off + XS_HEADER_LEN, end),
        },
      });
      off = end;
    }
    const rest = buf.length - off;
    // Copy the partial tail so the (possibly large) input chunk can be freed.
    if (rest > 0) this.chunks.push(Buffer.from(buf.subarray(off)));
    this.buffered = rest;
    return out;
  }
}
