// The shared rings of a PV network or block device, as the hypervisor lets a frontend and a
// backend share pages: a bounded queue of requests with notifications. The frontend produces,
// the backend consumes; when the ring is full the frontend must wait, which is how a slow or
// rate-limited backend throttles a guest.

export interface NetRequest { bytes: number; packets: number }
export interface BlkRequest { id: number; write: boolean; sector: number; sectors: number }
/** blkback's answer to the request `id`. */
export interface BlkResponse { id: number; status: typeof BLKIF_RSP_OKAY | typeof BLKIF_RSP_ERROR }
export const BLKIF_RSP_OKAY = 0, BLKIF_RSP_ERROR = -1;

export class Ring<T> {
  private q: T[] = [];
  /** Times the frontend found the ring full. */
  overflows = 0;
  private notify: () => void = () => {};
  constructor(readonly size: number) {}
  get free(): number { return this.size - this.q.length; }
  get pending(): number { return this.q.length; }
  /** Frontend: queue a request; false when the ring is full. */
  push(req: T): boolean {
    if (this.q.length >= this.size) { this.overflows++; return false; }
    this.q.push(req);
    this.notify();
    return true;
  }
  /** Backend: take up to n requests. */
  take(n = Infinity): T[] { return this.q.splice(0, Math.min(n, this.q.length)); }
  peek(): T | undefined { return this.q[0]; }
  onNotify(cb: () => void): void { this.notify = cb; }
}

/** One vif's rings: guest→dom0 (tx) and dom0→guest (rx). */
export class NetRings {
  readonly tx = new Ring<NetRequest>(256);
  readonly rx = new Ring<NetRequest>(256);
}

/** One vbd's ring: requests, and the responses that take their slots back to the frontend. */
export class BlkRings {
  readonly ring = new Ring<BlkRequest>(32);
  readonly responses = new Ring<BlkResponse>(32);
}

/** Where the daemon parks device rings so both ends can find them by (domid, kind, devid). */
export class GrantedRings {
  private rings = new Map<string, NetRings | BlkRings>();
  key(domid: number, kind: 'vif' | 'vbd', devid: number): string { return `${domid}/${kind}/${devid}`; }
  net(domid: number, devid: number): NetRings {
    const k = this.key(domid, 'vif', devid);
    let r = this.rings.get(k) as NetRings | undefined;
    if (!r) { r = new NetRings(); this.rings.set(k, r); }
    return r;
  }
  blk(domid: number, devid: number): BlkRings {
    const k = this.key(domid, 'vbd', devid);
    let r = this.rings.get(k) as BlkRings | undefined;
    if (!r) { r = new BlkRings(); this.rings.set(k, r); }
    return r;
  }
  drop(domid: number, kind?: 'vif' | 'vbd', devid?: number): void {
    for (const k of [...this.rings.keys()]) {
      const [d, kd, id] = k.split('/');
      if (Number(d) === domid && (!kind || kd === kind) && (devid === undefined || Number(id) === devid)) this.rings.delete(k);
    }
  }
}
