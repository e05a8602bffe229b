// xentrace's requests to the daemon: XEN_SYSCTL_tbuf_op (size, masks, enable, disable), a
// discard of what the rings hold, a status, and the stream of windows it writes to its file.

/** State of the hypervisor's trace buffers (xc_tbuf_get_size and friends). */
export interface TraceStatus {
  nrCpus: number;
  /** Pages per pCPU ring; 0 until allocated (by the first xentrace of this boot). */
  pages: number;
  enabled: boolean;
  eventMask: number;
  cpus: number[];
  /** Records dropped for want of room since the host booted. */
  lost: number;
  /** Open trace.windows streams (xentrace processes reading the rings). */
  readers: number;
}

export interface TraceRequests {
  'trace.status': { args: {}; result: TraceStatus };
  /** xc_tbuf_set_evt_mask. */
  'trace.setEventMask': { args: { mask: number }; result: {} };
  /** xc_tbuf_set_cpu_mask: pCPUs beyond the host are ignored. */
  'trace.setCpuMask': { args: { cpus: number[] }; result: {} };
  /** xc_tbuf_enable: allocate `pages` per pCPU unless already allocated this boot, then enable. */
  'trace.enable': { args: { pages: number }; result: { pages: number } };
  'trace.disable': { args: {}; result: {} };
  /** xentrace -D: cons = prod on every ring. */
  'trace.discard': { args: {}; result: {} };
}

/** Input to an open trace.windows stream: stop now (SIGINT/TERM/HUP), disabling tracing first if asked. */
export interface TraceStopInput { stop: true; disable: boolean }

export interface TraceStreams {
  /**
   * The rings read every `pollNs` of simulated time, and at once when one is half full. The
   * windows of each read (cpu_change record + raw bytes, exactly as xentrace writes them) go
   * over the raw channel named by `token` (src/client/raw-channel.ts), which the daemon ends
   * after the last read; the stream itself only says why it stopped. With `timeoutNs`
   * (xentrace -T) the daemon stops the stream itself after that much simulated time;
   * `disableAtStop` disables tracing before the last read.
   */
  'trace.windows': {
    args: { pollNs: string; timeoutNs?: string; disableAtStop: boolean; token: string };
    event: { stopped: 'alarm' | 'signal' };
  };
}
