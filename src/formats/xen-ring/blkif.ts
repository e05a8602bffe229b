// io/blkif.h: blkfront's ring. A request names its operation, the disk's start sector and its
// data pages as segments (a grant, and the first and last 512-byte sector used in that page).
// Up to 11 segments fit in the request; a longer one is BLKIF_OP_INDIRECT, whose segments sit in
// granted indirect pages the request names. The response echoes the id with a status.
import { ringSize, XEN_PAGE_SIZE } from './ring.ts';

export const BLKIF_OP_READ = 0, BLKIF_OP_WRITE = 1, BLKIF_OP_INDIRECT = 6;
export const BLKIF_MAX_SEGMENTS_PER_REQUEST = 11;
export const BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST = 8;
export const BLKIF_RSP_EOPNOTSUPP = -2, BLKIF_RSP_ERROR = -1, BLKIF_RSP_OKAY = 0;
/** The backend's `info` flags (vdisk_info). */
export const VDISK_READONLY = 0x4;
/** 512-byte sectors in one 4 KiB segment. */
export const SECTORS_PER_SEGMENT = 8;

export const BLKIF_REQUEST_SEGMENT = { gref: 0, first_sect: 4, last_sect: 5, sizeof: 8 } as const;
export const BLKIF_REQUEST = { operation: 0, nr_segments: 1, handle: 2, id: 8, sector_number: 16, seg: 24, sizeof: 112 } as const;
export const BLKIF_REQUEST_INDIRECT = { operation: 0, indirect_op: 1, nr_segments: 2, id: 8, sector_number: 16, handle: 24, indirect_grefs: 28, sizeof: 64 } as const;
export const BLKIF_RESPONSE = { id: 0, operation: 8, status: 10, sizeof: 16 } as const;
export const BLKIF_ENTRY = Math.max(BLKIF_REQUEST.sizeof, BLKIF_REQUEST_INDIRECT.sizeof, BLKIF_RESPONSE.sizeof);
export const BLK_RING_SIZE = ringSize(BLKIF_ENTRY);
/** Segment descriptors in one indirect page. */
export const SEGS_PER_INDIRECT_FRAME = XEN_PAGE_SIZE / BLKIF_REQUEST_SEGMENT.sizeof;

export interface BlkifSegment { gref: number; firstSect: number; lastSect: number }
/** A read or write; `operation` is the real one (READ/WRITE) even when it travels indirect. */
export interface BlkifRequest { operation: number; handle: number; id: number; sectorNumber: number; segments: BlkifSegment[] }
export interface BlkifResponse { id: number; operation: number; status: number }

/** A uint64_t field holding a JavaScript integer (ids and sectors stay below 2^53). */
function writeU64(b: Buffer, at: number, v: number): void {
  b.writeUInt32LE(v >>> 0, at);
  b.writeUInt32LE(Math.floor(v / 0x100000000) >>> 0, at + 4);
}
function readU64(b: Buffer, at: number): number { return b.readUInt32LE(at + 4) * 0x100000000 + b.readUInt32LE(at); }

export function writeSegment(b: Buffer, at: number, s: BlkifSegment): void {
  b.writeUInt32LE(s.gref >>> 0, at + BLKIF_REQUEST_SEGMENT.gref);
  b.writeUInt8(s.firstSect, at + BLKIF_REQUEST_SEGMENT.first_sect);
  b.writeUInt8(s.lastSect, at + BLKIF_REQUEST_SEGMENT.last_sect);
}
export function readSegment(b: Buffer, at: number): BlkifSegment {
  return { gref: b.readUInt32LE(at + BLKIF_REQUEST_SEGMENT.gref), firstSect: b.readUInt8(at + BLKIF_REQUEST_SEGMENT.first_sect), lastSect: b.readUInt8(at + BLKIF_REQUEST_SEGMENT.last_sect) };
}

/** A request of at most 11 segments, in the slot at `at`. */
export function writeRequest(b: Buffer, at: number, r: BlkifRequest): void {
  b.writeUInt8(r.operation, at + BLKIF_REQUEST.operation);
  b.writeUInt8(r.segments.length, at + BLKIF_REQUEST.nr_segments);
  b.writeUInt16LE(r.handle, at + BLKIF_REQUEST.handle);
  writeU64(b, at + BLKIF_REQUEST.id, r.id);
  writeU64(b, at + BLKIF_REQUEST.sector_number, r.sectorNumber);
  r.segments.forEach((s, i) => writeSegment(b, at + BLKIF_REQUEST.seg + i * BLKIF_REQUEST_SEGMENT.sizeof, s));
}

/** An indirect request in the slot at `at`: its segments go to `indirect` (the indirect pages, one here), named by `grefs`. */
export function writeIndirectRequest(b: Buffer, at: number, r: BlkifRequest, grefs: number[], indirect: Buffer): void {
  b.writeUInt8(BLKIF_OP_INDIRECT, at + BLKIF_REQUEST_INDIRECT.operation);
  b.writeUInt8(r.operation, at + BLKIF_REQUEST_INDIRECT.indirect_op);
  b.writeUInt16LE(r.segments.length, at + BLKIF_REQUEST_INDIRECT.nr_segments);
  writeU64(b, at + BLKIF_REQUEST_INDIRECT.id, r.id);
  writeU64(b, at + BLKIF_REQUEST_INDIRECT.sector_number, r.sectorNumber);
  b.writeUInt16LE(r.handle, at + BLKIF_REQUEST_INDIRECT.handle);
  grefs.forEach((g, i) => b.writeUInt32LE(g >>> 0, at + BLKIF_REQUEST_INDIRECT.indirect_grefs + 4 * i));
  r.segments.forEach((s, i) => writeSegment(indirect, i * BLKIF_REQUEST_SEGMENT.sizeof, s));
}

/**
 * The request in the slot at `at`; an indirect one's segments are read from the page that
 * `indirectPage` gives for its first indirect gref (null when that gref is not one the reader can map).
 */
export function readRequest(b: Buffer, at: number, indirectPage: (gref: number) => Buffer | null): BlkifRequest | null {
  const op = b.readUInt8(at + BLKIF_REQUEST.operation);
  const id = readU64(b, at + BLKIF_REQUEST.id);
  const sectorNumber = readU64(b, at + BLKIF_REQUEST.sector_number);
  if (op !== BLKIF_OP_INDIRECT) {
    const n = Math.min(b.readUInt8(at + BLKIF_REQUEST.nr_segments), BLKIF_MAX_SEGMENTS_PER_REQUEST);
    return { operation: op, handle: b.readUInt16LE(at + BLKIF_REQUEST.handle), id, sectorNumber, segments: readSegments(b, at + BLKIF_REQUEST.seg, n) };
  }
  const n = b.readUInt16LE(at + BLKIF_REQUEST_INDIRECT.nr_segments);
  const page = n <= SEGS_PER_INDIRECT_FRAME ? indirectPage(b.readUInt32LE(at + BLKIF_REQUEST_INDIRECT.indirect_grefs)) : null;
  if (!page) return null;
  return { operation: b.readUInt8(at + BLKIF_REQUEST_INDIRECT.indirect_op), handle: b.readUInt16LE(at + BLKIF_REQUEST_INDIRECT.handle), id, sectorNumber, segments: readSegments(page, 0, n) };
}

/** `n` segments in a row from `at` (a plain loop: Array.from over an array-like costs several times more, per request of every busy vbd). */
function readSegments(b: Buffer, at: number, n: number): BlkifSegment[] {
  const segments: BlkifSegment[] = new Array(n);
  for (let i = 0; i < n; i++) segments[i] = readSegment(b, at + i * BLKIF_REQUEST_SEGMENT.sizeof);
  return segments;
}

export function writeResponse(b: Buffer, at: number, r: BlkifResponse): void {
  writeU64(b, at + BLKIF_RESPONSE.id, r.id);
  b.writeUInt8(r.operation, at + BLKIF_RESPONSE.operation);
  b.writeInt16LE(r.status, at + BLKIF_RESPONSE.status);
}
export function readResponse(b: Buffer, at: number): BlkifResponse {
  return { id: readU64(b, at + BLKIF_RESPONSE.id), operation: b.readUInt8(at + BLKIF_RESPONSE.operation), status: b.readInt16LE(at + BLKIF_RESPONSE.status) };
}

/** Sectors a request moves: each segment from its first to its last sector. */
export function requestSectors(r: BlkifRequest): number {
  let n = 0;
  for (const s of r.segments) n += s.lastSect - s.firstSect + 1;
  return n;
}
