// The shared rings of a PV network or block device. Each ring is a page of the frontend's
// memory laid out as Xen's io/ring.h says (netif.h, blkif.h for the slots): the frontend writes
// requests into slots and publishes req_prod, the backend consumes them, writes responses into
// the same slots and publishes rsp_prod. Each end keeps its own private indexes, as the
// front_ring and back_ring of the real drivers do. An end notifies the other only when its
// producer passes the threshold the other left in req_event / rsp_event when it ran out of
// work, so a busy ring carries many requests per notification. When the ring is full the
// frontend must wait, which is how a slow or rate-limited backend throttles a guest.
// A guest whose memory is not modelled (Dom0) gets its rings in pages of their own.
import type { Domain } from './domain.ts';
import type { GuestMemory } from './guest-memory.ts';
import {
  BLKIF_MAX_SEGMENTS_PER_REQUEST, BLKIF_OP_READ, BLKIF_OP_WRITE, BLKIF_RSP_ERROR, BLKIF_RSP_OKAY, BLKIF_ENTRY, BLK_RING_SIZE,
  NETIF_RSP_OKAY, NETIF_RX_ENTRY, NETIF_TX_ENTRY, NETRXF_data_validated, NETTXF_csum_blank, NETTXF_data_validated,
  NET_RX_RING_SIZE, NET_TX_RING_SIZE, SECTORS_PER_SEGMENT, SRING, XEN_PAGE_SIZE,
  NETIF_RX_REQUEST, NETIF_RX_RESPONSE, NETIF_TX_REQUEST, NETIF_TX_RESPONSE,
  initSring, mustNotify, readRequest, readResponse, requestSectors, slotOffset,
  writeIndirectRequest, writeRequest, writeResponse, writeTxRequest,
  type BlkifSegment,
} from '../formats/xen-ring/index.ts';

export { BLKIF_RSP_OKAY, BLKIF_RSP_ERROR };

/**
 * A packet to send (tx) or a buffer posted for one (rx). `gref` is the grant of its data page:
 * the ring's own when the frontend puts it on, as read back from the slot when the backend takes
 * it; `status`, when the backend sets it before taking, is the response's (an error).
 */
export interface NetRequest { bytes: number; packets: number; gref?: number; status?: number }
/** A disk request; `grefs` are its segments' grants and `indirect` its indirect pages', as the backend reads them. */
export interface BlkRequest { id: number; write: boolean; sector: number; sectors: number; grefs?: number[]; indirect?: number[] }
/** blkback's answer to the request `id`. */
export interface BlkResponse { id: number; status: typeof BLKIF_RSP_OKAY | typeof BLKIF_RSP_ERROR }

/** Ethernet frames a packet of `bytes` leaves the bridge as. */
const MTU = 1500;
const packetsOf = (bytes: number): number => Math.max(1, Math.ceil(bytes / MTU));

/** A page holding a ring's bytes: in the frontend's memory (with its frame), or of its own. */
class RingPage {
  private constructor(readonly bytes: Buffer, readonly pfn: number | null, private readonly mem: GuestMemory | null) {}

  /**
   * The frontend takes a free page of its memory to share; a page of its own when the memory is
   * not modelled, or not there yet (a restore fills it, then the rings move in: GrantedRings.resume).
   */
  static alloc(d: Domain | undefined): RingPage {
    const mem = d?.memory ?? null;
    const pfn = mem?.allocKernelPage() ?? null;
    return pfn === null ? new RingPage(Buffer.alloc(XEN_PAGE_SIZE), null, null) : new RingPage(mem!.sharedPage(pfn), pfn, mem);
  }

  /** A write in place: log-dirty mode must send the page again. */
  touch(): void { if (this.pfn !== null) this.mem!.touch(this.pfn); }
  free(): void { if (this.pfn !== null) this.mem!.freeKernelPage(this.pfn); }
}

/**
 * The frontend's grant of one of its data pages to the backend's domain (readonly: the backend
 * only reads it, as netfront's transmit buffers); the new ref, none when the device has no frontend.
 */
export type DataGranter = (kind: 'vif' | 'vbd', devid: number, readonly: boolean) => number | undefined;
/** What a ring carries where no frontend grants its pages (a ring made on its own, as in the hypervisor's tests). */
const GRANT_INVALID_REF = 0;

/** Grant references of a frontend's data pages, one pool per ring, granted on first use and kept. */
class DataGrants {
  private readonly refs: number[] = [];
  constructor(private readonly grant: () => number) {}
  ref(i: number): number { return this.refs[i] ??= this.grant(); }
}

/** One sring page with both ends' private indexes. */
export class SharedRing {
  // The frontend's front_ring: requests produced, responses consumed.
  private reqProdPvt = 0;
  private rspCons = 0;
  // The backend's back_ring: responses produced, requests consumed.
  private rspProdPvt = 0;
  private reqCons = 0;
  /** Notifications sent on the ring's event channel: to the backend, to the frontend. */
  notifiedBackend = 0;
  notifiedFrontend = 0;
  onBackendNotify: () => void = () => {};
  /** The frontend driver's interrupt handler: what its event channel's upcall runs. */
  frontendInterrupt: () => void = () => {};
  /** The backend's notify_remote_via_irq; until a backend binds the ring's channel, straight to the frontend's handler. */
  onFrontendNotify: () => void = () => this.frontendInterrupt();

  constructor(private page: RingPage, readonly size: number, readonly entry: number) { initSring(page.bytes); }

  /** The guest frame of the ring page (null when the frontend's memory is not modelled). */
  get pfn(): number | null { return this.page.pfn; }
  get bytes(): Buffer { return this.page.bytes; }
  private word(at: number): number { return this.page.bytes.readUInt32LE(at); }
  private setWord(at: number, v: number): void { this.page.bytes.writeUInt32LE(v >>> 0, at); this.page.touch(); }
  private slot(idx: number): number { return slotOffset(idx, this.size, this.entry); }

  // ---- the frontend's end ----
  /** RING_FREE_REQUESTS. */
  get freeRequests(): number { return this.size - ((this.reqProdPvt - this.rspCons) >>> 0); }
  /** Offset of the slot for the next request (published by pushRequests). */
  nextRequest(): number {
    const at = this.slot(this.reqProdPvt);
    this.reqProdPvt = (this.reqProdPvt + 1) >>> 0;
    return at;
  }
  /** RING_PUSH_REQUESTS_AND_CHECK_NOTIFY. */
  pushRequests(): void {
    const old = this.word(SRING.req_prod);
    if (old === this.reqProdPvt) return;
    this.setWord(SRING.req_prod, this.reqProdPvt);
    if (mustNotify(old, this.reqProdPvt, this.word(SRING.req_event))) { this.notifiedBackend++; this.onBackendNotify(); }
  }
  /** A frontend gone wrong publishes `n` requests it never wrote: the backend must not trust req_prod. */
  publishUnwritten(n: number): void {
    this.reqProdPvt = (this.reqProdPvt + n) >>> 0;
    this.pushRequests();
  }
  get unconsumedResponses(): number { return (this.word(SRING.rsp_prod) - this.rspCons) >>> 0; }
  /** Offset of the next response to read. */
  nextResponse(): number { const at = this.slot(this.rspCons); this.rspCons = (this.rspCons + 1) >>> 0; return at; }
  /** RING_FINAL_CHECK_FOR_RESPONSES: out of responses, ask to be notified of the next one. */
  finalCheckResponses(): boolean {
    if (this.unconsumedResponses) return true;
    this.setWord(SRING.rsp_event, this.rspCons + 1);
    return this.unconsumedResponses > 0;
  }

  // ---- the backend's end ----
  /** RING_HAS_UNCONSUMED_REQUESTS: never more than the slots the backend has answered. */
  get unconsumedRequests(): number {
    const req = (this.word(SRING.req_prod) - this.reqCons) >>> 0;
    const rsp = this.size - ((this.reqCons - this.rspProdPvt) >>> 0);
    return Math.min(req, rsp);
  }
  /** Offset of the next request to consume, without consuming it. */
  peekRequest(): number { return this.slot(this.reqCons); }
  takeRequest(): number { const at = this.slot(this.reqCons); this.reqCons = (this.reqCons + 1) >>> 0; return at; }
  /** Offset of the slot for the next response (published by pushResponses). */
  nextResponseSlot(): number { const at = this.slot(this.rspProdPvt); this.rspProdPvt = (this.rspProdPvt + 1) >>> 0; return at; }
  /** RING_PUSH_RESPONSES_AND_CHECK_NOTIFY. */
  pushResponses(): void {
    const old = this.word(SRING.rsp_prod);
    if (old === this.rspProdPvt) return;
    this.setWord(SRING.rsp_prod, this.rspProdPvt);
    if (mustNotify(old, this.rspProdPvt, this.word(SRING.rsp_event))) { this.notifiedFrontend++; this.onFrontendNotify(); }
  }
  /** The req_prod the frontend published and the backend's own indexes, for the backends' sanity checks. */
  get backendIndexes(): { reqProd: number; reqCons: number; rspProdPvt: number } {
    return { reqProd: this.word(SRING.req_prod), reqCons: this.reqCons, rspProdPvt: this.rspProdPvt };
  }
  /** RING_FINAL_CHECK_FOR_REQUESTS: out of requests, ask to be notified of the next one. */
  finalCheckRequests(): boolean {
    if (this.unconsumedRequests) return true;
    this.setWord(SRING.req_event, this.reqCons + 1);
    return this.unconsumedRequests > 0;
  }

  /** Move to a new page, bytes and all (the frontend's memory was replaced by a restore). */
  rehome(page: RingPage): void {
    this.page.bytes.copy(page.bytes);
    page.touch();
    this.page.free();
    this.page = page;
  }
  free(): void { this.page.free(); }
}

/**
 * One direction of traffic as the guest's workload and the data paths see it: the frontend
 * pushes requests, the backend peeks at and takes them. What a request looks like in its slot
 * (and the response the backend answers it with, when it answers on taking) is the kind's.
 */
export class Ring<T> {
  /** Times the frontend found the ring full. */
  overflows = 0;
  private head: { idx: number; req: T } | null = null;

  constructor(readonly shared: SharedRing, private readonly kind: {
    encode(at: number, slotIdx: number, req: T): void;
    decode(at: number): T;
    /** The response written when the backend takes the request (netback); none for blkback, which answers later. */
    respond?(at: number, req: T, reqAt: number): void;
    /** The frontend collects the responses before it looks for free slots (netfront's gc). */
    collect?: boolean;
  }) {}

  get size(): number { return this.shared.size; }
  /** The guest frame of the ring page. */
  get pfn(): number | null { return this.shared.pfn; }
  get free(): number { if (this.shared.freeRequests <= 0) this.collect(); return Math.max(0, this.shared.freeRequests); }
  get pending(): number { return this.shared.unconsumedRequests; }

  private collect(): void {
    if (!this.kind.collect) return;
    do { while (this.shared.unconsumedResponses) this.shared.nextResponse(); } while (this.shared.finalCheckResponses());
  }

  /** Frontend: put a request on the ring; false when the ring is full (after collecting what was answered). */
  push(req: T): boolean {
    if (!this.queue(req)) return false;
    this.publish();
    return true;
  }

  /**
   * Frontend: write a request into its slot, published with the others by publish() (as a
   * driver fills several slots, then pushes once); false when the ring is full.
   */
  queue(req: T): boolean {
    // Never more than the ring holds (less than nothing after a producer published past it).
    if (this.shared.freeRequests <= 0) this.collect();
    if (this.shared.freeRequests <= 0) { this.overflows++; return false; }
    const at = this.shared.nextRequest();
    this.kind.encode(at, (at - SRING.ring) / this.shared.entry, req);
    return true;
  }

  /** Frontend: RING_PUSH_REQUESTS_AND_CHECK_NOTIFY for the requests queued. */
  publish(): void { this.shared.pushRequests(); }

  /** Backend: the next request without consuming it (the same object until it is taken). */
  peek(): T | undefined {
    if (!this.shared.unconsumedRequests && !this.shared.finalCheckRequests()) return undefined;
    const at = this.shared.peekRequest();
    if (this.head?.idx !== at) this.head = { idx: at, req: this.kind.decode(at) };
    return this.head.req;
  }

  /** Backend: consume up to n requests, answering each when the kind answers on taking. */
  take(n = Infinity): T[] {
    const out: T[] = [];
    while (out.length < n && (this.shared.unconsumedRequests || this.shared.finalCheckRequests())) {
      const at = this.shared.takeRequest();
      const req = this.head?.idx === at ? this.head.req : this.kind.decode(at);
      this.head = null;
      out.push(req);
      if (this.kind.respond) this.kind.respond(this.shared.nextResponseSlot(), req, at);
    }
    if (this.kind.respond) this.shared.pushResponses();
    return out;
  }

  onNotify(cb: () => void): void { this.shared.onBackendNotify = cb; }
}

/** The backend's answers on a ring whose requests it answers later (blkback). */
export class ResponseRing<T> {
  constructor(readonly shared: SharedRing, private readonly kind: { encode(at: number, rsp: T): void; decode(at: number): T }) {}

  /** Backend: answer the oldest unanswered request. */
  push(rsp: T): boolean {
    this.pushAll([rsp]);
    return true;
  }

  /** Backend: answer the oldest unanswered requests, published together (one notification at most). */
  pushAll(rsps: readonly T[]): void {
    for (const rsp of rsps) this.kind.encode(this.shared.nextResponseSlot(), rsp);
    this.shared.pushResponses();
  }

  /** Frontend: every response published, then ask to be notified of the next. */
  take(): T[] {
    const out: T[] = [];
    do { while (this.shared.unconsumedResponses) out.push(this.kind.decode(this.shared.nextResponse())); } while (this.shared.finalCheckResponses());
    return out;
  }

  onNotify(cb: () => void): void { this.shared.frontendInterrupt = cb; }
}

/**
 * One vif's rings: guest→dom0 (tx) and dom0→guest (rx). A tx request carries a whole packet
 * (its size is the packet's, up to 64 KiB; the model does not spread it over one slot per
 * page); rx requests post one empty page each, which netback fills with a page of traffic.
 */
export class NetRings {
  readonly tx: Ring<NetRequest>;
  readonly rx: Ring<NetRequest>;

  constructor(d: Domain | undefined, grant: (readonly: boolean) => number) {
    const txRefs = new DataGrants(() => grant(true)), rxRefs = new DataGrants(() => grant(false));
    const txRing = new SharedRing(RingPage.alloc(d), NET_TX_RING_SIZE, NETIF_TX_ENTRY);
    const rxRing = new SharedRing(RingPage.alloc(d), NET_RX_RING_SIZE, NETIF_RX_ENTRY);
    // Field by field on the data path: no object per request beyond the one handed over.
    this.tx = new Ring<NetRequest>(txRing, {
      collect: true,
      encode: (at, id, req) => writeTxRequest(txRing.bytes, at, { gref: req.gref ?? txRefs.ref(id), offset: 0, flags: NETTXF_csum_blank | NETTXF_data_validated, id, size: req.bytes }),
      decode: at => {
        const b = txRing.bytes, size = b.readUInt16LE(at + NETIF_TX_REQUEST.size);
        return { bytes: size, packets: packetsOf(size), gref: b.readUInt32LE(at + NETIF_TX_REQUEST.gref) };
      },
      respond: (at, req, reqAt) => {
        const b = txRing.bytes;
        b.writeUInt16LE(b.readUInt16LE(reqAt + NETIF_TX_REQUEST.id), at + NETIF_TX_RESPONSE.id);
        b.writeInt16LE(req.status ?? NETIF_RSP_OKAY, at + NETIF_TX_RESPONSE.status);
      },
    });
    this.rx = new Ring<NetRequest>(rxRing, {
      collect: true,
      encode: (at, id, req) => {
        const b = rxRing.bytes;
        b.writeUInt16LE(id, at + NETIF_RX_REQUEST.id);
        b.writeUInt32LE(req.gref ?? rxRefs.ref(id), at + NETIF_RX_REQUEST.gref);
      },
      decode: at => ({ bytes: XEN_PAGE_SIZE, packets: packetsOf(XEN_PAGE_SIZE), gref: rxRing.bytes.readUInt32LE(at + NETIF_RX_REQUEST.gref) }),
      respond: (at, req, reqAt) => {
        const b = rxRing.bytes;
        b.writeUInt16LE(b.readUInt16LE(reqAt + NETIF_RX_REQUEST.id), at + NETIF_RX_RESPONSE.id);
        b.writeUInt16LE(0, at + NETIF_RX_RESPONSE.offset);
        b.writeUInt16LE(NETRXF_data_validated, at + NETIF_RX_RESPONSE.flags);
        b.writeInt16LE(req.status ?? req.bytes, at + NETIF_RX_RESPONSE.status);
      },
    });
  }

  get rings(): SharedRing[] { return [this.tx.shared, this.rx.shared]; }
}

/**
 * One vbd's ring: requests, and the responses that take their slots back to the frontend. A
 * request's pages are segments of whole 4 KiB pages; past 11 segments it goes indirect, its
 * segments in an indirect page of the slot's own, as blkfront does with feature-max-indirect-segments.
 */
export class BlkRings {
  readonly ring: Ring<BlkRequest>;
  readonly responses: ResponseRing<BlkResponse>;
  /** The indirect page of each slot, and what the backend finds behind its grant. */
  private readonly indirect: RingPage[] = [];
  private readonly indirectByRef = new Map<number, Buffer>();
  /** Operations of the requests taken and not yet answered, in order (blkback's pending_req). */
  private readonly operations: number[] = [];

  constructor(d: Domain | undefined, grant: () => number, handle: number) {
    const segRefs = new DataGrants(grant), indirectRefs = new DataGrants(grant);
    const sring = new SharedRing(RingPage.alloc(d), BLK_RING_SIZE, BLKIF_ENTRY);
    const indirectPage = (slot: number): { ref: number; page: RingPage } => {
      const page = this.indirect[slot] ??= RingPage.alloc(d);
      const ref = indirectRefs.ref(slot);
      this.indirectByRef.set(ref, page.bytes);
      return { ref, page };
    };
    this.ring = new Ring<BlkRequest>(sring, {
      encode: (at, slot, req) => {
        const n = Math.max(1, Math.ceil(req.sectors / SECTORS_PER_SEGMENT));
        const segments: BlkifSegment[] = new Array(n);
        for (let k = 0; k < n; k++) {
          segments[k] = {
            gref: req.grefs?.[k] ?? segRefs.ref(slot * BLKIF_MAX_SEGMENTS_PER_REQUEST * 2 + k), firstSect: 0,
            lastSect: k < n - 1 ? SECTORS_PER_SEGMENT - 1 : (req.sectors - 1) % SECTORS_PER_SEGMENT,
          };
        }
        const r = { operation: req.write ? BLKIF_OP_WRITE : BLKIF_OP_READ, handle, id: req.id, sectorNumber: req.sector, segments };
        if (n <= BLKIF_MAX_SEGMENTS_PER_REQUEST) { writeRequest(sring.bytes, at, r); return; }
        const { ref, page } = indirectPage(slot);
        writeIndirectRequest(sring.bytes, at, r, [ref], page.bytes);
        page.touch();
      },
      decode: at => {
        const indirect: number[] = [];
        const r = readRequest(sring.bytes, at, ref => { indirect.push(ref); return this.indirectByRef.get(ref) ?? null; });
        const id = r?.id ?? 0;
        this.operations.push(r?.operation ?? BLKIF_OP_READ);
        return {
          id, write: r?.operation === BLKIF_OP_WRITE, sector: r?.sectorNumber ?? 0, sectors: r ? requestSectors(r) : 0,
          grefs: r ? r.segments.map(s => s.gref) : [], indirect,
        };
      },
    });
    this.responses = new ResponseRing<BlkResponse>(sring, {
      encode: (at, rsp) => writeResponse(sring.bytes, at, { id: rsp.id, operation: this.operations.shift() ?? BLKIF_OP_READ, status: rsp.status }),
      decode: at => { const r = readResponse(sring.bytes, at); return { id: r.id, status: r.status === BLKIF_RSP_OKAY ? BLKIF_RSP_OKAY : BLKIF_RSP_ERROR }; },
    });
  }

  get rings(): SharedRing[] { return [this.ring.shared]; }
  free(): void { for (const p of this.indirect) p?.free(); }
}

/**
 * Where the daemon parks device rings so both ends can find them by (domid, kind, devid). A
 * ring is made, in the frontend's memory, by whichever end asks first.
 */
export class GrantedRings {
  private rings = new Map<string, NetRings | BlkRings>();
  /** Each guest's frontends grant their rings' data pages (gnttab_grant_foreign_access). */
  private granters = new Map<number, DataGranter>();
  constructor(private readonly domain: (domid: number) => Domain | undefined) {}

  key(domid: number, kind: 'vif' | 'vbd', devid: number): string { return `${domid}/${kind}/${devid}`; }
  /** The guest's kernel says how it grants its data pages (once its frontends run). */
  setDataGranter(domid: number, granter: DataGranter): void { this.granters.set(domid, granter); }
  private grant(domid: number, kind: 'vif' | 'vbd', devid: number): (readonly: boolean) => number {
    return readonly => this.granters.get(domid)?.(kind, devid, readonly) ?? GRANT_INVALID_REF;
  }
  net(domid: number, devid: number): NetRings {
    const k = this.key(domid, 'vif', devid);
    let r = this.rings.get(k) as NetRings | undefined;
    if (!r) { r = new NetRings(this.domain(domid), this.grant(domid, 'vif', devid)); this.rings.set(k, r); }
    return r;
  }
  blk(domid: number, devid: number): BlkRings {
    const k = this.key(domid, 'vbd', devid);
    let r = this.rings.get(k) as BlkRings | undefined;
    if (!r) { const grant = this.grant(domid, 'vbd', devid); r = new BlkRings(this.domain(domid), () => grant(false), devid); this.rings.set(k, r); }
    return r;
  }

  /** The rings of a domain, by key (what /proc/interrupts and the dumps read). */
  of(domid: number): [string, NetRings | BlkRings][] {
    return [...this.rings].filter(([k]) => Number(k.slice(0, k.indexOf('/'))) === domid);
  }

  /**
   * After a restore replaced the domain's memory: each ring moves to a page of the new memory,
   * as the guest's frontends set their rings up again when it resumes.
   */
  resume(domid: number): void {
    const d = this.domain(domid);
    for (const [, r] of this.of(domid)) for (const s of r.rings) s.rehome(RingPage.alloc(d));
  }

  drop(domid: number, kind?: 'vif' | 'vbd', devid?: number): void {
    if (!kind) this.granters.delete(domid);
    for (const [k, r] of this.of(domid)) {
      const [, kd, id] = k.split('/');
      if ((kind && kd !== kind) || (devid !== undefined && Number(id) !== devid)) continue;
      for (const s of r.rings) s.free();
      if (r instanceof BlkRings) r.free();
      this.rings.delete(k);
    }
  }
}
