// The PCI devices a guest was given. A PV guest's pcifront meets pciback through xenstore: it
// publishes its op page and event channel (Initialised), and once the backend is Connected it
// scans the virtual bus pciback exported (vdev-N); a hot-plug or unplug comes as Reconfiguring
// (pcifront lets go of Closing devices) then Reconfigured (it takes the new ones). An HVM guest
// finds the devices on QEMU's bus at the slots libxl recorded (vdevfn-N). Either way the
// device's driver enables its MSI-X (or MSI) vectors, each a pirq Xen maps for the guest and
// the kernel binds to an event channel, and the device raises them as it moves the guest's
// traffic (a NIC: one interrupt per batch of packets, per queue, as interrupt moderation allows).
import type { XsClient } from '../formats/xenstore-client.ts';
import type { Clock, Timer } from '../machine/clock.ts';
import type { Hypervisor } from '../hypervisor/hypervisor.ts';
import type { PciAddress, PciFunction } from '../machine/pci.ts';
import type { Workload } from '../formats/workload-spec.ts';

/** A device as the guest sees it: where, which physical function, its driver's vectors. */
export interface GuestPciDevice { at: PciAddress; fn: PciFunction; vectors: { irq: number; pirq: number; port: number; name: string }[] }

export interface PcifrontHooks {
  /** A vector's IRQ was bound to a port (its /proc/interrupts line), or unbound. */
  bound(port: number, name: string, type: 'msi' | 'msi-x', cpu: number): void;
  unbound(port: number): void;
  /** A page granted to the backend's domain (the pci-op page). */
  grantPage(backendId: number): number;
  /** A kernel log line (printk). */
  log(line: string): void;
}

const TICK_NS = 100_000_000n;
/** Frames per interrupt on a busy queue, and the most interrupts one queue raises a second (ITR). */
const PACKETS_PER_IRQ = 16, MAX_IRQ_RATE = 8000;
const MTU_BYTES = 1500;
const NIC_DRIVERS = new Set(['ixgbe', 'ixgbevf', 'i40e', 'iavf']);

async function readOr(xs: XsClient, path: string): Promise<string | null> {
  try { return await xs.read(path); } catch { return null; }
}

export class Pcifront {
  readonly devices: GuestPciDevice[] = [];
  /** An HVM guest's NICs QEMU emulates (they sit before the passed-through devices on its bus). */
  emulatedNics = 0;
  private readonly fe: string;
  private busy: Promise<void> = Promise.resolve();
  private timer: Timer | undefined;
  private stopped = false;

  constructor(private readonly xs: XsClient, private readonly hv: Hypervisor, private readonly clock: Clock,
    private readonly domid: number, private readonly hvm: boolean, private readonly workload: Workload, private readonly hooks: PcifrontHooks) {
    this.fe = `/local/domain/${domid}/device/pci/0`;
  }

  async start(): Promise<void> {
    this.xs.onWatchEvent((_p, token) => { if (token === 'pcifront') this.kick(); });
    await this.xs.watch(this.fe, 'pcifront');
    const be = await readOr(this.xs, `${this.fe}/backend`);
    if (be) await this.xs.watch(be, 'pcifront');
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    this.clock.cancel(this.timer);
  }

  private kick(): void { this.busy = this.busy.then(() => this.evaluate()).catch(() => {}); }

  private async evaluate(): Promise<void> {
    if (this.stopped) return;
    const xs = this.xs;
    const state = await readOr(xs, `${this.fe}/state`);
    const be = await readOr(xs, `${this.fe}/backend`);
    if (state === null || !be) { this.detach(() => true); return; }
    await xs.watch(be, 'pcifront').catch(() => {});
    if (this.hvm) {
      this.emulatedNics = (await xs.directory(`/local/domain/${this.domid}/device/vif`).catch(() => [] as string[])).length;
      await this.scan(be, 'vdevfn');
      return;
    }
    const bstate = await readOr(xs, `${be}/state`);
    if (state === '1') {
      const backendId = Number(await readOr(xs, `${this.fe}/backend-id`) ?? 0);
      const port = this.hv.evtchn.allocUnbound(this.domid, backendId);
      const ref = this.hooks.grantPage(backendId);
      await xs.transaction(async tx => {
        for (const [k, v] of [['pci-op-ref', String(ref)], ['event-channel', String(port)], ['magic', '7'], ['state', '3']]) await xs.write(`${this.fe}/${k}`, v!, tx);
      });
    } else if (state === '3' && bstate === '4') {
      await this.scan(be, 'vdev');
      await xs.write(`${this.fe}/state`, '4');
    } else if (state === '4' && bstate === '4') {
      // Connected already (a guest carried over a daemon restart): take the devices again.
      await this.scan(be, 'vdev');
    } else if (state === '4' && bstate === '7') {
      await this.scan(be, 'vdev');
      await xs.write(`${this.fe}/state`, '7');
    } else if (state === '7' && bstate === '8') {
      await this.scan(be, 'vdev');
      await xs.write(`${this.fe}/state`, '4');
    }
  }

  /** Take the devices the backend lists (vdev-N from pciback, vdevfn-N from libxl for QEMU); drop those gone or Closing. */
  private async scan(be: string, key: 'vdev' | 'vdevfn'): Promise<void> {
    const num = parseInt(await readOr(this.xs, `${be}/num_devs`) ?? '0', 10) || 0;
    const present: string[] = [];
    for (let i = 0; i < num; i++) {
      const dev = await readOr(this.xs, `${be}/dev-${i}`);
      const st = await readOr(this.xs, `${be}/state-${i}`);
      const fn = dev ? this.hv.machine.pci.get(dev) : undefined;
      if (!fn || st === '5' || st === '6') continue;
      const at = await this.address(be, key, i);
      if (!at) continue;
      present.push(fn.sbdf);
      if (!this.devices.some(d => d.fn.sbdf === fn.sbdf)) this.attach(fn, at);
    }
    this.detach(d => !present.includes(d.fn.sbdf));
  }

  private async address(be: string, key: 'vdev' | 'vdevfn', i: number): Promise<PciAddress | null> {
    const v = await readOr(this.xs, `${be}/${key}-${i}`);
    if (key === 'vdevfn') {
      const devfn = v ? parseInt(v, 16) : 0;
      return { seg: 0, bus: 0, dev: devfn >> 3, fn: devfn & 7 };
    }
    const m = v && /^([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-9a-f]+)$/.exec(v);
    return m ? { seg: parseInt(m[1]!, 16), bus: parseInt(m[2]!, 16), dev: parseInt(m[3]!, 16), fn: parseInt(m[4]!, 16) } : null;
  }

  /** The driver probes: its vectors mapped as pirqs of this guest and bound (one queue per vCPU for a NIC). */
  private attach(fn: PciFunction, at: PciAddress): void {
    const spec = fn.spec;
    const vcpus = this.hv.get(this.domid).onlineVcpus;
    const ifname = `enp${at.bus}s${at.dev}${at.fn ? `f${at.fn}` : ''}`;
    const type = spec.msix ? 'msi-x' : 'msi';
    const max = spec.msix?.vectors ?? (spec.msi ? 1 : 0);
    const names = spec.driver && NIC_DRIVERS.has(spec.driver)
      ? [...Array.from({ length: Math.min(vcpus, Math.max(1, max - 1)) }, (_, q) => `${ifname}-TxRx-${q}`), ifname]
      : spec.driver === 'nvme' ? Array.from({ length: Math.min(vcpus + 1, max) }, (_, q) => `nvme0q${q}`)
        : max ? [spec.driver ?? 'pci'] : [];
    const vectors = names.slice(0, max).map((name, q) => {
      const cpu = q % vcpus;
      const { irq, pirq } = this.hv.irqs.mapMsi(this.domid, cpu);
      const port = this.hv.evtchn.bindPirq(this.domid, pirq);
      this.hv.evtchn.setHandler(this.domid, port, () => {});
      this.hooks.bound(port, name, type, cpu);
      return { irq, pirq, port, name };
    });
    const where = `0000:${at.bus.toString(16).padStart(2, '0')}:${at.dev.toString(16).padStart(2, '0')}.${at.fn}`;
    this.hooks.log(`pci ${where}: [${spec.vendor.toString(16).padStart(4, '0')}:${spec.device.toString(16).padStart(4, '0')}] type 00 class 0x${spec.classCode.toString(16).padStart(6, '0')}`);
    if (spec.classCode >> 8 === 0x0300) this.hooks.log(`pci ${where}: vgaarb: VGA device added: decodes=io+mem,owns=none,locks=none`);
    this.devices.push({ at, fn, vectors });
    this.devices.sort((a, b) => a.at.dev - b.at.dev || a.at.fn - b.at.fn);
    this.schedule();
  }

  private detach(gone: (d: GuestPciDevice) => boolean): void {
    for (const d of this.devices.filter(gone)) {
      for (const v of d.vectors) {
        this.hooks.unbound(v.port);
        this.hv.evtchn.close(this.domid, v.port);
        this.hv.irqs.unmapMsi(v.irq);
      }
      this.devices.splice(this.devices.indexOf(d), 1);
    }
  }

  /** Every tick, each NIC's queues interrupt for the frames the workload moved through them. */
  private schedule(): void {
    if (this.timer || this.stopped) return;
    const tick = (): void => {
      this.timer = undefined;
      if (this.stopped || !this.devices.length) return;
      const d = this.hv.domains.get(this.domid);
      if (d && !d.paused && !d.shutdown) this.traffic(Number(TICK_NS) / 1e9);
      this.timer = this.clock.after(TICK_NS, tick);
    };
    this.timer = this.clock.after(TICK_NS, tick);
  }

  private traffic(seconds: number): void {
    const frames = (this.workload.netTxBps + this.workload.netRxBps) * seconds / MTU_BYTES;
    for (const d of this.devices) {
      if (!d.fn.spec.driver || !NIC_DRIVERS.has(d.fn.spec.driver)) continue;
      const queues = d.vectors.slice(0, -1);
      for (const v of queues) {
        const n = Math.min(Math.ceil(frames / queues.length / PACKETS_PER_IRQ), MAX_IRQ_RATE * seconds);
        if (n > 0) this.hv.irqs.raise(v.irq, n);
      }
    }
  }
}
