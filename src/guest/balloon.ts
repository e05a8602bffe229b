// The guest's balloon driver: moves the domain's allocation towards memory/target (KiB) over
// simulated time, giving pages back to Xen (decrease_reservation) or asking for more (populate).
import type { Clock, Timer } from '../machine/clock.ts';
import type { Hypervisor } from '../hypervisor/hypervisor.ts';

/** Pages moved per step, and the step length: 256 MiB per simulated second. */
const STEP_NS = 100_000_000n;
const PAGES_PER_STEP = Math.floor(256 * 256 / 10);

export class Balloon {
  private targetPages: number | null = null;
  private timer: Timer | undefined;

  constructor(private readonly hv: Hypervisor, private readonly clock: Clock, private readonly domid: number) {}

  setTarget(targetKb: number): void {
    if (!Number.isFinite(targetKb) || targetKb <= 0) return;
    this.targetPages = Math.floor(targetKb / 4);
    if (!this.timer) this.timer = this.clock.after(STEP_NS, () => this.step());
  }

  private step(): void {
    this.timer = undefined;
    const d = this.hv.domains.get(this.domid);
    if (!d || this.targetPages === null || d.shutdown) return;
    const diff = this.targetPages - d.totPages;
    if (diff === 0) return;
    const n = Math.min(Math.abs(diff), PAGES_PER_STEP);
    if (diff < 0) this.hv.release(d, n);
    else {
      const room = d.maxPages < 0 ? n : Math.min(n, d.maxPages - d.totPages);
      const got = Math.min(room, this.hv.freePages);
      if (got <= 0) return;
      this.hv.allocate(d, got);
    }
    this.timer = this.clock.after(STEP_NS, () => this.step());
  }

  stop(): void { this.clock.cancel(this.timer); this.timer = undefined; }
}
