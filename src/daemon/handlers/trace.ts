// xentrace's requests: the trace buffers' sysctl operations, and the stream of windows read from
// the rings every poll period of simulated time, at once when a ring is half full, and one last
// time when xentrace stops (its signal, or the daemon's own timer for -T).
import type { Host } from '../host.ts';
import type { Handler } from './context.ts';
import type { StreamHandler } from './streams.ts';
import type { TraceStatus } from '../../protocol/trace.ts';
import { ToolError } from '../../protocol/wire.ts';
import { PAGE_SIZE } from '../../hypervisor/trace-buffers.ts';

/** Most memory all rings together may take (Xen refuses sizes its heap cannot give). */
const MAX_TRACE_BYTES = 1 << 30;
/** Shortest poll period: a zero period would make the virtual clock spin at one instant. */
const MIN_POLL_NS = 1_000_000n;

/** Open streams per host, told when a ring crosses its high-water mark. */
const readers = new WeakMap<Host, Set<() => void>>();

function readersOf(host: Host): Set<() => void> {
  let set = readers.get(host);
  if (!set) {
    const s = new Set<() => void>();
    readers.set(host, s);
    host.hv.onTraceHighWater = () => { for (const r of s) r(); };
    set = s;
  }
  return set;
}

function status(host: Host): TraceStatus {
  const t = host.hv.trace;
  return {
    nrCpus: t.nrPcpus, pages: t.pagesPerCpu, enabled: t.enabled, eventMask: t.getEventMask(), cpus: t.getCpuMask(),
    lost: t.totalLost, readers: readers.get(host)?.size ?? 0,
  };
}

export const traceHandlers: Record<string, Handler> = {
  'trace.status': (host): TraceStatus => status(host),

  'trace.setEventMask': (host, a: { mask: number }) => {
    host.hv.trace.setEventMask(a.mask >>> 0);
    return {};
  },

  'trace.setCpuMask': (host, a: { cpus: number[] }) => {
    host.hv.trace.setCpuMask(a.cpus);
    return {};
  },

  'trace.enable': (host, a: { pages: number }) => {
    const hv = host.hv;
    if (!hv.trace.allocated) {
      if (!Number.isInteger(a.pages) || a.pages < 1) throw new ToolError('EINVAL', "Couldn't enable trace buffers: Invalid argument", 1);
      if (a.pages * PAGE_SIZE * hv.trace.nrPcpus > MAX_TRACE_BYTES) throw new ToolError('ENOMEM', "Couldn't enable trace buffers: Cannot allocate memory", 1);
    }
    hv.startTracing(a.pages);
    return { pages: hv.trace.pagesPerCpu };
  },

  'trace.disable': host => { host.hv.stopTracing(); return {}; },

  'trace.discard': host => {
    const hv = host.hv;
    if (hv.trace.allocated) { hv.traceActivity.flush(host.clock.now()); hv.trace.discard(); }
    return {};
  },
};

export const traceStreamHandlers: Record<string, StreamHandler> = {
  'trace.windows': (host, a: { pollNs: string; timeoutNs?: string; disableAtStop: boolean }, ctx) => {
    const hv = host.hv, clock = host.clock;
    if (!hv.trace.allocated) { ctx.fail(new ToolError('EINVAL', 'trace buffers are not allocated', 1)); return; }
    let pollNs = BigInt(a.pollNs);
    if (pollNs < MIN_POLL_NS) pollNs = MIN_POLL_NS;
    let done = false;
    const emit = (windows: Buffer[]): void => {
      if (windows.length) ctx.emit({ data: Buffer.concat(windows).toString('base64') });
    };
    // A half-full ring wakes xentrace (VIRQ_TBUF), which reads as soon as the daemon gets to it:
    // after the simulation step under way, so a small ring under load can still overflow.
    let woken = false;
    const onHighWater = (): void => {
      if (woken) return;
      woken = true;
      queueMicrotask(() => { woken = false; if (!done) emit(hv.drainTrace()); });
    };
    const set = readersOf(host);
    set.add(onHighWater);
    const poll = (): void => { emit(hv.drainTrace()); pollTimer = clock.after(pollNs, poll); };
    let pollTimer = clock.after(pollNs, poll);
    const stop = (why: 'alarm' | 'signal', disable: boolean): void => {
      if (done) return;
      if (disable) hv.stopTracing();
      emit(hv.drainTrace());
      done = true;
      cleanup();
      ctx.emit({ stopped: why });
      ctx.end();
    };
    const alarm = a.timeoutNs !== undefined ? clock.after(BigInt(a.timeoutNs), () => stop('alarm', a.disableAtStop)) : undefined;
    ctx.onInput(x => { const s = x as { stop?: boolean; disable?: boolean }; if (s?.stop) stop('signal', s.disable === true); });
    const cleanup = (): void => {
      done = true;
      set.delete(onHighWater);
      clock.cancel(pollTimer);
      clock.cancel(alarm);
    };
    return cleanup;
  },
};
