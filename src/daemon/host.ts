// One emulated host: wires the machine, the hypervisor, Dom0's services (xenstored,
// xenconsoled, the backends, the toolstack) and the guests together, with the persistence that
// records them and recovers them after a crash. The wiring is the only place that knows every
// part; it holds no protocol details and no libxl logic (that is the toolstack's).
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Clock, type ClockMode } from '../machine/clock.ts';
import { Machine, type MachineSpec } from '../machine/host.ts';
import { Hypervisor } from '../hypervisor/hypervisor.ts';
import { SerialPort } from '../hypervisor/console-page.ts';
import { Xenstored } from '../dom0/xenstored/index.ts';
import { Xenconsoled } from '../dom0/xenconsoled.ts';
import { appendStateFile } from '../dom0/state-files.ts';
import { Toolstack, type DomainRecord } from '../dom0/toolstack/toolstack.ts';
import { writeDom0Tree } from '../dom0/toolstack/xs-tree.ts';
import { guestHardware } from '../dom0/toolstack/guest-hardware.ts';
import { GuestKernel } from '../guest/kernel.ts';
import { xenbusComms } from '../guest/xenbus-comms.ts';
import { hvcConsole } from '../guest/hvc-console.ts';
import { startPvBackends } from '../dom0/backends/pv-backends.ts';
import { XenDevices } from '../dom0/xen-devices.ts';
import { EVTCHN_FIFO_NR_CHANNELS } from '../hypervisor/event-channel.ts';
import type { BackendDriver } from '../dom0/backends/backend-driver.ts';
import type { NetDataplane } from '../dom0/backends/net-dataplane.ts';
import type { BlkDataplane } from '../dom0/backends/blk-dataplane.ts';
import { DOM0_IDLE_DEMAND } from '../dom0/backends/backend-work.ts';
import { KernelBackends } from '../dom0/backends/kernel-backends.ts';
import { Drbd } from '../dom0/drbd/drbd.ts';
import { drbdDevice } from '../dom0/drbd/resources.ts';
import { bindDom0Irqs, evtchnUser, newDom0Irqs } from '../dom0/dom0-irqs.ts';
import { DISK_IRQ, NIC_IRQ } from '../hypervisor/irq.ts';
import { XsClient } from '../formats/xenstore-client.ts';
import { parseWorkload } from '../formats/workload-spec.ts';
import { hostPaths, type HostPaths } from '../protocol/paths.ts';
import type { Store } from './store.ts';
import { Persistence, savedClock } from './persistence.ts';
import { RawChannels } from './raw-channels.ts';
import { startLibvirtd } from '../dom0/libvirt/libvirtd.ts';
import { randomUUID } from 'node:crypto';
import { HostBlockDevices } from '../dom0/lvm/host-block.ts';
import { DEFAULT_DISKS } from '../machine/block-devices.ts';
import type { LibvirtServer } from '../dom0/libvirt/server.ts';
import { PciDrivers, type PciDriversState } from '../dom0/pci-drivers.ts';
import { pciback } from '../dom0/pciback.ts';
import type { FaultTable } from '../machine/faults.ts';
import { faultPlane } from './fault-plane.ts';
import { DriverDomains } from './driver-domain.ts';
import { DOM0_KEXEC_BOOT_NS, restartDom0, type Dom0RestartResult } from './dom0-restart.ts';

export interface HostOptions { spec: MachineSpec; clockMode: ClockMode }

export class Host {
  readonly machine: Machine;
  readonly clock: Clock;
  readonly hv: Hypervisor;
  readonly xenstored: Xenstored;
  readonly xenconsoled: Xenconsoled;
  readonly rawChannels = new RawChannels();
  toolstack!: Toolstack;
  /** Dom0's netback and blkback, and their data planes. */
  private readonly kernelBackends: KernelBackends;
  readonly netData: NetDataplane;
  readonly blkData: BlkDataplane;
  /** Dom0's DRBD model: resources in drbd.d, replication for Remus (an extension). */
  readonly drbd: Drbd;
  /** Every backend driver Dom0 runs: netback, blkback and the other PV backends. */
  backends: BackendDriver[] = [];
  /** When Dom0's kernel booted (a `xenlabd dom0 restart` boots it again). */
  private dom0BootNs = 0n;
  private dom0Restarting = false;
  /** Closes each of Dom0's in-process xenstore connections (its services die with Dom0's kernel). */
  private dom0Links: (() => void)[] = [];
  private guests = new Map<number, GuestKernel>();
  /** The pty number (QEMU's, in Dom0's /dev/pts) of each HVM guest's serial port. */
  private serialPtys = new Map<number, number>();
  /** What xenstored and xenconsoled hold of each guest (their gntdev and evtchn devices). */
  private readonly storeXen: XenDevices;
  /** Dom0's Linux IRQs, its /proc/interrupts (`xenlabd interrupts`). */
  readonly dom0Irqs = newDom0Irqs();
  private readonly consoleXen: XenDevices;
  private libvirtd: LibvirtServer | undefined;
  readonly persistence: Persistence;
  /** Dom0's block devices (disks, partitions, LVM volumes): its /dev for phy: disks. */
  readonly blockDevices: HostBlockDevices;
  /** Dom0's PCI drivers (sysfs bindings, SR-IOV), recorded with Xen's device ownership. */
  readonly pciDrivers: PciDrivers;
  /** The fault plane (xenlabd fault add|list|clear). */
  readonly faults: FaultTable;
  /** The driver domains' backends and `xl devd`s (Dom0's too, when an admin starts one). */
  readonly driverDomains: DriverDomains;
  private eventListeners = new Set<(e: { ns: string; kind: string; domid: number; name: string | null; detail?: string }) => void>();

  constructor(readonly paths: HostPaths, store: Store, o: HostOptions) {
    this.machine = new Machine(o.spec);
    const saved = savedClock(store);
    this.clock = new Clock(o.clockMode, saved.epochMs, saved.nowNs);
    this.hv = new Hypervisor(this.machine, this.clock);
    this.persistence = new Persistence(store, this.hv, this.clock, () => this.toolstack.records, l => this.log(l));
    this.persistence.restoreXenSettings();
    this.pciDrivers = new PciDrivers(this.machine.pci);
    const pci = this.persistence.savedPci() as { drivers: PciDriversState; owners: Record<string, number> } | undefined;
    if (pci) {
      this.pciDrivers.restore(pci.drivers);
      this.hv.passthrough.restore(pci.owners);
    }
    this.clock.setStepper(to => this.hv.step(to));
    // netback and blkback work on Dom0's vCPUs, on the machine's NIC and disk; the NIC and the
    // disk raise their IRQ when they complete work, and Xen sends it to Dom0's driver.
    this.kernelBackends = new KernelBackends({ hv: this.hv, clock: this.clock, self: 0, disk: o.spec.disk ?? 'nvme', log: l => this.log(l),
      irq: { nic: () => this.hv.irqs.raise(NIC_IRQ), disk: () => this.hv.irqs.raise(DISK_IRQ) } });
    this.netData = this.kernelBackends.netData;
    this.blkData = this.kernelBackends.blkData;
    this.storeXen = new XenDevices(this.hv, 0, { table: this.dom0Irqs, ...evtchnUser('xenstored') });
    // The tree outlives the daemon, as the guests do: it comes back before they are recovered.
    this.xenstored = new Xenstored({ log: l => this.log(`xenstored: ${l}`), journal: join(paths.home, 'xenstored.journal'), domainExists: d => this.hv.domains.has(d), xen: this.storeXen,
      clock: { nowS: () => Math.floor(this.clock.wallMs() / 1000), after: (s, fire) => { const t = this.clock.after(BigInt(s) * 1_000_000_000n, fire); return () => this.clock.cancel(t); } } });
    mkdirSync(paths.logs, { recursive: true });
    this.consoleXen = new XenDevices(this.hv, 0, { table: this.dom0Irqs, ...evtchnUser('xenconsoled') });
    this.xenconsoled = new Xenconsoled(paths.logs, this.consoleXen);
    this.blockDevices = new HostBlockDevices(join(paths.home, 'block'), o.spec.hostDisks ?? DEFAULT_DISKS, this.persistence.lvmMetadata, randomUUID);
    this.drbd = new Drbd(join(paths.home, 'drbd.d'), home => hostPaths(home).drbd, l => this.log(l));
    this.blkData.onWrite = (domid, devid, offset, data) => this.drbd.write(domid, devid, offset, data);
    this.faults = faultPlane(this.clock, { hv: this.hv, blkData: this.blkData, netData: this.netData, xenstored: this.xenstored, oops: (domid, inNetback) => this.guests.get(domid)?.oops(inNetback),
      dom0: { xenconsoled: this.xenconsoled, driver: s => (s === 'netback' ? this.kernelBackends.netback! : this.kernelBackends.blkback!), xs: () => this.toolstack.xs, log: l => this.log(l) } });
    this.onEvent(e => { if (e.kind === 'destroy') this.faults.forget(e.domid); });
    this.driverDomains = new DriverDomains({
      hv: this.hv, clock: this.clock, disk: o.spec.disk ?? 'nvme', faults: this.faults, log: l => this.log(l),
      connect: domid => {
        const ring = this.xenstored.connectDomain(domid);
        const xs = new XsClient(b => ring.write(b));
        ring.onData(b => xs.feed(b));
        return { xs, close: () => ring.close() };
      },
    });
  }

  /** Record the PCI drivers' bindings and who owns each device. */
  savePci(): void {
    this.persistence.commitPci({ drivers: this.pciDrivers.snapshot(), owners: this.hv.passthrough.snapshot() });
  }

  log(line: string): void {
    try { appendStateFile(join(this.paths.logs, 'xenlabd.log'), `${new Date().toISOString()} ${line}\n`); } catch {}
  }

  onEvent(cb: (e: { ns: string; kind: string; domid: number; name: string | null; detail?: string }) => void): () => void {
    this.eventListeners.add(cb);
    return () => this.eventListeners.delete(cb);
  }

  /** Boot the host: Dom0, xenstored, then recover the domains the database holds. */
  async boot(): Promise<void> {
    await this.xenstored.listen(this.paths.xenstored);
    await this.drbd.listen(this.paths.drbd);
    const spec = this.machine.spec;
    // Domain-0 was built when the host booted (simulated time 0) and its CPU time continues from
    // the last record: the host stood still while the daemon was down.
    const dom0CpuNs = this.persistence.savedDom0CpuNs();
    const dom0 = this.persistence.savedDom0(spec.dom0Vcpus);
    this.hv.restoreDomain(0, {
      type: 'pv', uuid: '00000000-0000-0000-0000-000000000000', maxVcpus: spec.dom0Vcpus, onlineVcpus: dom0.onlineVcpus,
      maxMemkb: -1, memkb: spec.dom0MemMiB * 1024, weight: dom0.weight, cap: dom0.cap, poolId: 0, affinity: dom0.affinity,
      // Xen builds Dom0 with no event channel limit of its own (max_evtchn_port -1): the ABI's.
      maxEvtchnPort: EVTCHN_FIFO_NR_CHANNELS - 1,
    }, {
      totPages: spec.dom0MemMiB * 256, pauseCount: 0, shutdown: false, shutdownReason: 0, createdNs: 0n,
      cpuBaseNs: Array.from({ length: spec.dom0Vcpus }, (_, v) => dom0CpuNs[v] ?? 0n),
      work: this.persistence.savedDom0Work(),
    });
    this.persistence.restoreDom0Rtds(dom0);
    for (let v = 0; v < spec.dom0Vcpus; v++) this.hv.setWorkloadDemand(0, v, DOM0_IDLE_DEMAND);
    this.hv.get(0).evtchn.initControlFifo();
    // Dom0's kernel binds its timers and drivers' IRQs; xenstored takes VIRQ_DOM_EXC and xenconsoled VIRQ_CONSOLE.
    bindDom0Irqs(this.hv, this.dom0Irqs, spec.dom0Vcpus);
    await this.startDom0Services();
    this.hv.rover = this.persistence.savedRover();
    await this.persistence.recover(this.toolstack);
    await this.toolstack.removeStaleDomains();
    this.libvirtd = await startLibvirtd(this, this.paths, l => this.log(l));
  }

  /**
   * Dom0's services on xenstored: the backends, Dom0's own keys and the toolstack; at boot, and
   * again when Dom0 restarts (the toolstack then keeps libxl's records of the domains).
   */
  private async startDom0Services(): Promise<void> {
    const xs = this.dom0Client();
    const dom0Xen = (user: string) => new XenDevices(this.hv, 0, { table: this.dom0Irqs, ...evtchnUser(user) });
    // A vbd set up by block-drbd is served from the image its DRBD resource names.
    await this.kernelBackends.start({ xs: this.dom0Client(), xen: dom0Xen('netback') }, { xs: this.dom0Client(), xen: dom0Xen('blkback') }, this.blockDevices, drbdDevice);
    await pciback(this.dom0Client(), this.hv).start();
    this.backends = [this.kernelBackends.netback!, this.kernelBackends.blkback!, ...await startPvBackends(this.dom0Client(), dom0Xen('qemu-system-i38'))];
    await writeDom0Tree(xs, { memKb: this.machine.spec.dom0MemMiB * 1024, pools: this.hv.pools });
    // libxl keeps its domains' records on Dom0's disk (/var/lib/xen): a restarted Dom0 has them.
    const records = this.toolstack?.records;
    this.toolstack = new Toolstack(this.hv, xs, {
      startGuest: (rec, booted) => this.startGuest(rec, booted),
      stopGuest: domid => this.stopGuest(domid),
      commit: domid => this.persistence.commit(domid),
      commitXenSettings: () => this.persistence.commitXenSettings(),
      forget: domid => this.persistence.forget(domid),
      event: (kind, domid, name, detail) => {
        const e = { ns: this.clock.now().toString(), kind, domid, name, detail };
        for (const l of this.eventListeners) l(e);
        this.savePci();
        this.log(`event ${kind} d${domid} ${name ?? ''} ${detail ?? ''}`);
      },
      log: l => this.log(l),
      blockDevices: this.blockDevices,
      drbd: this.drbd.resources,
      changeMedium: (domid, devid, file) => this.guests.get(domid)?.changeMedium(devid, file ? statSync(file).size : 0),
      pci: this.pciDrivers,
      dumpDir: join(this.paths.home, 'dump'),
      dom0BootNs: () => this.dom0BootNs,
    });
    for (const [domid, rec] of records ?? []) this.toolstack.records.set(domid, rec);
    // VIRQ_DOM_EXC reaches xenstored too, which tells @releaseDomain watchers.
    const toToolstack = this.hv.onDomainException;
    this.hv.onDomainException = domid => { this.xenstored.domainShutdown(domid); toToolstack(domid); };
  }

  /** A Dom0 xenstore connection of its own (each Dom0 service has one, as separate processes and drivers do). */
  private dom0Client(): XsClient {
    const ring = this.xenstored.connectDomain(0);
    const xs = new XsClient(b => ring.write(b));
    ring.onData(b => xs.feed(b));
    this.dom0Links.push(() => { ring.close(); xs.close(); });
    return xs;
  }

  private async startGuest(rec: DomainRecord, alreadyBooted: boolean): Promise<{ serialTty?: string }> {
    const hw = guestHardware(rec);
    const serial = hw.serialPty ? new SerialPort() : undefined;
    if (serial) this.xenconsoled.add(rec.domid, rec.name, serial, 'serial');
    if (serial) this.serialPtys.set(rec.domid, this.freePty());
    // xenstored mapped the guest's xenstore page when libxl introduced it; xenconsoled maps its
    // console page and binds the console port. The guest's xenbus and hvc drivers talk through
    // the pages start_info names.
    const m = rec.magic!;
    const d = this.hv.get(rec.domid);
    const xenstore = xenbusComms(this.hv, rec.domid, d.sharedFrame(m.storePfn)!, m.storePort);
    const console = hvcConsole(this.hv, rec.domid, d.sharedFrame(m.consolePfn)!, m.consolePort);
    this.xenconsoled.connect(rec.domid, rec.name, m.consolePort);
    const devd = await this.driverDomains.start(rec);
    const g = new GuestKernel({
      domid: rec.domid, name: rec.name, type: rec.type, hv: this.hv, clock: this.clock,
      xenstore, console, ports: { store: m.storePort, console: m.consolePort }, serial, disks: hw.disks, cdroms: hw.cdroms, platformPci: hw.platformPci, cmdline: hw.cmdline, firmware: hw.firmware, workload: parseWorkload(rec.workload ?? undefined), alreadyBooted,
      devd,
    });
    this.guests.set(rec.domid, g);
    await g.start();
    const pty = this.serialPtys.get(rec.domid);
    return pty === undefined ? {} : { serialTty: `/dev/pts/${pty}` };
  }

  /** The lowest pty number no guest's serial port holds; /dev/pts/0 is the admin's own terminal. */
  private freePty(): number {
    const used = new Set(this.serialPtys.values());
    let n = 1;
    while (used.has(n)) n++;
    return n;
  }

  private stopGuest(domid: number): void {
    this.driverDomains.stop(domid);
    this.guests.get(domid)?.stop();
    this.guests.delete(domid);
    this.serialPtys.delete(domid);
    this.xenconsoled.remove(domid);
  }

  /** A backend's data path gave up on a device (the frontend misbehaved): logged as Dom0's kernel logs it, and closed. */

  /** xenlabd dom0 restart (see dom0-restart.ts); false if one is under way already. */
  async restartDom0(): Promise<Dom0RestartResult | false> {
    if (this.dom0Restarting) return false;
    this.dom0Restarting = true;
    try {
      return await restartDom0({
        clock: this.clock, xenstored: this.xenstored, xenconsoled: this.xenconsoled, xenstoredSocket: this.paths.xenstored,
        backends: () => this.backends,
        closeDom0Links: () => { for (const close of this.dom0Links.splice(0)) close(); },
        startServices: async () => {
          this.dom0BootNs = this.clock.now() - DOM0_KEXEC_BOOT_NS;
          await this.startDom0Services();
        },
        xs: () => this.toolstack.xs,
        log: l => this.log(l),
      });
    } finally {
      // Every service runs again: crashes the fault plane injected are over.
      for (const f of this.faults.list()) if (f.kind === 'dom0-service-crash') this.faults.remove(f.id);
      this.dom0Restarting = false;
    }
  }

  /** Record what runs on by itself (CPU time, the clock): periodic, and after a clock advance. */
  checkpoint(): void { this.persistence.checkpoint(); this.savePci(); }

  /** Advance simulated time, letting reactions (watches, acks, actions) run at each timer's instant. */
  async advance(to: bigint): Promise<void> {
    while (this.clock.now() < to) {
      const next = this.clock.nextTimerAt();
      const stop = next !== undefined && next < to ? next : to;
      this.clock.advanceTo(stop);
      await settle();
      await this.clock.held();
    }
    await settle();
  }

  async shutdown(): Promise<void> {
    this.libvirtd?.close();
    this.persistence.checkpoint();
    for (const g of this.guests.values()) g.stop();
    this.drbd.close();
    await this.xenstored.close();
  }
}

/** Let every pending reaction (promise chains, in-process xenstore round trips) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 4; i++) await new Promise(r => setImmediate(r));
}
