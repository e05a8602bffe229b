// The host's clock. All simulated durations (CPU time, boot, ballooning, timeouts) are measured
// on it. Under the virtual clock time moves only when advanced explicitly; under the real clock
// the daemon advances it to wall time on a timer. Times are nanoseconds since host boot.

export type ClockMode = 'real' | 'virtual';

export interface Timer { at: bigint; seq: number; fire: () => void; cancelled: boolean }

const NOOP = (): void => {};

/** A binary min-heap of timers ordered by (at, seq); cancelled ones are dropped lazily. */
type Heap = Timer[];

export class Clock {
  readonly mode: ClockMode;
  /** Wall-clock epoch (ms since 1970) of simulated time 0, for timestamps shown to users. */
  readonly epochMs: number;
  private nowNs = 0n;
  private heap: Heap = [];
  /**
   * Timers whose callbacks start no reactions (xentrace's polls): advanceTo fires them on its way
   * and nextTimerAt leaves them out, so whoever advances need not stop there for the event loop.
   */
  private quietHeap: Heap = [];
  private seq = 0;
  /** Called to run the simulation up to a time before timers at that time fire. */
  private stepper: (to: bigint) => void = () => {};

  constructor(mode: ClockMode, epochMs = Date.now(), startNs = 0n) {
    this.mode = mode;
    this.epochMs = epochMs;
    this.nowNs = startNs;
  }

  now(): bigint { return this.nowNs; }
  /** Simulated wall-clock time in ms since 1970. */
  wallMs(): number { return this.epochMs + Number(this.nowNs / 1_000_000n); }

  setStepper(fn: (to: bigint) => void): void { this.stepper = fn; }

  /** Work that simulated time waits for before it moves on (bytes crossing a modelled link). */
  private holds = new Set<Promise<unknown>>();
  hold(p: Promise<unknown>): void {
    const h = p.then(() => {}, () => {}).finally(() => this.holds.delete(h));
    this.holds.add(h);
  }
  /** Resolves once no work holds the clock. */
  async held(): Promise<void> { while (this.holds.size) await Promise.all([...this.holds]); }

  /** Schedule fn at absolute simulated time `at` (ns); `quiet` if it starts no reactions (see quietHeap). */
  at(at: bigint, fire: () => void, quiet = false): Timer {
    const t: Timer = { at: at < this.nowNs ? this.nowNs : at, seq: this.seq++, fire, cancelled: false };
    Clock.push(quiet ? this.quietHeap : this.heap, t);
    return t;
  }
  after(ns: bigint, fire: () => void, quiet = false): Timer { return this.at(this.nowNs + ns, fire, quiet); }
  /**
   * A cancelled timer leaves the heap lazily, but lets go of its callback at once: a far timer
   * (a 60 s timeout, under a virtual clock that may never get there) must not hold what its
   * callback reaches, such as a destroyed guest, until then.
   */
  cancel(t: Timer | undefined): void { if (t) { t.cancelled = true; t.fire = NOOP; } }

  /** The earliest pending timer's time, if any, quiet ones aside. */
  nextTimerAt(): bigint | undefined {
    Clock.dropCancelled(this.heap);
    return this.heap[0]?.at;
  }

  /**
   * Move time forward to `to`, running the simulation in segments that end at each due timer,
   * so a timer fires with the world exactly at its instant.
   */
  advanceTo(to: bigint): void {
    if (to < this.nowNs) return;
    for (;;) {
      Clock.dropCancelled(this.heap);
      Clock.dropCancelled(this.quietHeap);
      const loud = this.heap[0], quiet = this.quietHeap[0];
      const h = quiet && (!loud || Clock.less(quiet, loud)) ? this.quietHeap : this.heap;
      const next = h[0];
      if (!next || next.at > to) break;
      Clock.pop(h);
      if (next.at > this.nowNs) { this.stepper(next.at); this.nowNs = next.at; }
      next.cancelled = true;
      next.fire();
    }
    if (to > this.nowNs) { this.stepper(to); this.nowNs = to; }
  }

  private static less(a: Timer, b: Timer): boolean { return a.at < b.at || (a.at === b.at && a.seq < b.seq); }

  private static dropCancelled(h: Heap): void { while (h.length && h[0]!.cancelled) Clock.pop(h); }

  private static push(h: Heap, t: Timer): void {
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!Clock.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private static pop(h: Heap): Timer | undefined {
    const top = h[0];
    const last = h.pop();
    if (h.length && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && Clock.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && Clock.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

/** Parse a duration such as `10s`, `250ms`, `1.5m`, `2h`, `100us`, `5` (seconds) into ns. */
export function parseDuration(s: string): bigint | undefined {
  const m = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)?$/.exec(s.trim());
  if (!m) return undefined;
  const mult: Record<string, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  return BigInt(Math.round(parseFloat(m[1]!) * mult[m[2] ?? 's']!));
}
