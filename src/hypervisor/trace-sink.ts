// Where the hypervisor model emits trace records (xentrace). Emitters check `enabled` first so
// that tracing costs nothing when it is off. Event ids and payload words are those of Xen 4.17
// (public/trace.h); time is simulated host time, turned into TSC by the trace buffers.

export interface TraceSink {
  enabled: boolean;
  /**
   * The instant (simulated ns) of the records written by r1..r4, rn and runstate, kept current
   * by the scheduler as its time moves: a double read from a typed array, where passing it to
   * every call would allocate a heap number for it.
   */
  readonly now: Float64Array;
  /**
   * The hot path: one record of 1..4 or n (<= 7) words at `now[0]`, written where it goes at
   * once, masks applied. Words are int32 (`| 0`): the ring keeps the same 32 bits.
   */
  r1(cpu: number, event: number, a: number): void;
  r2(cpu: number, event: number, a: number, b: number): void;
  r3(cpu: number, event: number, a: number, b: number, c: number): void;
  r4(cpu: number, event: number, a: number, b: number, c: number, d: number): void;
  rn(cpu: number, event: number, n: number, d0: number, d1: number, d2: number, d3: number, d4: number, d5: number, d6: number): void;
  /** A RUNSTATE_CHANGE record (one word, the unit): who runs where is followed from these whatever the mask. */
  runstate(cpu: number, event: number, unit: number): void;
  /** Is this event wanted (class mask) on this pCPU (cpu mask)? For work beyond building the words. */
  wants(cpu: number, event: number): boolean;
  /** A record at simulated time `ns` (a plain number, exact for 104 days of uptime), masks applied. */
  rec(cpu: number, ns: number, event: number, n: number,
    d0?: number, d1?: number, d2?: number, d3?: number, d4?: number, d5?: number, d6?: number): void;
  /** The general form, for rare records (domain creation, ballooning). */
  record(cpu: number, ns: bigint, event: number, data: readonly number[]): void;
}

const nothing = (): void => {};

export const NO_TRACE: TraceSink = {
  enabled: false, now: new Float64Array(1),
  r1: nothing, r2: nothing, r3: nothing, r4: nothing, rn: nothing, runstate: nothing,
  wants: () => false, rec: nothing, record: nothing,
};

/** A sink that only implements the general form (tests, tools): the rest is derived from `record`. */
export function sinkOf(s: Pick<TraceSink, 'enabled' | 'wants' | 'record'>): TraceSink {
  const sink = s as TraceSink;
  const now = new Float64Array(1);
  const put = (cpu: number, ns: number, event: number, words: number[]): void => {
    if (!s.wants(cpu, event)) return;
    s.record(cpu, BigInt(Math.floor(ns)), event, words.map(x => (x ?? 0) >>> 0));
  };
  Object.assign(sink, {
    now,
    r1: (cpu: number, ev: number, a: number) => put(cpu, now[0]!, ev, [a]),
    r2: (cpu: number, ev: number, a: number, b: number) => put(cpu, now[0]!, ev, [a, b]),
    r3: (cpu: number, ev: number, a: number, b: number, c: number) => put(cpu, now[0]!, ev, [a, b, c]),
    r4: (cpu: number, ev: number, a: number, b: number, c: number, d: number) => put(cpu, now[0]!, ev, [a, b, c, d]),
    rn: (cpu: number, ev: number, n: number, ...d: number[]) => put(cpu, now[0]!, ev, d.slice(0, n)),
    runstate: (cpu: number, ev: number, unit: number) => put(cpu, now[0]!, ev, [unit]),
    rec: (cpu: number, ns: number, ev: number, n: number, ...d: (number | undefined)[]) => {
      const words = d.slice(0, n).map(x => x ?? 0);
      while (words.length < n) words.push(0);
      put(cpu, ns, ev, words);
    },
  });
  return sink;
}
