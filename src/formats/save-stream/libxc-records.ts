// Bodies of the libxc v3 stream: image and domain headers and the per-record layouts
// (xg_sr_stream_format.h). Encoders build bodies; decoders check what libxc's restore checks.
import {
  LIBXC_IDENT, LIBXC_MARKER, LIBXC_VERSION, MAX_BATCH_SIZE, PAGE_SHIFT, PAGE_SIZE,
  pageTypeHasData, pageTypeValid,
} from './constants.ts';

export class StreamError extends Error {}

/** The host stores words little-endian, as the stream does: its words can be read through a Uint32Array. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export const IMAGE_HEADER_SIZE = 24;
export const DOMAIN_HEADER_SIZE = 16;

export function encodeImageHeader(): Buffer {
  const b = Buffer.alloc(IMAGE_HEADER_SIZE);
  b.writeBigUInt64BE(LIBXC_MARKER, 0);
  b.writeUInt32BE(LIBXC_IDENT, 8);
  b.writeUInt32BE(LIBXC_VERSION, 12);
  // options: bit 0 clear = little endian; reserved fields zero.
  return b;
}

export interface ImageHeader { version: number }

export function decodeImageHeader(b: Buffer): ImageHeader {
  const marker = b.readBigUInt64BE(0);
  const id = b.readUInt32BE(8);
  const version = b.readUInt32BE(12);
  const options = b.readUInt16BE(16);
  if (marker !== LIBXC_MARKER) throw new StreamError(`Bad image marker: Expected 0x${LIBXC_MARKER.toString(16)}, got 0x${marker.toString(16)}`);
  if (id !== LIBXC_IDENT) throw new StreamError(`Bad image id: Expected 0x${LIBXC_IDENT.toString(16)}, got 0x${id.toString(16)}`);
  if (version < 2 || version > 3) throw new StreamError(`Unknown image version: Expected 2 <= ver <= 3, got ${version}`);
  if (options & 0xfffe) throw new StreamError(`Reserved bits set in image options field: 0x${(options & 0xfffe).toString(16)}`);
  if (b.readUInt16BE(18) !== 0 || b.readUInt32BE(20) !== 0) throw new StreamError('Reserved bits set in image header');
  if (options & 1) throw new StreamError('Stream is not native endianess - unable to validate');
  return { version };
}

export interface DomainHeader { type: number; pageShift: number; xenMajor: number; xenMinor: number }

export function encodeDomainHeader(h: DomainHeader): Buffer {
  const b = Buffer.alloc(DOMAIN_HEADER_SIZE);
  b.writeUInt32LE(h.type, 0);
  b.writeUInt16LE(h.pageShift, 4);
  b.writeUInt32LE(h.xenMajor, 8);
  b.writeUInt32LE(h.xenMinor, 12);
  return b;
}

export function decodeDomainHeader(b: Buffer): DomainHeader {
  const h = { type: b.readUInt32LE(0), pageShift: b.readUInt16LE(4), xenMajor: b.readUInt32LE(8), xenMinor: b.readUInt32LE(12) };
  if (h.type !== 1 && h.type !== 2) throw new StreamError(`Unrecognised domain type 0x${h.type.toString(16)}`);
  if (b.readUInt16LE(6) !== 0) throw new StreamError('Reserved bits set in domain header');
  if (h.pageShift !== PAGE_SHIFT) throw new StreamError(`Page shift expected to be 12.  Got ${h.pageShift}`);
  return h;
}

// ---- PAGE_DATA ----------------------------------------------------------------------------

/**
 * The fixed part of a PAGE_DATA record body: count, reserved, then one u64 per pfn with the
 * page type in bits 63-60. The page bytes (for typed pages that carry data) follow it.
 */
export function encodePageDataHead(pfns: ArrayLike<number>, types: ArrayLike<number>): { head: Buffer; dataPages: number } {
  const n = pfns.length;
  if (n === 0 || n > MAX_BATCH_SIZE) throw new RangeError(`PAGE_DATA needs 1..${MAX_BATCH_SIZE} pfns, got ${n}`);
  const head = Buffer.allocUnsafe(8 + 8 * n);
  head.writeUInt32LE(n, 0);
  head.writeUInt32LE(0, 4);
  let dataPages = 0;
  for (let i = 0; i < n; i++) {
    const t = types[i];
    if (!pageTypeValid(t)) throw new RangeError(`invalid page type 0x${t.toString(16)} for pfn 0x${pfns[i].toString(16)}`);
    const pfn = pfns[i];
    // u64 = type<<60 | pfn, written as two u32 halves (pfns stay below 2^52).
    head.writeUInt32LE(pfn >>> 0, 8 + 8 * i);
    head.writeUInt32LE(((t << 28) | Math.floor(pfn / 0x100000000)) >>> 0, 12 + 8 * i);
    if (pageTypeHasData(t)) dataPages++;
  }
  return { head, dataPages };
}

export interface PageData {
  /** Entry pfns and page types (a fragment's are views of its record's). */
  pfns: Float64Array;
  types: Uint8Array;
  /** Page bytes, back to back, for the entries whose type carries data, in pfn-list order. */
  data: Buffer;
  /**
   * For entry i, the index in the record of its page, or -1 when it carries none; the page is
   * at `dataIndex[i] - dataBase` in `data` (a fragment's data starts mid-record).
   */
  dataIndex: Int32Array;
  dataBase: number;
}

export interface PageDataHead {
  pfns: Float64Array;
  types: Uint8Array;
  dataIndex: Int32Array;
  /** Entries whose type carries 4096 bytes of data. */
  dataPages: number;
  /** Bytes of the count, reserved word and pfn list. */
  headLength: number;
}

/** The count word, reserved word and pfn list; `b` must hold at least 8 + 8 * count bytes. */
export function decodePageDataHead(b: Buffer): PageDataHead {
  if (b.length < 8) throw new StreamError(`PAGE_DATA record must be at least 8 bytes long`);
  const count = b.readUInt32LE(0);
  if (b.readUInt32LE(4) !== 0) throw new StreamError('Reserved bits set in PAGE_DATA record');
  if (count === 0) throw new StreamError('PAGE_DATA record with zero pfns');
  if (b.length < 8 + 8 * count) throw new StreamError('PAGE_DATA record must contain a pfn record for each count');
  const pfns = new Float64Array(count);
  const types = new Uint8Array(count);
  const dataIndex = new Int32Array(count);
  // Native word reads when the list is aligned (it is, in a buffer of its own or a whole record).
  const w = LITTLE_ENDIAN && b.byteOffset % 4 === 0 ? new Uint32Array(b.buffer, b.byteOffset + 8, 2 * count) : null;
  let dataPages = 0;
  for (let i = 0; i < count; i++) {
    const lo = w ? w[2 * i] : b.readUInt32LE(8 + 8 * i);
    const hi = w ? w[2 * i + 1] : b.readUInt32LE(12 + 8 * i);
    const t = hi >>> 28;
    if (hi & 0x0ff00000) {
      const raw = (BigInt(hi) << 32n) | BigInt(lo);
      throw new StreamError(`Reserved bits set in pfn[${i}]: 0x${raw.toString(16).padStart(16, '0')}`);
    }
    if (!pageTypeValid(t)) throw new StreamError(`Invalid type value in pfn[${i}]: 0x${t.toString(16)}`);
    pfns[i] = (hi & 0xfffff) * 0x100000000 + lo;
    types[i] = t;
    dataIndex[i] = pageTypeHasData(t) ? dataPages++ : -1;
  }
  return { pfns, types, dataIndex, dataPages, headLength: 8 + 8 * count };
}

/** The whole-record length a PAGE_DATA head implies; anything else is refused. */
export function checkPageDataLength(head: PageDataHead, bodyLength: number): void {
  const want = head.headLength + PAGE_SIZE * head.dataPages;
  if (bodyLength !== want) {
    throw new StreamError(`Expected 8 + ${head.headLength - 8} + ${PAGE_SIZE * head.dataPages}, got ${bodyLength}`);
  }
}

export function decodePageData(body: Buffer): PageData {
  const head = decodePageDataHead(body);
  checkPageDataLength(head, body.length);
  return { pfns: head.pfns, types: head.types, data: body.subarray(head.headLength), dataIndex: head.dataIndex, dataBase: 0 };
}

// ---- small fixed records ------------------------------------------------------------------

export function encodeX86PvInfo(guestWidth: 4 | 8, ptLevels: 3 | 4): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt8(guestWidth, 0);
  b.writeUInt8(ptLevels, 1);
  return b;
}

/** p2m frame list: the pfns of the frames that hold the guest's p2m, covering [start, end]. */
export function encodeX86PvP2mFrames(startPfn: number, endPfn: number, framePfns: ArrayLike<number>): Buffer {
  const b = Buffer.alloc(8 + 8 * framePfns.length);
  b.writeUInt32LE(startPfn, 0);
  b.writeUInt32LE(endPfn, 4);
  for (let i = 0; i < framePfns.length; i++) b.writeBigUInt64LE(BigInt(framePfns[i]), 8 + 8 * i);
  return b;
}

export function encodeVcpuRecord(vcpuId: number, blob: Buffer): Buffer {
  const b = Buffer.alloc(8 + blob.length);
  b.writeUInt32LE(vcpuId, 0);
  blob.copy(b, 8);
  return b;
}

export interface TscInfo { mode: number; khz: number; nsec: bigint; incarnation: number }

export function encodeTscInfo(t: TscInfo): Buffer {
  const b = Buffer.alloc(24);
  b.writeUInt32LE(t.mode, 0);
  b.writeUInt32LE(t.khz, 4);
  b.writeBigUInt64LE(t.nsec, 8);
  b.writeUInt32LE(t.incarnation, 16);
  return b;
}

export function decodeTscInfo(b: Buffer): TscInfo {
  if (b.length !== 24) throw new StreamError('X86_TSC_INFO record has wrong length');
  return { mode: b.readUInt32LE(0), khz: b.readUInt32LE(4), nsec: b.readBigUInt64LE(8), incarnation: b.readUInt32LE(16) };
}

export function encodeHvmParams(params: ReadonlyArray<readonly [number, bigint]>): Buffer {
  const b = Buffer.alloc(8 + 16 * params.length);
  b.writeUInt32LE(params.length, 0);
  params.forEach(([index, value], i) => {
    b.writeBigUInt64LE(BigInt(index), 8 + 16 * i);
    b.writeBigUInt64LE(value, 16 + 16 * i);
  });
  return b;
}

export function decodeHvmParams(b: Buffer): Array<[number, bigint]> {
  const count = b.length >= 8 ? b.readUInt32LE(0) : -1;
  if (count < 0 || b.length !== 8 + 16 * count) throw new StreamError('HVM_PARAMS record has wrong length');
  const out: Array<[number, bigint]> = [];
  for (let i = 0; i < count; i++) out.push([Number(b.readBigUInt64LE(8 + 16 * i)), b.readBigUInt64LE(16 + 16 * i)]);
  return out;
}

export interface CpuidLeaf { leaf: number; subleaf: number; a: number; b: number; c: number; d: number }

export function encodeCpuidPolicy(leaves: readonly CpuidLeaf[]): Buffer {
  const b = Buffer.alloc(24 * leaves.length);
  leaves.forEach((l, i) => {
    [l.leaf, l.subleaf, l.a, l.b, l.c, l.d].forEach((v, j) => b.writeUInt32LE(v >>> 0, 24 * i + 4 * j));
  });
  return b;
}

export interface MsrEntry { idx: number; flags: number; val: bigint }

export function encodeMsrPolicy(msrs: readonly MsrEntry[]): Buffer {
  const b = Buffer.alloc(16 * msrs.length);
  msrs.forEach((m, i) => {
    b.writeUInt32LE(m.idx >>> 0, 16 * i);
    b.writeUInt32LE(m.flags >>> 0, 16 * i + 4);
    b.writeBigUInt64LE(m.val, 16 * i + 8);
  });
  return b;
}
