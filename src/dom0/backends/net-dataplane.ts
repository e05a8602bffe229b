// netback's data path: drains each vif's rings every tick, honouring the vif's credit-based rate
// limit (`rate` = bytes per interval) on what the guest transmits, and counts packets and bytes
// from Dom0's side of the vif, as xenstat reads them: the guest's transmit is the vif's RX.
import type { Clock, Timer } from '../../machine/clock.ts';
import type { NetRings } from '../../hypervisor/io-ring.ts';
import type { NetStats } from '../../protocol/stats.ts';

const TICK_NS = 100_000_000n;

interface Vif { domid: number; devid: number; rings: NetRings; bytesPerSec: number | null; credit: number; stats: NetStats }

/** Parse the backend's `rate` key, "bytes,usecs", into bytes per second. */
export function parseRate(rate: string | null): number | null {
  if (!rate) return null;
  const [b, us] = rate.split(',').map(Number);
  if (!b || !us) return null;
  return b * 1e6 / us;
}

export class NetDataplane {
  private vifs = new Map<string, Vif>();
  private timer: Timer | undefined;

  /** `irq`: the NIC raises its interrupt for a tick's completed work. */
  constructor(private readonly clock: Clock, private readonly irq: () => void = () => {}) {}

  attach(domid: number, devid: number, rings: NetRings, bytesPerSec: number | null): void {
    this.vifs.set(`${domid}/${devid}`, {
      domid, devid, rings, bytesPerSec, credit: 0,
      stats: { id: devid, txBytes: 0, txPackets: 0, txErrors: 0, txDrops: 0, rxBytes: 0, rxPackets: 0, rxErrors: 0, rxDrops: 0 },
    });
    if (!this.timer) this.timer = this.clock.after(TICK_NS, () => this.tick());
  }

  detach(domid: number, devid?: number): void {
    for (const [k, v] of this.vifs) if (v.domid === domid && (devid === undefined || v.devid === devid)) this.vifs.delete(k);
  }

  stats(domid: number): NetStats[] {
    return [...this.vifs.values()].filter(v => v.domid === domid).sort((a, b) => a.devid - b.devid).map(v => ({ ...v.stats }));
  }

  private tick(): void {
    this.timer = undefined;
    const tickS = Number(TICK_NS) / 1e9;
    let moved = 0;
    for (const v of this.vifs.values()) {
      const seen = v.stats.rxPackets + v.stats.txPackets;
      // Guest transmit → vif RX, within the credit the rate limit grants per tick.
      const limit = v.bytesPerSec;
      if (limit !== null) v.credit = Math.min(v.credit + limit * tickS, limit * tickS);
      for (;;) {
        const req = v.rings.tx.peek();
        if (!req) break;
        if (limit === null) { v.rings.tx.take(1); v.stats.rxBytes += req.bytes; v.stats.rxPackets += req.packets; continue; }
        const n = Math.min(req.bytes, Math.floor(v.credit));
        if (n <= 0) break;
        const pk = n === req.bytes ? req.packets : Math.ceil(n / 1500);
        v.stats.rxBytes += n; v.stats.rxPackets += pk; v.credit -= n;
        if (n === req.bytes) v.rings.tx.take(1); else { req.bytes -= n; req.packets = Math.max(1, req.packets - pk); }
      }
      // Traffic for the guest fills the receive buffers it posted → vif TX.
      for (const req of v.rings.rx.take()) { v.stats.txBytes += req.bytes; v.stats.txPackets += req.packets; }
      moved += v.stats.rxPackets + v.stats.txPackets - seen;
    }
    if (moved) this.irq();
    if (this.vifs.size) this.timer = this.clock.after(TICK_NS, () => this.tick());
  }
}
