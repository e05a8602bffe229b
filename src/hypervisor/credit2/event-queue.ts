// A binary min-heap of simulated events ordered by (time, insertion order), so that events at
// the same instant run first-in first-out and the simulation stays deterministic. Stale events
// are not removed: their owner bumps a generation number and ignores them when they surface.
export interface SimEvent { at: number; seq: number; kind: number; target: number; gen: number }

export class EventQueue {
  private heap: SimEvent[] = [];
  private seq = 0;
  /** Popped events are recycled: the model creates hundreds of thousands per simulated second. */
  private spare: SimEvent[] = [];

  get size(): number { return this.heap.length; }
  peekAt(): number { return this.heap.length ? this.heap[0]!.at : Infinity; }

  push(at: number, kind: number, target: number, gen: number): void {
    const h = this.heap;
    const e = this.spare.pop() ?? { at: 0, seq: 0, kind: 0, target: 0, gen: 0 };
    e.at = at; e.seq = this.seq++; e.kind = kind; e.target = target; e.gen = gen;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const q = h[p]!;
      if (q.at < at || (q.at === at && q.seq < e.seq)) break;
      h[i] = q;
      i = p;
    }
    h[i] = e;
  }

  /** Give back an event returned by pop() once its fields have been read. */
  recycle(e: SimEvent): void { this.spare.push(e); }

  pop(): SimEvent | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (!top || h.length === 0) return top;
    const e = last!;
    let i = 0;
    const n = h.length;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n && (h[r]!.at < h[c]!.at || (h[r]!.at === h[c]!.at && h[r]!.seq < h[c]!.seq))) c = r;
      const ch = h[c]!;
      if (e.at < ch.at || (e.at === ch.at && e.seq < ch.seq)) break;
      h[i] = ch;
      i = c;
    }
    h[i] = e;
    return top;
  }
}
