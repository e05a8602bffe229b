// Where the hypervisor model emits trace records (xentrace). Emitters check `enabled` first so
// that tracing costs nothing when it is off. Event ids and payload words are those of Xen 4.17
// (public/trace.h); `ns` is simulated host time, turned into TSC by the trace buffers.
/** staged[0] is the index where the next staged record goes; records start at 1. */
export const STAGED_FIRST = 1;

export interface TraceSink {
  enabled: boolean;
  /**
   * The instant (simulated ns) of staged records, kept current by the scheduler as its time
   * moves: a double read from a typed array, where passing it to every call would box it.
   */
  readonly now: Float64Array;
  /**
   * The scheduler's hot path: records at `now[0]` appended as [cpu, event | n << 28, n words]
   * (int32 or uint32: the same bits) from index staged[0], with no call and no allocation;
   * `commit` moves them into the rings, masks applied. The scheduler commits before its time
   * moves; the sink commits before anything else it records or reads.
   */
  readonly staged: Int32Array;
  commit(): void;
  /** Is this event wanted (class mask) on this pCPU (cpu mask)? For work beyond building the words. */
  wants(cpu: number, event: number): boolean;
  /** A record at simulated time `ns` (a plain number, exact for 104 days of uptime), masks applied. */
  rec(cpu: number, ns: number, event: number, n: number,
    d0?: number, d1?: number, d2?: number, d3?: number, d4?: number, d5?: number, d6?: number): void;
  /** The general form, for rare records (domain creation, ballooning). */
  record(cpu: number, ns: bigint, event: number, data: readonly number[]): void;
}

const newStaging = (): Int32Array => new Int32Array(1024).fill(STAGED_FIRST, 0, 1);

export const NO_TRACE: TraceSink = {
  enabled: false, now: new Float64Array(1), staged: newStaging(), commit: () => {}, wants: () => false, rec: () => {}, record: () => {},
};

/** A sink that only implements the general form (tests, tools): the rest is derived from `record`. */
export function sinkOf(s: Omit<TraceSink, 'rec' | 'now' | 'staged' | 'commit'>): TraceSink {
  const sink = s as TraceSink;
  const now = new Float64Array(1), q = newStaging();
  Object.assign(sink, { now, staged: q });
  sink.rec = (cpu, ns, event, n, ...d) => {
    if (!s.wants(cpu, event)) return;
    const data = d.slice(0, n).map(x => (x ?? 0) >>> 0);
    while (data.length < n) data.push(0);
    s.record(cpu, BigInt(Math.floor(ns)), event, data);
  };
  sink.commit = () => {
    const end = q[0]!;
    q[0] = STAGED_FIRST;
    for (let k = STAGED_FIRST; k < end;) {
      const n = q[k + 1]! >>> 28;
      sink.rec(q[k]!, now[0]!, q[k + 1]! & 0x0fffffff, n, ...q.subarray(k + 2, k + 2 + n));
      k += 2 + n;
    }
  };
  return sink;
}
