// The guest's memory workload: it rewrites `dirty` pages per second of its memory, uniformly
// over all of it, as its host's simulated clock advances. A paused or suspended guest runs no
// code and writes nothing. The choice of pages comes from a seeded generator, so a run under
// the virtual clock is deterministic.
import type { Clock, Timer } from '../machine/clock.ts';
import type { Hypervisor } from '../hypervisor/hypervisor.ts';
import { seededRandom } from '../machine/random.ts';

export const DIRTY_TICK_NS = 100_000_000n;
const TICK_S = Number(DIRTY_TICK_NS) / 1e9;

export class MemoryWorkload {
  private timer: Timer | undefined;
  /** Fractional pages carried to the next tick, so low rates still dirty on average. */
  private carry = 0;
  private readonly rng: () => number;

  constructor(private readonly hv: Hypervisor, private readonly clock: Clock, private readonly domid: number, private readonly pagesPerSec: number) {
    this.rng = seededRandom(0x5eed ^ domid);
  }

  start(): void {
    if (this.pagesPerSec > 0 && !this.timer) this.timer = this.clock.after(DIRTY_TICK_NS, () => this.tick());
  }

  private tick(): void {
    this.timer = undefined;
    const d = this.hv.domains.get(this.domid);
    if (!d) return;
    if (!d.paused && !d.shutdown && d.memory) {
      const want = this.pagesPerSec * TICK_S + this.carry;
      const n = Math.floor(want);
      this.carry = want - n;
      d.memory.dirty(n, this.rng);
    }
    this.start();
  }

  stop(): void { this.clock.cancel(this.timer); this.timer = undefined; }
}
