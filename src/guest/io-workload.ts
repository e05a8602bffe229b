// The guest's I/O workload: every tick it adds to a backlog per device what its `workload` rates
// ask (packets of at most 64 KiB, the largest a tx request describes; receive buffers of a page,
// which its peers fill; disk requests of 64 KiB) and queues that backlog on the devices' rings.
// When the backend answers a batch and notifies, the frontend's interrupt collects the answers
// and queues more, so a fast backend drains the backlog within the tick; what a full ring
// refuses stays in a bounded backlog (the application waits), so a slow backend throttles the
// guest. Disk requests are completed by blkback's responses; a failed one is logged as the block
// layer does.
import type { Clock, Timer } from '../machine/clock.ts';
import type { Hypervisor } from '../hypervisor/hypervisor.ts';
import { BLKIF_RSP_OKAY, type BlkRequest, type BlkRings } from '../hypervisor/io-ring.ts';
import type { Workload } from '../formats/workload-spec.ts';
import { XEN_NETIF_MAX_TX_SIZE, XEN_PAGE_SIZE } from '../formats/xen-ring/index.ts';
import { Ratelimit, type Printk } from './printk.ts';
import { blkfrontDiskName } from './disk-name.ts';

export const IO_TICK_NS = 100_000_000n;
const TICK_S = Number(IO_TICK_NS) / 1e9;
const MTU = 1500;
const BLK_REQ_SECTORS = 128;
/** 512-byte sectors in one 4 KiB page: a request's segments. */
const SECTORS_PER_PAGE = 8;
/** A receive buffer posted to netback: one page. */
const RX_BUFFER = { bytes: XEN_PAGE_SIZE, packets: Math.ceil(XEN_PAGE_SIZE / MTU) };
/** At most this many seconds of traffic wait in a backlog. */
const BACKLOG_S = 1;

interface NetDev { devid: number; txBacklog: number; rxBacklog: number }
/** `inflight` is blkfront's shadow: the requests on the ring by id, until their responses come. */
interface BlkDev { devid: number; name: string; sectors: number; next: number; readBacklog: number; writeBacklog: number; nextId: number; inflight: Map<number, BlkRequest>; diskReadOnly: boolean; readOnly?: boolean }

export class IoWorkload {
  private nets: NetDev[] = [];
  private blks: BlkDev[] = [];
  private timer: Timer | undefined;
  private readonly ioErrors = new Ratelimit('blk_print_req_error');

  /** `rootDevid`: the disk holding the root file system (ext4 on its first partition). */
  constructor(private readonly hv: Hypervisor, private readonly clock: Clock, private readonly domid: number, private readonly w: Workload, private readonly printk: Printk,
    private readonly rootDevid?: number) {}

  private get active(): boolean { return this.w.netTxBps + this.w.netRxBps + this.w.diskReadBps + this.w.diskWriteBps > 0; }

  addNet(devid: number): void {
    const n: NetDev = { devid, txBacklog: 0, rxBacklog: 0 };
    this.nets.push(n);
    // netfront's interrupts: answered transmits and filled buffers free slots for more.
    const rings = this.hv.rings.net(this.domid, devid);
    rings.tx.shared.frontendInterrupt = () => { if (this.running()) this.sendNet(n); };
    rings.rx.shared.frontendInterrupt = () => { if (this.running()) this.postRx(n); };
    this.arm();
  }
  /** `readOnly`: a read-only disk, whose file system ext4 mounted read-only (its refused writes abort no journal). */
  addBlk(devid: number, sectors: number, readOnly = false): void {
    const b: BlkDev = { devid, name: blkfrontDiskName(devid), sectors: Math.max(sectors, BLK_REQ_SECTORS), next: 0, readBacklog: 0, writeBacklog: 0, nextId: 0, inflight: new Map(), diskReadOnly: readOnly };
    this.blks.push(b);
    // blkfront's interrupt: the responses end their requests, and the freed slots take more.
    this.hv.rings.blk(this.domid, devid).responses.onNotify(() => { if (this.running()) this.queueBlk(b); });
    this.arm();
  }
  removeDevice(kind: 'vif' | 'vbd', devid: number): void {
    if (kind === 'vif') this.nets = this.nets.filter(n => n.devid !== devid);
    else this.blks = this.blks.filter(b => b.devid !== devid);
  }

  private arm(): void { if (!this.timer && this.active) this.timer = this.clock.after(IO_TICK_NS, () => this.tick()); }

  /** A paused or shut-down guest runs no interrupt handlers and queues nothing. */
  private running(): boolean {
    const d = this.hv.domains.get(this.domid);
    return !!d && !d.paused && !d.shutdown;
  }

  private tick(): void {
    this.timer = undefined;
    if (!this.hv.domains.has(this.domid)) return;
    if (this.running()) {
      for (const n of this.nets) {
        n.txBacklog = Math.min(n.txBacklog + this.w.netTxBps * TICK_S, this.w.netTxBps * BACKLOG_S);
        n.rxBacklog = Math.min(n.rxBacklog + this.w.netRxBps * TICK_S, this.w.netRxBps * BACKLOG_S);
        this.sendNet(n);
        this.postRx(n);
      }
      for (const b of this.blks) {
        b.readBacklog = Math.min(b.readBacklog + this.w.diskReadBps * TICK_S, this.w.diskReadBps * BACKLOG_S);
        // A file system remounted read-only takes no more writes (they fail with EROFS above the block layer).
        b.writeBacklog = b.readOnly ? 0 : Math.min(b.writeBacklog + this.w.diskWriteBps * TICK_S, this.w.diskWriteBps * BACKLOG_S);
        this.queueBlk(b);
      }
    }
    this.arm();
  }

  // Each fills what slots it can, then pushes them at once: one notification for the batch.
  private sendNet(n: NetDev): void {
    const tx = this.hv.rings.net(this.domid, n.devid).tx;
    while (n.txBacklog >= 1) {
      const bytes = Math.min(XEN_NETIF_MAX_TX_SIZE, Math.floor(n.txBacklog));
      if (!tx.queue({ bytes, packets: Math.ceil(bytes / MTU) })) break;
      n.txBacklog -= bytes;
    }
    tx.publish();
  }

  private postRx(n: NetDev): void {
    const rx = this.hv.rings.net(this.domid, n.devid).rx;
    while (n.rxBacklog >= XEN_PAGE_SIZE) {
      if (!rx.queue(RX_BUFFER)) break;
      n.rxBacklog -= XEN_PAGE_SIZE;
    }
    rx.publish();
  }

  private queueBlk(b: BlkDev): void {
    const rings = this.hv.rings.blk(this.domid, b.devid);
    this.complete(b, rings);
    const ring = rings.ring;
    for (const write of [false, true]) {
      for (;;) {
        const backlog = write ? b.writeBacklog : b.readBacklog;
        if (backlog < 512) break;
        const sectors = Math.min(BLK_REQ_SECTORS, Math.floor(backlog / 512));
        if (b.next + sectors > b.sectors) b.next = 0;
        const req = { id: b.nextId, write, sector: b.next, sectors };
        if (!ring.queue(req)) break;
        b.nextId = (b.nextId + 1) >>> 0;
        b.inflight.set(req.id, req);
        b.next += sectors;
        if (write) b.writeBacklog -= sectors * 512; else b.readBacklog -= sectors * 512;
      }
    }
    ring.publish();
  }

  /** blkfront's interrupt: each response ends its request, an error as an I/O error of the block layer. */
  private complete(b: BlkDev, rings: BlkRings): void {
    for (const rsp of rings.responses.take()) {
      const req = b.inflight.get(rsp.id);
      if (!req) continue;
      b.inflight.delete(rsp.id);
      if (rsp.status === BLKIF_RSP_OKAY) continue;
      const [op, flags] = req.write ? ['0x1:(WRITE)', '0x800'] : ['0x0:(READ)', '0x0'];
      this.printk.ratelimited(this.ioErrors, `I/O error, dev ${b.name}, sector ${req.sector} op ${op} flags ${flags} phys_seg ${Math.ceil(req.sectors / SECTORS_PER_PAGE)} prio class 2`);
      if (req.write && b.devid === this.rootDevid && !b.readOnly && !b.diskReadOnly) this.abortJournal(b);
    }
  }

  /** A failed write under ext4's journal on the root file system: jbd2 aborts, ext4 remounts read-only (errors=remount-ro). */
  private abortJournal(b: BlkDev): void {
    b.readOnly = true;
    b.writeBacklog = 0;
    const part = `${b.name}1`;
    this.printk.line(`Aborting journal on device ${part}-8.`);
    this.printk.line(`EXT4-fs error (device ${part}): ext4_journal_check_start:83: comm kworker/u4:2: Detected aborted journal`);
    this.printk.line(`EXT4-fs (${part}): Remounting filesystem read-only`);
  }

  stop(): void { this.clock.cancel(this.timer); this.timer = undefined; }
}
