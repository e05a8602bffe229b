// A driver domain's kernel backends and its `xl devd`. Its netback and blkback are Dom0's code,
// run as the driver domain's domid: they watch /local/domain/<dd>/backend over a xenstore
// connection of that domain (its permissions, not Dom0's), map the frontends' grants and bind
// their event channels through the hypervisor as <dd>, and do their work on its vCPUs, on its
// own NIC and disk (a passed-through controller's), so the traffic they carry costs the driver
// domain's CPU time and not Dom0's. `xl devd` runs the hotplug scripts for them.
import type { Clock } from '../machine/clock.ts';
import type { DiskKind } from '../machine/devices.ts';
import type { Hypervisor } from '../hypervisor/hypervisor.ts';
import type { FaultTable } from '../machine/faults.ts';
import type { XsClient } from '../formats/xenstore-client.ts';
import { XenDevices } from '../dom0/xen-devices.ts';
import type { BackendDevice } from '../dom0/backends/backend-driver.ts';
import { KernelBackends } from '../dom0/backends/kernel-backends.ts';
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
  private readonly kernel: KernelBackends;
  private readonly xen: XenDevices;
  private readonly clients: DomainConnection[] = [];
  private devd: Devd | undefined;

  constructor(readonly domid: number, private readonly p: DriverDomainParts) {
    this.xen = new XenDevices(p.hv, domid);
    // Its backends work on its own NIC and disk (a passed-through controller's), with no IRQ
    // routed through Dom0.
    this.kernel = new KernelBackends({ hv: p.hv, clock: p.clock, self: domid, disk: p.disk, log: p.log });
    this.kernel.netData.faults = p.faults;
    this.kernel.blkData.faults = p.faults;
  }

  private client(): XsClient {
    const c = this.p.connect(this.domid);
    this.clients.push(c);
    return c.xs;
  }

  /** The kernel's xen-netback and xen-blkback come up with it; blkback opens the image files its params name. */
  async start(): Promise<void> {
    await this.kernel.start({ xs: this.client(), xen: this.xen }, { xs: this.client(), xen: this.xen });
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

  /** The domain is gone: its backends stop serving and let go of what they held. */
  stop(): void {
    for (const d of [this.kernel.netback, this.kernel.blkback]) for (const dev of d?.devices.values() ?? []) this.release(dev);
    for (const c of this.clients) { c.xs.close(); c.close(); }
  }

  private release(dev: BackendDevice): void {
    this.kernel.netData.detach(dev.domid, dev.devid);
    this.kernel.blkData.detach(dev.domid, dev.devid);
    if (this.p.hv.domains.has(this.domid)) this.xen.release(dev.domid);
  }
}
