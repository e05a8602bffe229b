// Where the hypervisor model emits trace records (xentrace). Emitters check `enabled` first so
// that tracing costs nothing when it is off. Event ids and payload words are those of Xen 4.17
// (public/trace.h); `ns` is simulated host time, turned into TSC by the trace buffers.
export interface TraceSink {
  enabled: boolean;
  /** Is this event wanted (class mask) on this pCPU (cpu mask)? Cheap; call before building data. */
  wants(cpu: number, event: number): boolean;
  record(cpu: number, ns: bigint, event: number, data: readonly number[]): void;
}

export const NO_TRACE: TraceSink = { enabled: false, wants: () => false, record: () => {} };
