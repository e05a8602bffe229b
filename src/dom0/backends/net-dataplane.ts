// netback's data path: each vif's rings are two queues of Dom0's backend work (backend-work.ts)
// on the machine's NIC: what the guest transmits leaves through the NIC, within the vif's
// credit-based rate limit (`rate` = bytes per interval); traffic for the guest comes in through
// it and fills the receive buffers the guest posted. Packets and bytes are counted from Dom0's
// side of the vif, as xenstat reads them: the guest's transmit is the vif's RX.
import type { Clock } from '../../machine/clock.ts';
import { queueCeiling, type DeviceModel } from '../../machine/devices.ts';
import type { NetRequest, NetRings, Ring } from '../../hypervisor/io-ring.ts';
import type { NetStats } from '../io-stats.ts';
import { XEN_NETIF_MAX_TX_SIZE, XEN_PAGE_SIZE } from '../../formats/xen-ring/index.ts';
import type { BackendWork, IoQueue, Served, WorkCost } from './backend-work.ts';
import type { NetbackGrants } from './netback-grants.ts';
import type { FaultTable } from '../../machine/faults.ts';
import { NetBuffer, type NetbufStats } from './netbuf.ts';

/** A grant copy of the packet's pages, the bridge and the NIC driver; an interrupt. */
const NETBACK_COST: WorkCost = { perRequest: 1_000, perByte: 2, perNotify: 2_000 };

/** What netback checks and moves through the grant table: the ring as a whole, then each request's pages. */
interface VifGrants { sane(): boolean; request(r: NetRequest): boolean }

/** The injected faults on one vif now (the fault plane): the share of packets lost, the delay added to each. */
interface VifFaults { lossPercent: number; latencyMs: number }

interface Vif { domid: number; devid: number; queues: IoQueue[]; stats: NetStats }

/** Parse the backend's `rate` key, "bytes,usecs", into bytes per second. */
export function parseRate(rate: string | null): number | null {
  if (!rate) return null;
  const [b, us] = rate.split(',').map(Number);
  if (!b || !us) return null;
  return b * 1e6 / us;
}

/** One direction of a vif: its ring, the bytes a request carries at most, and what it counts. */
class VifQueue implements IoQueue {
  readonly cost = NETBACK_COST;
  /** The rate limit's credit (bytes; below 0 after a packet larger than what was left) and when it was last filled. */
  private credit = 0;
  private filledAt: bigint;
  /** Packets owed to a vif-loss fault: a fraction is carried over, so the loss is exact over time. */
  private losing = 0;

  constructor(readonly device: DeviceModel, readonly direction: 'in' | 'out', private readonly ring: Ring<NetRequest>, private readonly maxRequest: number,
    private readonly count: (r: NetRequest) => void, private readonly clock: Clock, private readonly bytesPerSec: number | null,
    private readonly grants: VifGrants, private readonly irq: () => void,
    private readonly faults: () => VifFaults, private readonly drop: (packets: number) => void) {
    this.filledAt = clock.now();
  }

  pending(): boolean { return this.ring.pending > 0; }

  ceiling(seconds: number, sharers: number): number {
    // A vif-latency fault holds each packet longer, so fewer complete in a tick.
    const latencyMs = this.faults().latencyMs;
    const device = latencyMs ? { ...this.device, latencyNs: this.device.latencyNs + latencyMs * 1e6 } : this.device;
    const inFlight = queueCeiling(device, this.ring.size, this.maxRequest, sharers, seconds);
    if (this.bytesPerSec === null) return inFlight;
    // The credit grows with time up to one tick's worth, as netback's credit timer refills it.
    const now = this.clock.now();
    const limit = this.bytesPerSec * seconds;
    this.credit = Math.min(this.credit + this.bytesPerSec * Number(now - this.filledAt) / 1e9, limit);
    this.filledAt = now;
    return Math.min(inFlight, Math.max(0, this.credit));
  }

  serve(max: number): Served {
    const n0 = this.ring.shared.notifiedFrontend;
    let bytes = 0, requests = 0;
    // A ring the frontend broke, or a page it never granted, stops the queue (the device is taken down).
    let sound = this.grants.sane();
    while (sound && bytes < max) {
      // Each batch answered at once is one notification, which lets the guest queue more.
      const reqs = this.ring.take(Math.max(1, Math.ceil((max - bytes) / this.maxRequest)));
      if (!reqs.length) break;
      for (const r of reqs) {
        if (!(sound = this.grants.request(r))) break;
        bytes += r.bytes; this.deliver(r);
      }
      requests += reqs.length;
    }
    if (this.bytesPerSec !== null) this.credit -= bytes;
    if (requests) this.irq();
    return { bytes, requests, notifications: this.ring.shared.notifiedFrontend - n0 };
  }

  /** A request's packets go on, less those a vif-loss fault drops (counted as drops, as the bridge counts them). */
  private deliver(r: NetRequest): void {
    const loss = this.faults().lossPercent;
    if (!loss) { this.count(r); return; }
    this.losing += r.packets * loss / 100;
    const dropped = Math.min(r.packets, Math.floor(this.losing));
    this.losing -= dropped;
    if (dropped) this.drop(dropped);
    if (dropped < r.packets) this.count({ ...r, bytes: Math.round(r.bytes * (r.packets - dropped) / r.packets), packets: r.packets - dropped });
  }
}

export class NetDataplane {
  private vifs = new Map<string, Vif>();
  /** The fault plane (vif-loss, vif-latency), when the daemon wires one in. */
  faults: Pick<FaultTable, 'value'> | undefined;
  /** Remus network buffers, by `domid/devid`: what the guest transmits is held there. */
  private netbufs = new Map<string, NetBuffer>();

  /** `irq`: the NIC raises its interrupt for completed work. */
  constructor(private readonly clock: Clock, private readonly work: BackendWork, private readonly nic: DeviceModel, private readonly grants: NetbackGrants,
    private readonly irq: () => void = () => {}) {}

  attach(domid: number, devid: number, rings: NetRings, bytesPerSec: number | null): void {
    const stats: NetStats = { id: devid, txBytes: 0, txPackets: 0, txErrors: 0, txDrops: 0, rxBytes: 0, rxPackets: 0, rxErrors: 0, rxDrops: 0 };
    const faults = (): VifFaults => ({ lossPercent: this.faults?.value('vif-loss', domid, devid) ?? 0, latencyMs: this.faults?.value('vif-latency', domid, devid) ?? 0 });
    const queues = [
      // Guest transmit → vif RX → out of the NIC.
      new VifQueue(this.nic, 'out', rings.tx, XEN_NETIF_MAX_TX_SIZE, r => {
        stats.rxBytes += r.bytes; stats.rxPackets += r.packets;
        this.netbufs.get(`${domid}/${devid}`)?.hold(r.packets, r.bytes);
      }, this.clock, bytesPerSec,
        { sane: () => this.grants.txRingSane(domid, devid, rings), request: r => this.grants.tx(domid, devid, r) }, this.irq,
        faults, n => { stats.rxDrops += n; }),
      // In from the NIC → the buffers the guest posted → vif TX.
      new VifQueue(this.nic, 'in', rings.rx, XEN_PAGE_SIZE, r => { stats.txBytes += r.bytes; stats.txPackets += r.packets; }, this.clock, null,
        { sane: () => true, request: r => this.grants.rx(domid, devid, r) }, this.irq,
        faults, n => { stats.txDrops += n; }),
    ];
    this.detach(domid, devid);
    this.vifs.set(`${domid}/${devid}`, { domid, devid, queues, stats });
    for (const q of queues) this.work.add(q);
  }

  detach(domid: number, devid?: number): void {
    for (const [k, v] of this.vifs) {
      if (v.domid !== domid || (devid !== undefined && v.devid !== devid)) continue;
      for (const q of v.queues) this.work.remove(q);
      this.vifs.delete(k);
    }
    this.grants.release(domid, devid);
  }

  /** Remus: buffer the output of each of the domain's vifs (remus-netbuf-setup install). */
  bufferOutput(domid: number): NetBuffer[] {
    this.unbufferOutput(domid);
    const bufs = [...this.vifs.values()].filter(v => v.domid === domid).map(v => new NetBuffer(domid, v.devid));
    for (const b of bufs) this.netbufs.set(`${domid}/${b.devid}`, b);
    return bufs;
  }

  /** Remus torn down: the plug qdiscs go, and with them what they held. */
  unbufferOutput(domid: number): void {
    for (const [k, b] of this.netbufs) if (b.domid === domid) this.netbufs.delete(k);
  }

  netbufStats(domid: number): NetbufStats[] {
    return [...this.netbufs.values()].filter(b => b.domid === domid).sort((a, b) => a.devid - b.devid).map(b => b.stats());
  }

  stats(domid: number): NetStats[] {
    return [...this.vifs.values()].filter(v => v.domid === domid).sort((a, b) => a.devid - b.devid).map(v => ({ ...v.stats }));
  }
}
