// The byte rings of io/xs_wire.h and io/console.h: a power-of-two array of bytes in the shared
// page with a free-running consumer and producer index (MASK_XENSTORE_IDX / MASK_XENCONS_IDX).
// The writer copies what fits and then moves the producer; the reader copies what is there and
// then moves the consumer. Indexes the other end left more than a ring apart are refused.

/** Where one direction lives in the page: its bytes, their count, and its two index words. */
export interface ByteRing { data: number; size: number; cons: number; prod: number }

/** Bytes waiting in the ring, or -1 when its indexes are further apart than the ring. */
export function byteRingUsed(page: Buffer, r: ByteRing): number {
  const used = (page.readUInt32LE(r.prod) - page.readUInt32LE(r.cons)) >>> 0;
  return used > r.size ? -1 : used;
}

/** The writer's end: copies as much of `src` as fits and publishes it; the bytes taken, or -1 on bad indexes. */
export function byteRingWrite(page: Buffer, r: ByteRing, src: Buffer): number {
  const used = byteRingUsed(page, r);
  if (used < 0) return -1;
  const n = Math.min(src.length, r.size - used);
  let prod = page.readUInt32LE(r.prod);
  for (let done = 0; done < n;) {
    const at = prod & (r.size - 1);
    const chunk = Math.min(n - done, r.size - at);
    src.copy(page, r.data + at, done, done + chunk);
    done += chunk;
    prod = (prod + chunk) >>> 0;
  }
  page.writeUInt32LE(prod, r.prod);
  return n;
}

/** The reader's end: takes up to `max` waiting bytes (all by default); null on bad indexes. */
export function byteRingRead(page: Buffer, r: ByteRing, max = r.size): Buffer | null {
  const used = byteRingUsed(page, r);
  if (used < 0) return null;
  const n = Math.min(used, max);
  const out = Buffer.allocUnsafe(n);
  let cons = page.readUInt32LE(r.cons);
  for (let done = 0; done < n;) {
    const at = cons & (r.size - 1);
    const chunk = Math.min(n - done, r.size - at);
    page.copy(out, done, r.data + at, r.data + at + chunk);
    done += chunk;
    cons = (cons + chunk) >>> 0;
  }
  page.writeUInt32LE(cons, r.cons);
  return out;
}
