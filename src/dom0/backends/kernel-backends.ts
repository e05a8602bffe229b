// netback and blkback as a kernel runs them: Dom0's, or a driver domain's, which runs the same
// code as its own domid. Their data planes do the work on that domain's vCPUs, over the
// machine's NIC and disk models; the drivers (built again each time the kernel's services
// start) hand each device to its data plane when the frontend connects, notify the frontend on
// the channels they bound, and take the device back when it closes.
import type { Clock } from '../../machine/clock.ts';
import { diskModel, nicModel, type DiskKind } from '../../machine/devices.ts';
import type { Hypervisor } from '../../hypervisor/hypervisor.ts';
import type { XsClient } from '../../formats/xenstore-client.ts';
import type { XenDevices } from '../xen-devices.ts';
import { netback } from './netback.ts';
import { blkback } from './blkback.ts';
import type { BackendDriver } from './backend-driver.ts';
import { BackendWork } from './backend-work.ts';
import { NetDataplane, parseRate } from './net-dataplane.ts';
import { BlkDataplane } from './blk-dataplane.ts';
import { NetbackGrants } from './netback-grants.ts';
import { BlkbackGrants } from './blkback-grants.ts';
import { notifyFrontendOn } from './ring-events.ts';

export interface BackendKernel {
  hv: Hypervisor;
  clock: Clock;
  /** The domain the kernel runs in. */
  self: number;
  disk: DiskKind;
  /** The NIC's and the disk's interrupts, raised as they complete work (Dom0's devices). */
  irq?: { nic(): void; disk(): void };
  log(line: string): void;
}

/**
 * The kernel's block layer: the file behind a device name of its /dev, opened for one vbd.
 * Without one, blkback opens the file `params` names (a driver domain's image files).
 */
export interface BlockLayer {
  open(user: string, params: string): string;
  release(user: string): void;
  backingFile(params: string): string;
  lookup(params: string): { readOnly: boolean } | undefined;
}

/** The file a vbd's hotplug script set up for it itself (block-drbd), or null: blkback then opens what params names. */
export type ScriptedDevice = (xs: XsClient, backendPath: string) => Promise<string | null>;

/** Each driver's own xenstore connection and hypercall interface. */
export interface DriverLinks { xs: XsClient; xen: XenDevices }

export class KernelBackends {
  readonly netData: NetDataplane;
  readonly blkData: BlkDataplane;
  netback: BackendDriver | undefined;
  blkback: BackendDriver | undefined;

  constructor(private readonly k: BackendKernel) {
    const { hv, clock, self } = k;
    const work = new BackendWork(clock, {
      online: () => hv.domains.get(self)?.onlineVcpus ?? 0,
      cpuNs: () => hv.domains.has(self) ? Number(hv.cpuTimeNs(self)) : 0,
      setDemand: f => { const d = hv.domains.get(self); for (let v = 0; v < (d?.maxVcpus ?? 0); v++) hv.setWorkloadDemand(self, v, f); },
    });
    this.netData = new NetDataplane(clock, work, nicModel(), new NetbackGrants(hv.gnttab, (d, n, err, msg) => this.fatal(this.netback, d, n, err, msg), self), k.irq?.nic);
    this.blkData = new BlkDataplane(work, diskModel(k.disk), new BlkbackGrants(hv.gnttab, (d, n, err, msg) => this.fatal(this.blkback, d, n, err, msg), self), k.irq?.disk);
  }

  /** The kernel's xen-netback and xen-blkback come up (at boot, and again after a restart). */
  async start(net: DriverLinks, blk: DriverLinks, block?: BlockLayer, scripted?: ScriptedDevice): Promise<void> {
    const { hv, self } = this.k;
    const send = (port: number) => { if (hv.domains.has(self)) hv.evtchn.send(self, port); };
    const vbd = (domid: number, devid: number) => `vbd-${domid}-${devid}`;
    this.netback = netback(net.xs, net.xen, {
      connected: dev => {
        void net.xs.read(`${dev.path}/rate`).catch(() => null)
          .then(rate => this.netData.attach(dev.domid, dev.devid, hv.rings.net(dev.domid, dev.devid), parseRate(rate)));
        const r = hv.rings.net(dev.domid, dev.devid);
        notifyFrontendOn(dev, { 'event-channel-tx': r.tx.shared, 'event-channel-rx': r.rx.shared }, send);
      },
      closed: dev => this.netData.detach(dev.domid, dev.devid),
    }, self);
    this.blkback = blkback(blk.xs, blk.xen, {
      connected: dev => {
        void Promise.all([blk.xs.read(`${dev.path}/params`), blk.xs.read(`${dev.path}/mode`), scripted?.(blk.xs, dev.path) ?? null]).catch(() => ['', 'r', null])
          .then(([params, mode, own]) => this.blkData.attach(dev.domid, dev.devid, hv.rings.blk(dev.domid, dev.devid),
            own ?? (block ? block.open(vbd(dev.domid, dev.devid), params!) : params!), mode === 'w'));
        notifyFrontendOn(dev, { 'event-channel': hv.rings.blk(dev.domid, dev.devid).ring.shared }, send);
      },
      closed: dev => { this.blkData.detach(dev.domid, dev.devid); block?.release(vbd(dev.domid, dev.devid)); },
      ...block && { backing: params => block.backingFile(params), readOnly: params => block.lookup(params)?.readOnly ?? false },
    }, self);
    await this.netback.start();
    await this.blkback.start();
  }

  /** A data path's fatal error on a device: the driver closes it, as Linux's backends do. */
  private fatal(driver: BackendDriver | undefined, domid: number, devid: number, err: number, message: string): void {
    if (!driver) return;
    this.k.log(`${this.k.self === 0 ? '' : `d${this.k.self} `}${driver.kind} ${driver.kind}-${domid}-${devid}: ${err} ${message}`);
    driver.fatal(domid, devid, err, message);
  }
}
