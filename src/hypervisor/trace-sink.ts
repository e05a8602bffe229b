// Where the hypervisor model emits trace records (xentrace). Emitters check `enabled` first so
// that tracing costs nothing when it is off. Event ids and payload words are those of Xen 4.17
// (public/trace.h); `ns` is simulated host time, turned into TSC by the trace buffers.
export interface TraceSink {
  enabled: boolean;
  /** Is this event wanted (class mask) on this pCPU (cpu mask)? Cheap; call before building data. */
  wants(cpu: number, event: number): boolean;
  /**
   * The hot path: `n` (0..7) data words passed as d0..d6, `ns` a plain number (exact for 104
   * days of uptime), so that a record costs no BigInt and no array.
   */
  rec(cpu: number, ns: number, event: number, n: number,
    d0?: number, d1?: number, d2?: number, d3?: number, d4?: number, d5?: number, d6?: number): void;
  /** The general form, for rare records (domain creation, ballooning). */
  record(cpu: number, ns: bigint, event: number, data: readonly number[]): void;
}

export const NO_TRACE: TraceSink = { enabled: false, wants: () => false, rec: () => {}, record: () => {} };

/** A sink that only implements the general form (tests, tools): `rec` is derived from `record`. */
export function sinkOf(s: Omit<TraceSink, 'rec'>): TraceSink {
  const sink = s as TraceSink;
  sink.rec = (cpu, ns, event, n, ...d) => {
    const data = d.slice(0, n).map(x => x ?? 0);
    while (data.length < n) data.push(0);
    s.record(cpu, BigInt(Math.floor(ns)), event, data);
  };
  return sink;
}
