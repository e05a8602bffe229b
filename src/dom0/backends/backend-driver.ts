// A Dom0 backend driver (netback, blkback) as a xenstore client: it watches its backend
// directory, probes new devices (features, InitWait), connects when the frontend is ready,
// and closes when the toolstack or the frontend asks. Connecting maps the frontend's ring
// grants and binds its event channels (per queue, the keys the frontend wrote); closing unmaps
// and unbinds them. Kind-specific parts come from `ops`. A fatal error of the data path
// (a misbehaving frontend) is reported as xenbus_dev_fatal does: an `error` node under its
// domain's error/backend/... path and the device switched to Closing; the frontend then closes.
import type { XsClient } from '../../formats/xenstore-client.ts';
import type { XenDevices } from '../xen-devices.ts';
import { backendIrqName } from '../dom0-irqs.ts';

/** A ring page mapped from the frontend, and an event channel bound to the frontend's. */
export interface MappedRing { dir: string; key: string; ref: number; handle: number }
export interface BoundChannel { dir: string; key: string; remotePort: number; port: number }

export interface BackendDevice {
  domid: number; devid: number; path: string; frontend: string; probed: boolean; connected: boolean;
  rings: MappedRing[]; channels: BoundChannel[];
  /** The driver opened what the hotplug script named (Linux blkback's backend_changed), or gave up on it. */
  opened?: boolean;
}

/** A device's data path gave up on it: the errno and the message of xenbus_dev_fatal. */
export type BackendFatal = (domid: number, devid: number, err: number, message: string) => void;

/** The keys Linux's netback and blkback read in each queue's directory. */
const RING_REF_KEY = /^((tx|rx)-)?ring-ref\d*$/, EVTCHN_KEY = /^event-channel(-tx|-rx)?$/;

export interface BackendOps {
  /** Keys written at probe time, before InitWait. */
  features(dev: BackendDevice): Record<string, string>;
  /** May the device connect now (netback waits for the hotplug script)? */
  ready(xs: XsClient, dev: BackendDevice): Promise<boolean>;
  /** Keys written when connecting (blkback: sectors, info ...). */
  connect(xs: XsClient, dev: BackendDevice): Promise<Record<string, string>>;
  connected?(dev: BackendDevice): void;
  closed?(dev: BackendDevice): void;
  /** Once ready, before the frontend connects: why the device cannot be opened (xenbus_dev_fatal's errno and message), if it cannot. */
  open?(xs: XsClient, dev: BackendDevice): Promise<{ err: number; message: string } | undefined>;
  /** Where another service shares the directory (QEMU's consoles beside xenconsoled's primary): the devices this one serves. */
  claims?(domid: number, devid: number): boolean;
}

async function readOr(xs: XsClient, path: string): Promise<string | null> {
  try { return await xs.read(path); } catch { return null; }
}

export class BackendDriver {
  readonly devices = new Map<string, BackendDevice>();
  private readonly root: string;
  private busy = new Map<string, Promise<void>>();
  /** Crashed (its module gone): events are ignored until reload(). */
  private dead = false;

  /** `self`: the domain the driver runs in (Dom0, or a driver domain): its backend directory and its error nodes are under its home. */
  constructor(private readonly xs: XsClient, readonly kind: string, private readonly ops: BackendOps, private readonly xen: XenDevices, private readonly self = 0) {
    this.root = `/local/domain/${self}/backend/${kind}`;
  }

  async start(): Promise<void> {
    this.xs.onWatchEvent((path, token) => {
      if (token === `backend-${this.kind}`) this.onBackendEvent(path);
      else if (token.startsWith(`frontend-${this.kind}:`)) this.kick(token.slice(token.indexOf(':') + 1));
    });
    await this.xs.watch(this.root, `backend-${this.kind}`);
  }

  private onBackendEvent(path: string): void {
    const rest = path.slice(this.root.length + 1).split('/');
    if (rest.length < 2 || !rest[0] || !rest[1]) return;
    this.kick(`${this.root}/${rest[0]}/${rest[1]}`);
  }

  /** Re-evaluate one device, one evaluation at a time per device. */
  private kick(path: string): void { if (!this.dead) this.serialise(path, () => this.evaluate(path)); }

  private serialise(path: string, step: () => Promise<void>): void {
    const prev = this.busy.get(path) ?? Promise.resolve();
    const next = prev.then(step).catch(() => {});
    this.busy.set(path, next);
    void next.then(() => { if (this.busy.get(path) === next) this.busy.delete(path); });
  }

  private async evaluate(path: string): Promise<void> {
    const xs = this.xs;
    const state = await readOr(xs, `${path}/state`);
    let dev = this.devices.get(path);
    if (state === null) {
      if (dev) { this.devices.delete(path); this.disconnect(dev); this.ops.closed?.(dev); void xs.unwatch(`${dev.frontend}/state`, `frontend-${this.kind}:${path}`).catch(() => {}); }
      return;
    }
    if (!dev) {
      const frontend = await readOr(xs, `${path}/frontend`);
      const [domid, devid] = path.slice(this.root.length + 1).split('/').map(Number);
      if (!frontend || this.ops.claims?.(domid!, devid!) === false) return;
      dev = { domid: domid!, devid: devid!, path, frontend, probed: false, connected: false, rings: [], channels: [] };
      this.devices.set(path, dev);
      await xs.watch(`${frontend}/state`, `frontend-${this.kind}:${path}`);
    }
    const online = await readOr(xs, `${path}/online`);
    const fstate = await readOr(xs, `${dev.frontend}/state`);
    if (state === '1' && online === '1' && !dev.probed) {
      dev.probed = true;
      const f = this.ops.features(dev);
      await xs.transaction(async tx => {
        for (const [k, v] of Object.entries(f)) await xs.write(`${path}/${k}`, v, tx);
        await xs.write(`${path}/state`, '2', tx);
      });
      return;
    }
    if (state === '2' && this.ops.open && !dev.opened && await this.ops.ready(xs, dev)) {
      dev.opened = true;
      const refused = await this.ops.open(xs, dev);
      if (refused) { await this.reportFatal(dev, refused.err, refused.message); return; }
    }
    if ((state === '2' || state === '3') && (fstate === '3' || fstate === '4') && !dev.connected && await this.ops.ready(xs, dev)) {
      dev.connected = true;
      try { await this.attachRings(dev); } catch (e) { this.disconnect(dev); dev.connected = false; throw e; }
      const keys = await this.ops.connect(xs, dev);
      await xs.transaction(async tx => {
        for (const [k, v] of Object.entries(keys)) await xs.write(`${path}/${k}`, v, tx);
        await xs.write(`${path}/state`, '4', tx);
      });
      this.ops.connected?.(dev);
      return;
    }
    // Closing: asked by the toolstack (online=0, state 5) or by the frontend.
    if (state === '5' && (fstate === '6' || fstate === null || fstate === '1')) {
      await xs.write(`${path}/state`, '6').catch(() => {});
      if (dev.connected) { dev.connected = false; this.disconnect(dev); this.ops.closed?.(dev); }
      return;
    }
    if (state === '4' && (fstate === '5' || fstate === '6')) {
      await xs.write(`${path}/state`, '5').catch(() => {});
    }
  }

  /**
   * xenbus_dev_fatal: "<errno> <message>" in error/backend/<kind>/<domid>/<devid>/error under
   * Dom0's home, and the device to Closing.
   */
  fatal(domid: number, devid: number, err: number, message: string): void {
    const path = `${this.root}/${domid}/${devid}`;
    this.serialise(path, async () => {
      const dev = this.devices.get(path);
      if (dev?.connected) await this.reportFatal(dev, err, message);
    });
  }

  private async reportFatal(dev: BackendDevice, err: number, message: string): Promise<void> {
    await this.xs.write(`/local/domain/${this.self}/error/backend/${this.kind}/${dev.domid}/${dev.devid}/error`, `${err} ${message}`);
    await this.xs.write(`${dev.path}/state`, '5');
  }

  /** Dom0's kernel goes down: each connected device's backend goes Closing, and finishes closing as its frontend closes. */
  async shutdown(): Promise<void> {
    await Promise.all([...this.devices.values()].filter(d => d.connected).map(d => this.xs.write(`${d.path}/state`, '5').catch(() => {})));
  }

  /** Devices whose rings are still mapped. */
  get connectedCount(): number { let n = 0; for (const d of this.devices.values()) if (d.connected) n++; return n; }

  /** The driver is gone (its kernel stopped or it crashed): what it still held of the frontends is let go, as Xen does for a dead kernel. */
  abandon(): void {
    for (const d of this.devices.values()) {
      if (d.connected) { d.connected = false; this.disconnect(d); this.ops.closed?.(d); }
      void this.xs.unwatch(`${d.frontend}/state`, `frontend-${this.kind}:${d.path}`).catch(() => {});
    }
    this.devices.clear();
  }

  /**
   * The driver crashes (the fault plane's dom0-service-crash): as its remove path does, each
   * device's backend goes Closed, and what it held of the frontends is let go.
   */
  crash(): void {
    this.dead = true;
    void this.xs.unwatch(this.root, `backend-${this.kind}`).catch(() => {});
    for (const path of this.devices.keys()) void this.xs.write(`${path}/state`, '6').catch(() => {});
    this.abandon();
  }

  /** Loaded again (modprobe) after a crash: it watches its backend directory and probes what it finds there. */
  async reload(): Promise<void> {
    if (!this.dead) return;
    this.dead = false;
    await this.xs.watch(this.root, `backend-${this.kind}`);
  }

  /** Map every ring the frontend granted and bind every event channel it allocated, queue by queue. */
  private async attachRings(dev: BackendDevice): Promise<void> {
    const xs = this.xs;
    const nq = Number(await readOr(xs, `${dev.frontend}/multi-queue-num-queues`) ?? 0);
    const dirs = nq > 0 ? Array.from({ length: nq }, (_, q) => `${dev.frontend}/queue-${q}`) : [dev.frontend];
    for (const dir of dirs) {
      for (const key of (await xs.directory(dir).catch(() => [] as string[])).sort()) {
        const value = Number(await readOr(xs, `${dir}/${key}`));
        if (!Number.isInteger(value)) continue;
        if (RING_REF_KEY.test(key)) dev.rings.push({ dir, key, ref: value, handle: this.xen.mapGrant(dev.domid, value) });
        else if (EVTCHN_KEY.test(key)) dev.channels.push({ dir, key, remotePort: value, port: this.xen.bindInterdomain(dev.domid, value, undefined, backendIrqName(this.kind, dev.domid, dev.devid, dir, key)) });
      }
    }
  }

  private disconnect(dev: BackendDevice): void {
    for (const r of dev.rings.splice(0)) this.xen.unmapGrant(dev.domid, r.handle);
    for (const c of dev.channels.splice(0)) this.xen.unbind(dev.domid, c.port);
  }
}
