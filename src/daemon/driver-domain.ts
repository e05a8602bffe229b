// A driver domain's kernel backends and its `xl devd`. Its netback and blkback are Dom0's code,
// run as the driver domain's domid: they watch /local/domain/<dd>/backend over a xenstore
// connection of that domain (its permissions, not Dom0's), map the frontends' grants and bind
// their event channels through the hypervisor as <dd>, and do their work on its vCPUs, on its
// own NIC and disk (a passed-through controller's), so the traffic they carry costs the driver
// domain's CPU time and not Dom0's. `xl devd` runs the hotplug scripts for them.
import type { Clock } from '../machine/clock.ts';
import { diskModel, nicModel, type DiskKind } from '../machine/devices.ts';
import type { Hypervisor } from '../hypervisor/hypervisor.ts';
import type { FaultTable } from '../machine/faults.ts';
import type { XsClient } from '../formats/xenstore-client.ts';
import { XenDevices } from '../dom0/xen-devices.ts';
import { netback } from '../dom0/backends/netback.ts';
import { blkback } from '../dom0/backends/blkback.ts';
import type { BackendDevice, BackendDriver } from '../dom0/backends/backend-driver.ts';
import { BackendWork } from '../dom0/backends/backend-work.ts';
import { NetDataplane, parseRate } from '../dom0/backends/net-dataplane.ts';
import { BlkDataplane } from '../dom0/backends/blk-dataplane.ts';
import { NetbackGrants } from '../dom0/backends/netback-grants.ts';
import { BlkbackGrants } from '../dom0/backends/blkback-grants.ts';
import { notifyFrontendOn } from '../dom0/backends/ring-events.ts';
import { Devd } from '../dom0/toolstack/devd.ts';
import { isDriverDomain } from '../dom0/toolstack/driver-domain.ts';
import type { DomainRecord } from '../dom0/toolstack/toolstack.ts';
import type { DevdHost } from '../guest/devd-xl.ts';

/** A xenstore connection of a domain's own, and its end. */
export interface DomainConnection { xs: XsClient; close(): void }

export interface DriverDomainParts {
  hv: Hypervisor;
  clock: Clock;
  disk: DiskKind;
  faults: FaultTable;
  /** A new xenstore connection of the domain's (its kernel's, then its xl's). */
  connect(domid: number): DomainConnection;
  log(line: string): void;
}

/** The running driver domains, and `xl devd` where an admin started it in Dom0. */
export class DriverDomains {
  private readonly running = new Map<number, DriverDomain>();
  private dom0Devd: { devd: Devd; conn: DomainConnection } | undefined;

  constructor(private readonly p: DriverDomainParts) {}

  /** A guest's kernel starts: a driver domain's brings its backends up; what its xl devd drives, if it is one. */
  async start(rec: DomainRecord): Promise<DevdHost | undefined> {
    if (!isDriverDomain(rec)) return undefined;
    const dd = new DriverDomain(rec.domid, this.p);
    this.running.set(rec.domid, dd);
    await dd.start();
    return { start: () => { void dd.startDevd().catch(e => this.p.log(`d${rec.domid} xl devd: ${e}`)); }, stop: () => dd.stopDevd() };
  }

  stop(domid: number): void {
    this.running.get(domid)?.stop();
    this.running.delete(domid);
  }

  /** `xl devd` on the host: the handler on Dom0's own backend directory, once. */
  async startDom0Devd(): Promise<void> {
    if (this.dom0Devd) return;
    const conn = this.p.connect(0);
    this.dom0Devd = { devd: new Devd(conn.xs, 0, this.p.log), conn };
    await this.dom0Devd.devd.start();
  }

  stopDom0Devd(): void {
    this.dom0Devd?.devd.stop();
    this.dom0Devd?.conn.close();
    this.dom0Devd = undefined;
  }
}

export class DriverDomain {
  readonly netData: NetDataplane;
  readonly blkData: BlkDataplane;
  private readonly xen: XenDevices;
  private readonly clients: DomainConnection[] = [];
  private netback: BackendDriver | undefined;
  private blkback: BackendDriver | undefined;
  private devd: Devd | undefined;

  constructor(readonly domid: number, private readonly p: DriverDomainParts) {
    const { hv, clock } = p;
    this.xen = new XenDevices(hv, domid);
    const work = new BackendWork(clock, {
      online: () => hv.domains.get(domid)?.onlineVcpus ?? 0,
      cpuNs: () => hv.domains.has(domid) ? Number(hv.cpuTimeNs(domid)) : 0,
      setDemand: f => { const d = hv.domains.get(domid); for (let v = 0; v < (d?.maxVcpus ?? 0); v++) hv.setWorkloadDemand(domid, v, f); },
    });
    this.netData = new NetDataplane(clock, work, nicModel(), new NetbackGrants(hv.gnttab, (d, n, err, msg) => this.fatal(this.netback, d, n, err, msg), domid));
    this.blkData = new BlkDataplane(work, diskModel(p.disk), new BlkbackGrants(hv.gnttab, (d, n, err, msg) => this.fatal(this.blkback, d, n, err, msg), domid));
    this.netData.faults = p.faults;
    this.blkData.faults = p.faults;
  }

  private client(): XsClient {
    const c = this.p.connect(this.domid);
    this.clients.push(c);
    return c.xs;
  }

  /** The kernel's xen-netback and xen-blkback come up with it. */
  async start(): Promise<void> {
    const { domid } = this, { hv } = this.p;
    const send = (port: number) => { if (hv.domains.has(domid)) hv.evtchn.send(domid, port); };
    const nbXs = this.client(), bbXs = this.client();
    this.netback = netback(nbXs, this.xen, {
      connected: dev => {
        void nbXs.read(`${dev.path}/rate`).catch(() => null)
          .then(rate => this.netData.attach(dev.domid, dev.devid, hv.rings.net(dev.domid, dev.devid), parseRate(rate)));
        const r = hv.rings.net(dev.domid, dev.devid);
        notifyFrontendOn(dev, { 'event-channel-tx': r.tx.shared, 'event-channel-rx': r.rx.shared }, send);
      },
      closed: dev => this.netData.detach(dev.domid, dev.devid),
    }, domid);
    this.blkback = blkback(bbXs, this.xen, {
      connected: dev => {
        void Promise.all([bbXs.read(`${dev.path}/params`), bbXs.read(`${dev.path}/mode`)]).catch(() => ['', 'r'])
          .then(([params, mode]) => this.blkData.attach(dev.domid, dev.devid, hv.rings.blk(dev.domid, dev.devid), params!, mode === 'w'));
        notifyFrontendOn(dev, { 'event-channel': hv.rings.blk(dev.domid, dev.devid).ring.shared }, send);
      },
      closed: dev => this.blkData.detach(dev.domid, dev.devid),
    }, domid);
    await this.netback.start();
    await this.blkback.start();
  }

  /** `xl devd` (started at boot by the xendriverdomain service, or from the console): once per domain. */
  async startDevd(): Promise<void> {
    if (this.devd) return;
    this.devd = new Devd(this.client(), this.domid, this.p.log);
    await this.devd.start();
  }

  stopDevd(): void {
    this.devd?.stop();
    this.devd = undefined;
  }

  /** A data path's fatal error on a device: the driver closes it, as in Dom0. */
  private fatal(driver: BackendDriver | undefined, domid: number, devid: number, err: number, message: string): void {
    if (!driver) return;
    this.p.log(`d${this.domid} ${driver.kind} ${driver.kind}-${domid}-${devid}: ${err} ${message}`);
    driver.fatal(domid, devid, err, message);
  }

  /** The domain is gone: its backends stop serving and let go of what they held. */
  stop(): void {
    for (const d of [this.netback, this.blkback]) for (const dev of d?.devices.values() ?? []) this.release(dev);
    for (const c of this.clients) { c.xs.close(); c.close(); }
  }

  private release(dev: BackendDevice): void {
    this.netData.detach(dev.domid, dev.devid);
    this.blkData.detach(dev.domid, dev.devid);
    if (this.p.hv.domains.has(this.domid)) this.xen.release(dev.domid);
  }
}
