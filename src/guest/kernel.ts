// The emulated guest kernel of one domU. It boots (console lines over simulated time), talks to
// xenstored over its own ring as its own domid, honours control/shutdown and memory/target with
// the real acknowledgements, and then runs its workload. Hypercalls are calls into the
// hypervisor model; everything else goes through the rings the daemon wired up.
import type { Clock, Timer } from '../machine/clock.ts';
import type { Hypervisor } from '../hypervisor/hypervisor.ts';
import type { GuestConsole, XenstoreRing } from '../hypervisor/console-page.ts';
import { ShutdownReason } from '../hypervisor/shutdown-reason.ts';
import { XsClient } from '../formats/xenstore-client.ts';
import type { Workload } from '../formats/workload-spec.ts';
import { BOOT_SECONDS, SHUTDOWN_SECONDS, bootLog, firmwareLog, type Firmware } from './boot-log.ts';
import { guestCdroms, guestDisks } from './disk-name.ts';
import { Shell } from './shell.ts';
import { Balloon } from './balloon.ts';
import { Frontends } from './frontends.ts';
import { PvFrontends } from './pv-frontends.ts';
import { VIRQ_DEBUG, VIRQ_TIMER } from '../hypervisor/event-channel.ts';
import { LinuxIrqs } from '../formats/linux-irqs.ts';
import { IoWorkload } from './io-workload.ts';
import { MemoryWorkload } from './memory-workload.ts';
import { Printk } from './printk.ts';
import { xenlabFault } from './fault.ts';
import { guestPlatform } from './acpi-events.ts';
import { Pcifront } from './pcifront.ts';
import { lspci } from './lspci.ts';
import { GUEST_UTS } from './uname.ts';
import { driverDomainXl, type DevdHost } from './devd-xl.ts';

const SEC = 1_000_000_000n;
/** Demand of an idle guest's vCPUs: timer ticks and housekeeping. */
const IDLE_DEMAND = 0.002;
/** Demand of vCPU 0 while booting. */
const BOOT_DEMAND = 0.6;

export interface GuestOptions {
  domid: number;
  name: string;
  type: 'pv' | 'pvh' | 'hvm';
  hv: Hypervisor;
  clock: Clock;
  xenstore: XenstoreRing;
  /** The PV console (hvc0). */
  console: GuestConsole;
  /** The xenstore and console ports start_info names (xenbus and hvc bind them; /proc/interrupts names them). */
  ports?: { store: number; console: number };
  /** An HVM guest's emulated serial port (ttyS0), when its config gives it one. */
  serial?: GuestConsole;
  /** Virtual-device numbers of the guest's disks, in config order. */
  disks: number[];
  /** Virtual-device numbers of an HVM guest's emulated CD-ROM drives. */
  cdroms?: number[];
  /** An HVM guest has the Xen platform PCI device (xen_platform_pci, on by default): its PV drivers unplug the emulated disks. */
  platformPci: boolean;
  /** The PV kernel's command line from the config. */
  cmdline?: string;
  /** An HVM guest's firmware (xl.cfg bios=). */
  firmware?: Firmware;
  workload: Workload;
  /** Skip the boot (a guest carried over a daemon restart is already up). */
  alreadyBooted?: boolean;
  /** A driver domain's `xl devd` (libxl's device events handler, in the domain): absent on other guests. */
  devd?: DevdHost;
}

export class GuestKernel {
  readonly domid: number;
  private readonly o: GuestOptions;
  private readonly xs: XsClient;
  /** A getty and shell on each terminal systemd starts one on. */
  private readonly shells: Shell[];
  readonly balloon: Balloon;
  readonly frontends: Frontends;
  /** vtpm, vkbd, vdispl and vsnd frontends */
  readonly pvFrontends: PvFrontends;
  /** Its Linux IRQs, one per bound event channel (/proc/interrupts). */
  private readonly interrupts: LinuxIrqs;
  /** The emulated CD-ROM drives (an HVM guest's), by devid: their media's sizes in bytes. */
  private readonly cdroms = new Map<number, number>();
  private readonly io: IoWorkload;
  /** The PCI devices passed through to it. */
  private readonly pcifront: Pcifront;
  private readonly dirtier: MemoryWorkload;
  private booted = false;
  private stopping = false;
  private timers: Timer[] = [];
  private pendingControl: string | null = null;
  private home: string;
  /** When the kernel started: printk's time 0 (a guest carried over a restart counts from its creation). */
  private bootNs: bigint;
  /**
   * Where the kernel's log goes: console=ttyS0 on HVM (lost without a serial port, as on a real
   * guest whose serial is off), hvc0 on PV and PVH.
   */
  private readonly kernelTty: GuestConsole | undefined;

  constructor(o: GuestOptions) {
    this.o = o;
    this.domid = o.domid;
    this.home = `/local/domain/${o.domid}`;
    this.bootNs = o.hv.get(o.domid).createdNs;
    this.kernelTty = o.type === 'hvm' ? o.serial : o.console;
    const log = (s: string) => this.kernelTty?.guestWrite(s);
    this.xs = new XsClient(b => o.xenstore.write(b));
    o.xenstore.onData(b => this.xs.feed(b));
    // systemd's getty generator: one on the kernel's serial console, one on hvc0.
    const ttys: [string, GuestConsole][] = [...(o.serial ? [['ttyS0', o.serial]] as [string, GuestConsole][] : []), ['hvc0', o.console]];
    this.shells = ttys.map(([tty, page]) => this.getty(tty, page));
    this.balloon = new Balloon(o.hv, o.clock, o.domid);
    this.frontends = new Frontends(this.xs, o.hv, o.domid);
    const printk = new Printk(o.clock, () => this.bootNs, log);
    this.io = new IoWorkload(o.hv, o.clock, o.domid, o.workload, printk, o.disks[0]);
    // The kernel's NMI callback and (HVM) its ACPI button and S3 handling.
    o.hv.get(o.domid).platform = guestPlatform({
      printk, poweroff: () => this.powerDown(ShutdownReason.poweroff), enterS3: () => o.hv.s3Suspend(o.domid),
    });
    this.dirtier = new MemoryWorkload(o.hv, o.clock, o.domid, o.workload.dirtyPagesPerSec);
    this.frontends.onConnected = (kind, devid, sectors, readOnly) => { if (kind === 'vif') this.io.addNet(devid); else this.io.addBlk(devid, sectors, readOnly); };
    this.frontends.onClosed = (kind, devid) => this.io.removeDevice(kind, devid);
    // Legacy PIC IRQs below the first dynamic one on PV; the IO-APIC's 24 on PVH and HVM, whose events come by vector.
    this.interrupts = new LinuxIrqs(o.type === 'pv' ? 16 : 24, o.type !== 'pv');
    this.frontends.onBound = (port, name) => this.interrupts.bind(port, 'xen-dyn-lateeoi', 'event', name);
    this.frontends.onUnbound = port => this.interrupts.unbind(port);
    this.pcifront = new Pcifront(this.xs, o.hv, o.clock, o.domid, o.type === 'hvm', o.workload, {
      bound: (port, name, type, cpu) => this.interrupts.bind(port, 'xen-pirq', type, name, cpu),
      unbound: port => this.interrupts.unbind(port),
      grantPage: backendId => this.frontends.grantPage(backendId),
      log: line => printk.line(line),
    });
    this.pvFrontends = new PvFrontends(this.xs, o.hv, o.domid, () => this.frontends.sharedGnttab());
    this.pvFrontends.onBound = (port, name) => this.interrupts.bind(port, 'xen-dyn', 'event', name);
    this.pvFrontends.onUnbound = port => this.interrupts.unbind(port);
  }

  private getty(tty: string, page: GuestConsole): Shell {
    const o = this.o;
    const shell = new Shell({
      name: o.name,
      tty,
      write: s => page.guestWrite(s),
      uptimeSec: () => Number(o.clock.now() - o.hv.get(o.domid).createdNs) / 1e9,
      wallMs: () => o.clock.wallMs(),
      memKb: () => ({ total: o.hv.get(o.domid).totPages * 4 }),
      runnable: () => (o.workload.cpuPercent / 100) * o.hv.get(o.domid).onlineVcpus,
      after: (sec, fn) => this.shellTimer(sec, fn),
      vcpus: () => o.hv.get(o.domid).onlineVcpus,
      procInterrupts: () => this.interrupts.procInterrupts(o.hv.get(o.domid).onlineVcpus, port => o.hv.domains.get(o.domid)?.evtchn.ports[port]?.count ?? 0),
      poweroff: () => this.powerDown(ShutdownReason.poweroff),
      reboot: () => this.powerDown(ShutdownReason.reboot),
      crash: () => this.crash(),
      fault: args => xenlabFault(args, this.frontends),
      blockSizes: () => Object.fromEntries([...this.cdroms].sort(([a], [b]) => a - b).map(([, bytes], i) => [`sr${i}`, Math.floor(bytes / 512)])),
      lspci: args => lspci(args, { hvm: o.type === 'hvm', platformPci: o.platformPci, emulatedNics: this.pcifront.emulatedNics, devices: this.pcifront.devices }),
      xl: o.devd && (args => {
        const { result, foreground } = driverDomainXl(args, o.devd!);
        return { result, stop: foreground ? () => o.devd!.stop() : undefined };
      }),
    });
    page.onGuestInput(d => { if (this.booted && !this.paused()) shell.input(d); });
    return shell;
  }

  /** A timer of the shell's (free -s): cancelled with the kernel's own when it stops. */
  private shellTimer(sec: number, fn: () => void): () => void {
    const t = this.o.clock.after(BigInt(Math.round(sec * 1e9)), () => { this.timers = this.timers.filter(x => x !== t); fn(); });
    this.timers.push(t);
    return () => this.o.clock.cancel(t);
  }

  private paused(): boolean { return this.o.hv.domains.get(this.domid)?.paused ?? true; }

  /** Start running: boot, then connect to xenstore's control keys. */
  async start(): Promise<void> {
    this.xs.onWatchEvent(path => { void this.onWatch(path); });
    await this.xs.watch(`${this.home}/control/shutdown`, 'control');
    await this.xs.watch(`${this.home}/memory/target`, 'balloon');
    await this.xs.watch(`${this.home}/control/sysrq`, 'sysrq');
    this.bindEventChannels();
    if (this.o.alreadyBooted) { this.bootDone(); this.whenRunning(() => { void this.frontends.start(); void this.pcifront.start(); void this.pvFrontends.start(); }); return; }
    this.whenRunning(() => this.boot());
  }

  /**
   * In Linux's order: each online CPU's timer VIRQ, IPIs and debug VIRQ (xen_setup_timer,
   * xen_smp_intr_init, the PV irq_work IPI, PV spinlocks when there are several CPUs), then xenbus
   * and hvc on the start_info ports.
   */
  private bindEventChannels(): void {
    const { hv, ports } = this.o;
    const bind = (port: number, chip: string, type: 'virq' | 'ipi' | 'event', name: string, cpu = 0): void => {
      hv.evtchn.setHandler(this.domid, port, () => {});
      this.interrupts.bind(port, chip, type, name, cpu);
    };
    const nr = hv.get(this.domid).onlineVcpus;
    for (let v = 0; v < nr; v++) {
      const ipi = (name: string): void => bind(hv.evtchn.bindIpi(this.domid, v), 'xen-percpu', 'ipi', `${name}${v}`, v);
      bind(hv.evtchn.bindVirq(this.domid, VIRQ_TIMER, v), 'xen-percpu', 'virq', `timer${v}`, v);
      ipi('resched');
      ipi('callfunc');
      bind(hv.evtchn.bindVirq(this.domid, VIRQ_DEBUG, v), 'xen-percpu', 'virq', `debug${v}`, v);
      ipi('callfuncsingle');
      if (this.o.type === 'pv') ipi('irqwork');
      if (nr > 1) ipi('spinlock');
    }
    // xenbus and hvc bound their ports to their own handlers: named here, counted by the hypervisor.
    if (ports) {
      this.interrupts.bind(ports.store, 'xen-dyn', 'event', 'xenbus');
      this.interrupts.bind(ports.console, 'xen-dyn-lateeoi', 'event', 'hvc_console');
    }
  }

  /**
   * A paused domain runs no code: a domain built paused (create -p) boots at its first unpause,
   * and a restored one reconnects its frontends once it runs (its memory is all in by then).
   */
  private whenRunning(fn: () => void): void {
    if (this.stopping) return;
    if (this.paused()) { this.timers.push(this.o.clock.after(SEC / 10n, () => this.whenRunning(fn))); return; }
    fn();
  }

  private boot(): void {
    const { clock, hv } = this.o;
    this.bootNs = clock.now();
    this.setDemand(BOOT_DEMAND, IDLE_DEMAND);
    const d = hv.get(this.domid);
    const memMiB = Math.floor(d.totPages / 256);
    if (this.o.type === 'hvm') for (const line of firmwareLog({ memMiB, cpuMhz: hv.machine.mhz, firmware: this.o.firmware ?? 'seabios' })) hv.hvmDebugWrite(this.domid, line + '\n');
    const pvDisks = this.o.type !== 'hvm' || this.o.platformPci;
    const log = bootLog({
      name: this.o.name, type: this.o.type, vcpus: d.onlineVcpus, memMiB, uuid: d.uuid, cmdline: this.o.cmdline, firmware: this.o.firmware,
      disks: guestDisks(this.o.disks, pvDisks), pvDisks, cdroms: guestCdroms(this.o.cdroms ?? []),
    });
    for (const [s, line] of log) {
      this.timers.push(clock.after(BigInt(Math.round(s * 1e9)), () => this.kernelTty?.guestWrite(line + '\r\n')));
    }
    this.timers.push(clock.after(SEC / 2n, () => { void this.frontends.start(); void this.pcifront.start(); void this.pvFrontends.start(); }));
    this.timers.push(clock.after(BigInt(BOOT_SECONDS) * SEC, () => this.bootDone()));
  }

  private bootDone(): void {
    this.booted = true;
    // The boot's timers have fired: let go of them and the log lines they hold.
    this.timers = this.timers.filter(t => !t.cancelled);
    const w = this.o.workload;
    const frac = w.cpuPercent > 0 ? w.cpuPercent / 100 : IDLE_DEMAND;
    this.setDemand(frac, frac);
    // The PV drivers announce what they support (Linux's xenbus writes these).
    for (const f of ['feature-poweroff', 'feature-reboot', 'feature-suspend']) void this.xs.write(`${this.home}/control/${f}`, '1').catch(() => {});
    for (const sh of this.shells) sh.prompt();
    // Xen's xendriverdomain service runs `xl devd` at a driver domain's boot.
    this.o.devd?.start();
    this.dirtier.start();
    if (this.pendingControl !== null) void this.onWatch(`${this.home}/control/shutdown`);
  }

  private setDemand(vcpu0: number, others: number): void {
    const d = this.o.hv.get(this.domid);
    for (let v = 0; v < d.maxVcpus; v++) this.o.hv.setWorkloadDemand(this.domid, v, v === 0 ? vcpu0 : others);
  }

  private async onWatch(path: string): Promise<void> {
    if (this.stopping) return;
    if (path === `${this.home}/control/shutdown`) {
      let req: string;
      try { req = await this.xs.read(path); } catch { return; }
      if (!req) return;
      // A paused guest runs no code, so it cannot acknowledge; it sees the request once unpaused.
      if (this.paused()) { this.pendingControl = req; this.retryWhenRunning(); return; }
      this.pendingControl = null;
      // Acknowledge by clearing the key, as Linux's xenbus shutdown handler does.
      await this.xs.write(path, '').catch(() => {});
      if (req === 'poweroff' || req === 'halt') this.powerDown(ShutdownReason.poweroff);
      else if (req === 'reboot') this.powerDown(ShutdownReason.reboot);
      else if (req === 'suspend') this.suspend();
    } else if (path === `${this.home}/control/sysrq`) {
      let key: string;
      try { key = await this.xs.read(path); } catch { return; }
      if (!key || this.paused()) return;
      await this.xs.write(path, '').catch(() => {});
      this.sysrq(key);
    } else if (path === `${this.home}/memory/target`) {
      try { this.balloon.setTarget(Number(await this.xs.read(path))); } catch {}
    }
  }

  private retryWhenRunning(): void {
    this.timers.push(this.o.clock.after(SEC / 10n, () => {
      if (this.pendingControl === null || this.stopping) return;
      if (this.paused()) this.retryWhenRunning();
      else void this.onWatch(`${this.home}/control/shutdown`);
    }));
  }

  private powerDown(reason: number): void {
    if (this.stopping) return;
    this.stopping = true;
    this.kernelTty?.guestWrite(`\r\n[  OK  ] Reached target ${reason === ShutdownReason.reboot ? 'Reboot' : 'Power-Off'}.\r\n`);
    this.setDemand(BOOT_DEMAND, IDLE_DEMAND);
    this.timers.push(this.o.clock.after(BigInt(SHUTDOWN_SECONDS) * SEC, () => {
      this.kernelTty?.guestWrite(reason === ShutdownReason.reboot ? 'reboot: Restarting system\r\n' : 'reboot: Power down\r\n');
      this.o.hv.shutdownDomain(this.domid, reason);
    }));
  }

  private suspend(): void {
    this.kernelTty?.guestWrite('Freezing user space processes ... (elapsed 0.001 seconds) done.\r\n');
    this.o.hv.shutdownDomain(this.domid, ShutdownReason.suspend);
  }

  /** Linux's magic SysRq keys that matter here: c crash, b reboot now, o power off now. */
  private sysrq(key: string): void {
    if (key === 'c') { this.crash(); return; }
    if (key === 'b' || key === 'o') {
      this.stopping = true;
      this.kernelTty?.guestWrite(`sysrq: ${key === 'b' ? 'Resetting' : 'Power Off'}\r\n`);
      this.o.hv.shutdownDomain(this.domid, key === 'b' ? ShutdownReason.reboot : ShutdownReason.poweroff);
      return;
    }
    this.kernelTty?.guestWrite(`sysrq: HELP : loglevel(0-9) reboot(b) crash(c) poweroff(o)\r\n`);
  }

  /**
   * A bug in the kernel itself (the fault plane's guest-crash): Linux's oops for a NULL pointer
   * written in kernel mode, then the panic on the fatal exception; Xen's on_crash applies.
   * `inNetback`: the bug is in a driver domain's netback, in its NAPI poll (run by ksoftirqd).
   */
  oops(inNetback = false): void {
    if (this.stopping) return;
    this.stopping = true;
    const printk = new Printk(this.o.clock, () => this.bootNs, s => this.kernelTty?.guestWrite(s));
    for (const line of [
      'BUG: kernel NULL pointer dereference, address: 0000000000000000',
      '#PF: supervisor write access in kernel mode',
      '#PF: error_code(0x0002) - not-present page',
      'Oops: 0002 [#1] PREEMPT SMP NOPTI',
      `CPU: 0 PID: ${inNetback ? '14 Comm: ksoftirqd/0' : '0 Comm: swapper/0'} Not tainted ${GUEST_UTS.release} #1 ${/Debian \S+/.exec(GUEST_UTS.version)![0]}`,
      ...(inNetback ? ['RIP: 0010:xenvif_tx_build_gops+0x2c1/0x9b0 [xen_netback]'] : []),
      'Kernel panic - not syncing: Fatal exception in interrupt',
    ]) printk.line(line);
    this.o.hv.shutdownDomain(this.domid, ShutdownReason.crash);
  }

  private crash(): void {
    this.stopping = true;
    this.kernelTty?.guestWrite('sysrq: Trigger a crash\r\nKernel panic - not syncing: sysrq triggered crash\r\n');
    this.o.hv.shutdownDomain(this.domid, ShutdownReason.crash);
  }

  /**
   * QEMU's emulated CD-ROM drive `devid` has a new medium of `bytes` (0: none). The sr driver
   * sees the media change and resizes sr0, ... (the drives in IDE order).
   */
  changeMedium(devid: number, bytes: number): void { this.cdroms.set(devid, bytes); }

  /** The domain is gone: stop timers and drop the ring. */
  stop(): void {
    this.stopping = true;
    for (const t of this.timers) this.o.clock.cancel(t);
    this.balloon.stop();
    this.io.stop();
    this.dirtier.stop();
    this.pcifront.stop();
    this.xs.close();
    this.o.xenstore.close();
  }
}
