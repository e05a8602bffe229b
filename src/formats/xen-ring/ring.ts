// io/ring.h: the shared ring a frontend and a backend keep in one granted page. The page opens
// with the sring header (the two producer indexes and the two event thresholds, then padding to
// 64 bytes); the slots follow, as many as the largest power of two that fits in the rest of
// the page. Indexes run freely (they wrap at 2^32); a slot is its index modulo the ring size.

export const XEN_PAGE_SIZE = 4096;

/** Byte offsets in the sring header (struct <name>_sring). */
export const SRING = { req_prod: 0, req_event: 4, rsp_prod: 8, rsp_event: 12, pvt: 16, __pad: 20, ring: 64 } as const;

/** __RING_SIZE: slots of `entryBytes` (the request/response union) in a page after the header. */
export function ringSize(entryBytes: number, pageBytes = XEN_PAGE_SIZE): number {
  const fit = Math.floor((pageBytes - SRING.ring) / entryBytes);
  return fit === 0 ? 0 : 2 ** Math.floor(Math.log2(fit));
}

/** Where slot `idx` starts in the page. */
export function slotOffset(idx: number, size: number, entryBytes: number): number {
  return SRING.ring + ((idx & (size - 1)) >>> 0) * entryBytes;
}

export interface SringHeader { reqProd: number; reqEvent: number; rspProd: number; rspEvent: number }

export function readSring(page: Buffer): SringHeader {
  return { reqProd: page.readUInt32LE(SRING.req_prod), reqEvent: page.readUInt32LE(SRING.req_event), rspProd: page.readUInt32LE(SRING.rsp_prod), rspEvent: page.readUInt32LE(SRING.rsp_event) };
}

/** SHARED_RING_INIT: no requests or responses yet, and the first of each is to be notified. */
export function initSring(page: Buffer): void {
  page.fill(0, 0, SRING.ring);
  page.writeUInt32LE(1, SRING.req_event);
  page.writeUInt32LE(1, SRING.rsp_event);
}

/**
 * The test of RING_PUSH_{REQUESTS,RESPONSES}_AND_CHECK_NOTIFY: moving the producer from `oldProd`
 * to `newProd` needs an event only when it passed the consumer's threshold `event`.
 */
export function mustNotify(oldProd: number, newProd: number, event: number): boolean {
  return ((newProd - event) >>> 0) < ((newProd - oldProd) >>> 0);
}
