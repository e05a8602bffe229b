// xentrace's requests: the trace buffers' sysctl operations, and the stream of windows read from
// the rings every poll period of simulated time, at once when a ring is half full, and one last
// time when xentrace stops (its signal, or the daemon's own timer for -T). The windows' bytes go
// over a raw channel: base64 in JSON frames cost more than producing the records.
import type { Socket } from 'node:net';
import type { Host } from '../host.ts';
import type { Handlers } from './context.ts';
import type { StreamHandlers } from './streams.ts';
import type { TraceStatus } from '../../protocol/trace.ts';
import { ToolError } from '../../protocol/wire.ts';
import { PAGE_SIZE } from '../../hypervisor/trace-buffers.ts';
import { socketFd, writeNow } from '../../dom0/socket-write.ts';
import { ByteSpool } from '../../dom0/byte-spool.ts';

/** Most memory all rings together may take (Xen refuses sizes its heap cannot give). */
const MAX_TRACE_BYTES = 1 << 30;
/** Room for one read of every ring in the usual case (a read that needs more takes its own buffer). */
const READ_BUFFER = 256 * 1024;

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

export const traceHandlers: Handlers = {
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

export const traceStreamHandlers: StreamHandlers = {
  'trace.windows': (host, a: { pollNs: string; timeoutNs?: string; disableAtStop: boolean; token: string }, ctx) => {
    const hv = host.hv, clock = host.clock;
    if (!hv.trace.allocated) { ctx.fail(new ToolError('EINVAL', 'trace buffers are not allocated', 1)); return; }
    // At least 1 ms (the protocol's schema): a zero period would spin the virtual clock.
    const pollNs = BigInt(a.pollNs);
    let done = false;
    // The windows go over xentrace's raw channel as they are. What the socket cannot take at once
    // (xentrace is behind, or not connected yet) waits in the spool, in order, and goes out as
    // the kernel takes it: at the next polls of the same simulation step, and on the stream
    // once the step is over.
    let sock: Socket | undefined;
    let fd = -1;
    const spool = new ByteSpool();
    let handOffQueued = false;
    const handOff = (): void => {
      handOffQueued = false;
      if (sock && !sock.destroyed && spool.pending) spool.handOff(sock);
    };
    void host.rawChannels.take(a.token).then(ch => {
      if (done && !spool.pending) { ch.socket.destroy(); return; }
      sock = ch.socket;
      fd = socketFd(sock);
      handOff();
      if (done) sock.end();
    }, () => { if (!done) { cleanup(); ctx.fail(new ToolError('EIO', 'xentrace did not connect its data channel', 1)); } });
    // Reads go into one reused buffer when the socket takes them whole (a fresh one per read
    // would cost page faults on every byte), else straight into the spool's room.
    let buf: Buffer = Buffer.allocUnsafeSlow(READ_BUFFER);
    const emit = (): void => {
      if (sock && spool.pending && spool.writeNow(sock, fd) < 0) return;
      if (sock && !spool.pending) {
        const bytes = hv.drainTrace(buf);
        if (bytes.buffer !== buf.buffer) buf = bytes;
        if (!bytes.length) return;
        const sent = writeNow(sock, fd, bytes);
        if (sent < 0 || sent === bytes.length) return;
        spool.append(bytes.subarray(sent));
      } else {
        const room = spool.room(READ_BUFFER);
        const bytes = hv.drainTrace(room);
        if (bytes.buffer === room.buffer) spool.commit(bytes.length); else spool.append(bytes);
      }
      if (sock && spool.pending && !handOffQueued) { handOffQueued = true; setImmediate(handOff); }
    };
    // A half-full ring wakes xentrace (VIRQ_TBUF), which reads as soon as the daemon gets to it:
    // after the simulation step under way, so a small ring under load can still overflow.
    let woken = false;
    const onHighWater = (): void => {
      if (woken) return;
      woken = true;
      queueMicrotask(() => { woken = false; if (!done) emit(); });
    };
    const set = readersOf(host);
    set.add(onHighWater);
    // A poll only copies bytes out: a quiet timer, which the clock fires on its way through a step.
    const poll = (): void => { emit(); pollTimer = clock.after(pollNs, poll, true); };
    let pollTimer = clock.after(pollNs, poll, true);
    const stop = (why: 'alarm' | 'signal', disable: boolean): void => {
      if (done) return;
      if (disable) hv.stopTracing();
      emit();
      done = true;
      detach();
      // The last bytes, then end of data; xentrace finishes once it has both.
      handOff();
      sock?.end();
      ctx.emit({ stopped: why });
      ctx.end();
    };
    const alarm = a.timeoutNs !== undefined ? clock.after(BigInt(a.timeoutNs), () => stop('alarm', a.disableAtStop)) : undefined;
    ctx.onInput(x => { const s = x as { stop?: boolean; disable?: boolean }; if (s?.stop) stop('signal', s.disable === true); });
    const detach = (): void => {
      set.delete(onHighWater);
      clock.cancel(pollTimer);
      clock.cancel(alarm);
    };
    /** xentrace went away without a stop: drop its channel. */
    const cleanup = (): void => {
      if (!done) { done = true; detach(); sock?.destroy(); }
    };
    return cleanup;
  },
};
