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

/** A writer's queue in front of a byte ring: what does not fit yet waits, in order, for room. */
export class ByteRingQueue {
  private readonly out: Buffer[] = [];

  constructor(private readonly page: Buffer, private readonly ring: ByteRing) {}

  /** Buffers not yet wholly in the ring. */
  get waiting(): number { return this.out.length; }

  push(data: Buffer): void { if (data.length) this.out.push(data); }

  /** Moves what fits into the ring: the bytes moved, or -1 when the reader's indexes are corrupt. */
  flush(): number {
    let moved = 0;
    while (this.out.length) {
      const head = this.out[0]!;
      const n = byteRingWrite(this.page, this.ring, head);
      if (n < 0) return -1;
      moved += n;
      if (n < head.length) { this.out[0] = head.subarray(n); break; }
      this.out.shift();
    }
    return moved;
  }

  clear(): void { this.out.length = 0; }
}

/**
 * One end of a page's pair of byte rings (the xenstore page seen from the guest, the console
 * page from either side): writes go out through a queue, the other ring is read when the peer
 * notifies. The peer is notified after bytes are written, and after reading a ring that was
 * full (the one time it may be waiting for room), as Linux's xenbus does. An event that
 * arrives while the bytes read are being handed on is taken by the same loop, in order.
 */
export class ByteRingChannel {
  private readonly out: ByteRingQueue;
  private deliver: (data: Buffer) => void = () => {};
  private busy = false;
  private again = false;
  private closed = false;

  constructor(private readonly page: Buffer, private readonly rings: { out: ByteRing; in: ByteRing }, private readonly notify: () => void) {
    this.out = new ByteRingQueue(page, rings.out);
  }

  write(data: Buffer): void {
    if (this.closed) return;
    this.out.push(data);
    if (this.out.waiting === 1) this.flush();
  }

  onData(cb: (data: Buffer) => void): void { this.deliver = cb; }

  close(): void { this.closed = true; this.out.clear(); }

  /** The peer notified: read what it wrote, then write what waited for room. */
  event(): void {
    if (this.closed) return;
    if (this.busy) { this.again = true; return; }
    this.busy = true;
    try {
      do {
        this.again = false;
        const wasFull = byteRingUsed(this.page, this.rings.in) === this.rings.in.size;
        const data = byteRingRead(this.page, this.rings.in);
        if (data?.length) {
          if (wasFull) this.notify();
          this.deliver(data);
        }
        if (this.out.waiting) this.flush();
      } while (this.again && !this.closed);
    } finally {
      this.busy = false;
    }
  }

  private flush(): void { if (this.out.flush() > 0) this.notify(); }
}
