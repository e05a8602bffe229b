// Simulated events in (time, sequence) order, so that events at one instant run first-in
// first-out and the simulation stays deterministic. Two queues share one sequence counter:
// - EventQueue, a binary heap of one-off events (workload wake-ups, budget refills); a stale one
//   is not removed, its owner bumps a generation number and ignores it when it surfaces;
// - TimerHeap, one re-armable timer per slot (per pCPU), updated in place: re-arming a pCPU's
//   timer, which happens at every scheduling decision, leaves nothing stale behind.
export interface SimEvent { at: number; seq: number; kind: number; target: number; gen: number }

export class EventQueue {
  private heap: SimEvent[] = [];
  /** Popped events are recycled: the model creates tens of thousands per simulated second. */
  private spare: SimEvent[] = [];

  get size(): number { return this.heap.length; }
  peekAt(): number { return this.heap.length ? this.heap[0]!.at : Infinity; }
  peekSeq(): number { return this.heap.length ? this.heap[0]!.seq : Infinity; }

  push(at: number, seq: number, kind: number, target: number, gen: number): void {
    const h = this.heap;
    const e = this.spare.pop() ?? { at: 0, seq: 0, kind: 0, target: 0, gen: 0 };
    e.at = at; e.seq = seq; e.kind = kind; e.target = target; e.gen = gen;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const q = h[p]!;
      if (q.at < at || (q.at === at && q.seq < seq)) break;
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

export class TimerHeap {
  private readonly at: Float64Array;
  private readonly seq: Float64Array;
  /** Heap of slots. */
  private readonly heap: Int32Array;
  /** Slot -> index in heap, or -1. */
  private readonly pos: Int32Array;
  size = 0;

  constructor(slots: number) {
    this.at = new Float64Array(slots);
    this.seq = new Float64Array(slots);
    this.heap = new Int32Array(slots);
    this.pos = new Int32Array(slots).fill(-1);
  }

  topSlot(): number { return this.heap[0]!; }
  topAt(): number { return this.size ? this.at[this.heap[0]!]! : Infinity; }
  topSeq(): number { return this.size ? this.seq[this.heap[0]!]! : Infinity; }

  /** Arm (or re-arm) a slot's timer. */
  set(slot: number, at: number, seq: number): void {
    this.at[slot] = at;
    this.seq[slot] = seq;
    let i = this.pos[slot]!;
    if (i < 0) { i = this.size++; this.heap[i] = slot; this.pos[slot] = i; }
    this.up(this.down(i));
  }

  /** Disarm a slot's timer. */
  clear(slot: number): void {
    const i = this.pos[slot]!;
    if (i < 0) return;
    this.pos[slot] = -1;
    const last = this.heap[--this.size]!;
    if (i === this.size) return;
    this.heap[i] = last;
    this.pos[last] = i;
    this.up(this.down(i));
  }

  private less(a: number, b: number): boolean {
    const x = this.at[a]!, y = this.at[b]!;
    return x < y || (x === y && this.seq[a]! < this.seq[b]!);
  }

  private up(i: number): void {
    const h = this.heap, pos = this.pos;
    const s = h[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const ps = h[p]!;
      if (!this.less(s, ps)) break;
      h[i] = ps; pos[ps] = i; i = p;
    }
    h[i] = s; pos[s] = i;
  }

  private down(i: number): number {
    const h = this.heap, pos = this.pos, n = this.size;
    const s = h[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.less(h[c + 1]!, h[c]!)) c++;
      const cs = h[c]!;
      if (!this.less(cs, s)) break;
      h[i] = cs; pos[cs] = i; i = c;
    }
    h[i] = s; pos[s] = i;
    return i;
  }
}
