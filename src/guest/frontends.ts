// The guest's PV frontends (netfront, blkfront) walking the XenbusState machine with their
// backends: on the backend's InitWait they grant their ring pages to the backend's domain and
// allocate an unbound event channel for it, then netfront goes Connected and blkfront
// Initialised (Connected once the backend is); on the backend's Closing, or its disappearance,
// they close, closing their event channels and ending the backend's access to the rings.
import type { XsClient } from '../formats/xenstore-client.ts';
import type { Domain } from '../hypervisor/domain.ts';
import type { Hypervisor } from '../hypervisor/hypervisor.ts';
import { SRING, VDISK_READONLY } from '../formats/xen-ring/index.ts';
import { GuestGnttab } from './gnttab.ts';
import { blkfrontDiskName } from './disk-name.ts';
import type { Fault } from './fault.ts';

interface Frontend { kind: 'vif' | 'vbd'; path: string; backend: string; backendId: number; state: string; grants: number[]; dataGrants: number[]; ports: number[] }

/**
 * Placeholder frames for ring pages not in modelled guest memory: pages taken in turn from a
 * 1 MiB window above the first 8 MiB, which every guest has populated.
 */
const RING_PFN_BASE = 0x800, RING_PFNS = 0x100;
/** Likewise for the pages of the devices' data (netfront's packet buffers, blkfront's I/O buffers). */
const DATA_PFN_BASE = 0x900, DATA_PFNS = 0x100;

async function readOr(xs: XsClient, path: string): Promise<string | null> {
  try { return await xs.read(path); } catch { return null; }
}

export class Frontends {
  private fronts = new Map<string, Frontend>();
  private busy = new Map<string, Promise<void>>();
  private readonly root: string;
  private gnttab: GuestGnttab | null = null;
  private nextRing = 0;
  private nextData = 0;
  /** `readOnly`: the backend's info has VDISK_READONLY (blkfront sets the disk read-only). */
  onConnected: (kind: 'vif' | 'vbd', devid: number, sectors: number, readOnly?: boolean) => void = () => {};
  onClosed: (kind: 'vif' | 'vbd', devid: number) => void = () => {};
  /** An IRQ of the driver's was bound to a port, or unbound. */
  onBound: (port: number, name: string) => void = () => {};
  onUnbound: (port: number) => void = () => {};

  constructor(private readonly xs: XsClient, private readonly hv: Hypervisor, private readonly domid: number) {
    this.root = `/local/domain/${domid}/device`;
    hv.rings.setDataGranter(domid, (kind, devid, readonly) => this.grantDataPage(kind, devid, readonly));
  }

  private dom(): Domain | undefined { return this.hv.domains.get(this.domid); }

  /** The kernel's one grant-reference allocator, shared with its other frontend drivers. */
  sharedGnttab(): GuestGnttab | null {
    const d = this.dom();
    return d ? (this.gnttab ??= new GuestGnttab(d.grantTable)) : null;
  }

  async start(): Promise<void> {
    this.xs.onWatchEvent((path, token) => {
      if (token === 'frontends') this.onEvent(path);
      else if (token.startsWith('fe-backend:')) this.kick(token.slice('fe-backend:'.length));
    });
    await this.xs.watch(this.root, 'frontends');
    for (const kind of ['vif', 'vbd']) {
      const ids = await this.xs.directory(`${this.root}/${kind}`).catch(() => [] as string[]);
      for (const id of ids) this.kick(`${this.root}/${kind}/${id}`);
    }
  }

  private onEvent(path: string): void {
    const rest = path.slice(this.root.length + 1).split('/');
    if ((rest[0] === 'vif' || rest[0] === 'vbd') && rest[1]) this.kick(`${this.root}/${rest[0]}/${rest[1]}`);
  }

  private kick(path: string): void {
    const next = (this.busy.get(path) ?? Promise.resolve()).then(() => this.evaluate(path)).catch(() => {});
    this.busy.set(path, next);
  }

  private async evaluate(path: string): Promise<void> {
    const xs = this.xs;
    const state = await readOr(xs, `${path}/state`);
    let fe = this.fronts.get(path);
    if (state === null) {
      if (fe) { this.disconnect(fe); this.fronts.delete(path); void xs.unwatch(`${fe.backend}/state`, `fe-backend:${path}`).catch(() => {}); }
      return;
    }
    if (!fe) {
      const backend = await readOr(xs, `${path}/backend`);
      if (!backend) return;
      const backendId = Number(await readOr(xs, `${path}/backend-id`) ?? 0);
      fe = { kind: path.includes('/device/vif/') ? 'vif' : 'vbd', path, backend, backendId, state, grants: [], dataGrants: [], ports: [] };
      this.fronts.set(path, fe);
      await xs.watch(`${backend}/state`, `fe-backend:${path}`);
    }
    const bstate = await readOr(xs, `${fe.backend}/state`);
    const d = this.dom();
    if (!d) return;
    // From Closed too: a backend that comes back (its Dom0 or driver domain restarted) is met
    // again, as blkfront's talk_to_blkback does from Closed.
    if (bstate === '2' && (state === '1' || state === '6')) {
      // A closed device's rings are set up anew: new pages, new data grants.
      if (state === '6') this.hv.rings.drop(this.domid, fe.kind, Number(path.split('/').pop()));
      await (fe.kind === 'vif' ? this.initNetfront(fe, d) : this.initBlkfront(fe, d));
      if (fe.kind === 'vif') this.onConnected('vif', Number(path.split('/').pop()), 0);
    } else if (bstate === '4' && fe.kind === 'vbd' && state === '3') {
      await xs.write(`${path}/state`, '4');
      this.onConnected('vbd', Number(path.split('/').pop()), Number(await readOr(xs, `${fe.backend}/sectors`) ?? 0),
        (Number(await readOr(xs, `${fe.backend}/info`) ?? 0) & VDISK_READONLY) !== 0);
    } else if ((bstate === '5' || bstate === '6' || (bstate === null && (state === '3' || state === '4'))) && state !== '6' && state !== '5') {
      // A backend whose directory vanished (its driver domain died and its home went with it)
      // is taken as Closed: the frontend lets go of its rings and closes, and waits to be
      // unplugged and plugged again.
      this.onClosed(fe.kind, Number(path.split('/').pop()));
      this.disconnect(fe);
      await xs.write(`${path}/state`, '5');
      await xs.write(`${path}/state`, '6');
    }
  }

  /**
   * The frontend's half of the connection, in one transaction: per queue (queue-N/ when the
   * backend offers several and the guest has the vCPUs) the granted rings and bound event
   * channels, then the frontend's own keys and its new state.
   */
  private async connectQueues(fe: Frontend, d: Domain, rings: string[], channels: string[], keys: [string, string][], state: string): Promise<void> {
    const xs = this.xs;
    const max = Number(await readOr(xs, `${fe.backend}/multi-queue-max-queues`) ?? 1) || 1;
    const nq = Math.max(1, Math.min(d.onlineVcpus, max));
    this.disconnect(fe);
    const queues = Array.from({ length: nq }, (_, q) => [
      ...rings.map(k => [k, this.grantRing(fe, d, k, q)] as const),
      ...channels.map(k => [k, this.allocChannel(fe, k, q)] as const),
    ]);
    await xs.transaction(async tx => {
      if (nq > 1) await xs.write(`${fe.path}/multi-queue-num-queues`, String(nq), tx);
      for (let q = 0; q < nq; q++) {
        const dir = nq > 1 ? `${fe.path}/queue-${q}` : fe.path;
        for (const [k, v] of queues[q]!) await xs.write(`${dir}/${k}`, String(v), tx);
      }
      for (const [k, v] of keys) await xs.write(`${fe.path}/${k}`, v, tx);
      await xs.write(`${fe.path}/state`, state, tx);
    });
  }

  /**
   * A ring page granted to the backend's domain (gnttab_grant_foreign_access): the page in this
   * guest's memory that holds the device's shared ring, or, where that memory is not modelled or
   * for queues past the first, a page of the placeholder window.
   */
  /** A page of the placeholder window granted to `domid` (pcifront's op page): the same grant table as the rings'. */
  grantPage(domid: number): number {
    this.gnttab ??= new GuestGnttab(this.dom()!.grantTable);
    return this.gnttab.grantForeignAccess(domid, RING_PFN_BASE + (this.nextRing++ % RING_PFNS));
  }

  private grantRing(fe: Frontend, d: Domain, key: string, queue: number): number {
    this.gnttab ??= new GuestGnttab(d.grantTable);
    const devid = Number(fe.path.slice(fe.path.lastIndexOf('/') + 1));
    const pfn = queue > 0 ? null
      : fe.kind === 'vbd' ? this.hv.rings.blk(this.domid, devid).ring.pfn
      : this.hv.rings.net(this.domid, devid)[key === 'tx-ring-ref' ? 'tx' : 'rx'].pfn;
    const ref = this.gnttab.grantForeignAccess(fe.backendId, pfn ?? RING_PFN_BASE + (this.nextRing++ % RING_PFNS));
    fe.grants.push(ref);
    return ref;
  }

  /**
   * xenbus_alloc_evtchn, then bound to the driver's interrupt handler (an IRQ named as netfront
   * and blkfront name theirs). The driver notifies the backend on it when its ring says so.
   */
  private allocChannel(fe: Frontend, key: string, queue: number): number {
    const port = this.hv.evtchn.allocUnbound(this.domid, fe.backendId);
    const devid = Number(fe.path.slice(fe.path.lastIndexOf('/') + 1));
    const dir = key.endsWith('-rx') ? 'rx' : 'tx';
    // Queues past the first have no modelled ring.
    const ring = queue > 0 ? undefined
      : fe.kind === 'vbd' ? this.hv.rings.blk(this.domid, devid).ring.shared : this.hv.rings.net(this.domid, devid)[dir].shared;
    // The upcall runs the driver's interrupt handler, which takes the ring's responses.
    this.hv.evtchn.setHandler(this.domid, port, () => ring?.frontendInterrupt());
    fe.ports.push(port);
    this.onBound(port, fe.kind === 'vbd' ? 'blkif' : `vif${devid}-q${queue}-${dir}`);
    if (ring) ring.onBackendNotify = () => { if (fe.ports.includes(port)) this.hv.evtchn.send(this.domid, port); };
    return port;
  }

  /**
   * A data page of a device granted to its backend: what the rings put in their requests' grefs.
   * The rings keep them for reuse (blkfront's persistent grants; netfront's buffers likewise).
   * With its grant table at max_grant_frames, the device shares a page it granted already.
   */
  private grantDataPage(kind: 'vif' | 'vbd', devid: number, readonly: boolean): number | undefined {
    const fe = this.fronts.get(`${this.root}/${kind}/${devid}`), d = this.dom();
    if (!fe || !d) return undefined;
    this.gnttab ??= new GuestGnttab(d.grantTable);
    const frame = DATA_PFN_BASE + (this.nextData++ % DATA_PFNS);
    try {
      const ref = this.gnttab.grantForeignAccess(fe.backendId, frame, readonly);
      fe.dataGrants.push(ref);
      return ref;
    } catch {
      return fe.dataGrants[this.nextData % Math.max(1, fe.dataGrants.length)];
    }
  }

  /**
   * The devid of a connected device named as the guest's tools name it: a vif by its index, a
   * vbd by its devid or its disk name (xvda); null when there is none.
   */
  connectedDevice(kind: 'vif' | 'vbd', name: string): number | null {
    for (const fe of this.fronts.values()) {
      const devid = Number(fe.path.slice(fe.path.lastIndexOf('/') + 1));
      if (fe.kind === kind && fe.grants.length && (String(devid) === name || (kind === 'vbd' && blkfrontDiskName(devid) === name))) return devid;
    }
    return null;
  }

  /**
   * The frontend misbehaves on one of its rings (a xenlab fault, for seeing what a backend does
   * with a broken or hostile guest): `ring-overflow` publishes a request producer a ring and more
   * past what it wrote; `bad-grant` puts on the ring a request whose data page is a grant
   * reference never granted. What it did, or null when the ring has no room for the request.
   */
  misbehave(fault: Fault, kind: 'vif' | 'vbd', devid: number): string | null {
    const ring = kind === 'vif' ? this.hv.rings.net(this.domid, devid).tx : this.hv.rings.blk(this.domid, devid).ring;
    if (fault === 'ring-overflow') {
      ring.shared.publishUnwritten(ring.size + 1);
      return `req_prod ${ring.shared.bytes.readUInt32LE(SRING.req_prod)} published on a ring of ${ring.size}`;
    }
    const gref = this.gnttab!.neverGranted();
    // The block request's id is one blkfront's shadow never hands out.
    const pushed = kind === 'vif'
      ? this.hv.rings.net(this.domid, devid).tx.push({ bytes: 1500, packets: 1, gref })
      : this.hv.rings.blk(this.domid, devid).ring.push({ id: 0xffffffff, write: false, sector: 0, sectors: 8, grefs: [gref] });
    return pushed ? `request with grant ref ${gref}, never granted, put on the ring` : null;
  }

  /** Close the device's event channels and end the backend's access to its rings. */
  private disconnect(fe: Frontend): void {
    if (!this.dom()) { fe.ports = []; fe.grants = []; fe.dataGrants = []; return; }
    for (const port of fe.ports.splice(0)) { this.hv.evtchn.close(this.domid, port); this.onUnbound(port); }
    for (const ref of [...fe.grants.splice(0), ...fe.dataGrants.splice(0)]) this.gnttab?.endForeignAccess(ref);
  }

  /** netfront: tx and rx rings with an event channel each; Connected at once. */
  private initNetfront(fe: Frontend, d: Domain): Promise<void> {
    return this.connectQueues(fe, d, ['tx-ring-ref', 'rx-ring-ref'], ['event-channel-tx', 'event-channel-rx'],
      [['request-rx-copy', '1'], ...['feature-rx-notify', 'feature-sg', 'feature-gso-tcpv4', 'feature-gso-tcpv6', 'feature-ipv6-csum-offload'].map(f => [f, '1'] as [string, string])],
      '4');
  }

  /** blkfront: one ring and event channel per queue; Initialised until the backend connects. */
  private initBlkfront(fe: Frontend, d: Domain): Promise<void> {
    return this.connectQueues(fe, d, ['ring-ref'], ['event-channel'],
      [['protocol', 'x86_64-abi'], ['feature-persistent', '1']],
      '3');
  }
}
