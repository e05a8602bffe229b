// Save, restore (the two ends of a migration) and core dump. The stream bytes go over a raw
// channel the tool opened; the JSON stream carries log lines, progress and the summary.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { Socket, type OnReadOpts, type SocketConstructorOpts } from 'node:net';
import type { Handlers } from './context.ts';
import type { StreamHandlers } from './streams.ts';
import { ToolError } from '../../protocol/wire.ts';
import { toolError } from '../tool-error.ts';
import { saveDomain, resumeDomain, saveConfig, streamWriteFailed, type RemusSaveOptions, type SaveSink } from '../../dom0/toolstack/save.ts';
import type { CheckpointWire, RemusWire } from '../../protocol/migrate.ts';
import type { Host } from '../host.ts';
import { restoreDomain, type RestoreInput } from '../../dom0/toolstack/restore.ts';
import type { RawChannel } from '../raw-channels.ts';
import { dumpCore } from '../../dom0/toolstack/dump-core.ts';
import { isDrbdDisk, type DiskSpec } from '../../dom0/toolstack/devices.ts';
import { allDevices, checkpointDisksSetup, type CheckpointDisks } from '../../dom0/toolstack/remus.ts';

/** The reader of the stream went away (xl's pipe to the receiver broke). */
class SinkClosed extends Error {}

function socketSink(sock: Socket): SaveSink {
  let closed = false;
  const waiters = new Set<(e?: Error) => void>();
  const gone = () => { closed = true; for (const w of waiters) w(new SinkClosed()); waiters.clear(); };
  sock.on('close', gone);
  sock.on('error', gone);
  return {
    write(b: Buffer): Promise<void> {
      if (closed || sock.destroyed) return Promise.reject(new SinkClosed());
      // Written through already (the usual case with room in the pipe): `b` is free again
      // without waiting for 'drain', which a write larger than the high-water mark awaits.
      if (sock.write(b) || sock.writableLength === 0) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const done = (e?: Error) => { waiters.delete(done); sock.removeListener('drain', onDrain); e ? reject(e) : resolve(); };
        const onDrain = () => done();
        waiters.add(done);
        sock.once('drain', onDrain);
      });
    },
  };
}

const DEFAULT_LINK_MBIT = 1000;

/** One read from a stream pipe: a quarter of a grown pipe, so it stays in cache while checked. */
const PIPE_READ_SIZE = 256 << 10;

/** How often a restore from a FIFO checks that its writer is still there (real time). */
const WRITER_CHECK_MS = 500;

/**
 * The pipe the tool named for a save (a FIFO: the transport's stdin), opened for us alone and
 * driven by the event loop: the stream then goes straight from the daemon to the transport.
 */
function openPipeForWriting(path: string): Socket {
  const fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  // Only a FIFO: a stream is never written over a file the request happens to name.
  if (!fstatSync(fd).isFIFO()) { closeSync(fd); throw new ToolError('EINVAL', `xenlabd: ${path} is not a pipe`, 1); }
  return new Socket({ fd, readable: false, writable: true });
}

/** Where a restore reads: a socket we own, torn down by `close` (also when cancelled). */
interface RestoreTransport extends RestoreInput { close(): void }

/** A raw channel's socket: its chunks as the socket hands them out. */
function channelInput(ch: RawChannel): RestoreTransport {
  const sock = ch.socket;
  return {
    head: ch.head,
    open(data, end) {
      if (sock.destroyed) { queueMicrotask(end); return () => {}; }
      sock.on('data', data);
      sock.once('end', end);
      sock.once('close', end);
      sock.on('error', () => {});
      sock.resume();
      return () => sock.destroy();
    },
    close: () => sock.destroy(),
  };
}

/**
 * The pipe the tool named for a restore (its own stdin, under /proc), read straight into one
 * reused buffer: no fresh memory per read (the restore takes each chunk before the next read).
 */
function pipeInput(path: string, head: Buffer): RestoreTransport {
  let sock: Socket | null = null;
  let closed = false;
  const close = () => { closed = true; sock?.destroy(); };
  return {
    head,
    open(data, end) {
      if (closed) { queueMicrotask(end); return () => {}; }
      const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
      const buffer = Buffer.allocUnsafe(PIPE_READ_SIZE);
      // Node honours onread in the constructor too, though its types list it for connect() only.
      const onread: OnReadOpts = { buffer, callback: n => { data(buffer.subarray(0, n)); return true; } };
      sock = new Socket({ fd, readable: true, writable: false, onread } as SocketConstructorOpts);
      sock.once('end', end);
      sock.once('close', end);
      sock.on('error', () => {});
      // epoll reports a FIFO's hang-up only for writers that left after we opened it: a sender
      // that died before (its daemon killed) would leave this restore waiting for ever. A read of
      // a FIFO that no one holds for writing returns 0 whenever it is made, so look now and then.
      const watchdog = setInterval(() => {
        let n: number;
        try { n = readSync(fd, buffer, 0, buffer.length, null); } catch { return; } // EAGAIN: a writer is there
        if (n > 0) data(buffer.subarray(0, n));
        else { sock?.destroy(); end(); }
      }, WRITER_CHECK_MS);
      sock.once('close', () => clearInterval(watchdog));
      return close;
    },
    close,
  };
}

/** Remus's checkpointed devices: the network buffers of the domain's vifs (unless -n) and its DRBD disks (unless -d). */
function remusOptions(host: Host, domid: number, o: RemusWire, disks: CheckpointDisks | null, report: (c: CheckpointWire) => void): RemusSaveOptions {
  const bufs = o.netbuf ? host.netData.bufferOutput(domid) : [];
  return {
    intervalMs: o.intervalMs,
    devices: allDevices([
      { plug: () => { for (const b of bufs) b.plug(); }, preresume: async () => {}, release: () => { for (const b of bufs) b.release(); } },
      ...disks?.devices ?? [],
    ]),
    committed: c => {
      const st = bufs.map(b => b.stats());
      report({
        n: c.n, pages: c.pages, bytes: c.bytes, suspendedAtNs: c.suspendedAtNs.toString(), pauseNs: c.pauseNs.toString(),
        releasedPackets: st.reduce((x, s) => x + s.releasedPackets, 0), bufferedPackets: st.reduce((x, s) => x + s.bufferedPackets, 0),
      });
    },
  };
}

export const migrateStreamHandlers: StreamHandlers = {
  'domain.save': (host, a, ctx) => {
    let sock: Socket | undefined;
    let domid = -1;
    void (async () => {
      domid = host.toolstack.existing(a.dom);
      sock = a.path ? openPipeForWriting(a.path) : (await host.rawChannels.take(a.token)).socket;
      const linkMbit = a.linkMbit ?? DEFAULT_LINK_MBIT;
      // libxl__remus_setup: the vbds' checkpoint devices first; a refusal sends nothing.
      const disks = a.remus?.diskbuf ? await checkpointDisksSetup(host.toolstack, domid, host.drbd) : null;
      const summary = await saveDomain(host.toolstack, domid, socketSink(sock), {
        live: a.live, linkBitsPerSec: linkMbit * 1e6,
        events: {
          line: text => ctx.emit({ line: text }),
          progress: (what, done, total) => ctx.emit({ progress: { what, done, total } }),
          suspended: () => ctx.emit({ suspended: true }),
        },
        remus: a.remus && remusOptions(host, domid, a.remus, disks, c => ctx.emit({ checkpoint: c })),
      }).finally(() => { host.netData.unbufferOutput(domid); disks?.teardown(); });
      await new Promise<void>(resolve => sock!.end(resolve));
      ctx.emit({ summary: { ...summary, linkMbit } });
      ctx.end();
    })().catch(e => {
      sock?.destroy();
      ctx.fail(toolError(e instanceof SinkClosed || e?.code === 'ENXIO' || e?.code === 'EPIPE' ? streamWriteFailed(domid) : e));
    });
    return () => { sock?.destroy(); };
  },

  'domain.restore': (host, a, ctx) => {
    let input: RestoreTransport | undefined;
    let cancelled = false;
    void (async () => {
      input = a.path ? pipeInput(a.path, Buffer.from(a.head ?? '', 'base64')) : channelInput(await host.rawChannels.take(a.token));
      if (cancelled) { input.close(); return; }
      // Remus's DRBD disks: a checkpoint's writes land on this host's copies once it is complete.
      const drbd = a.checkpointed ? ((a.config.disks ?? []) as DiskSpec[]).filter(isDrbdDisk).map(d => d.pdev_path ?? '') : [];
      const rec = await restoreDomain(host.toolstack, input, {
        checkpointComplete: n => { for (const res of drbd) host.drbd.secondary.commit(res, n); },
        config: a.config, workload: a.workload, configText: a.configText, configFile: a.configFile,
        name: a.name, domid: a.domid, paused: a.paused, cwd: a.cwd, checkpointed: a.checkpointed, colo: a.colo, line: text => ctx.emit({ line: text }),
      }).finally(() => { for (const res of drbd) host.drbd.secondary.failover(res); });
      input.close();
      ctx.emit({ restored: { domid: rec.domid, name: rec.name } });
      ctx.end();
    })().catch(e => { input?.close(); ctx.fail(toolError(e)); });
    return () => { cancelled = true; input?.close(); };
  },
};

export const migrateHandlers: Handlers = {
  'domain.saveConfig': (host, a) => saveConfig(host.toolstack, host.toolstack.existing(a.dom)),

  'domain.resume': (host, a) => {
    const domid = host.toolstack.existing(a.dom);
    if (a.paused) host.toolstack.pause(domid);
    resumeDomain(host.toolstack, domid);
    return {};
  },

  'domain.dumpCore': (host, a) => { dumpCore(host.toolstack, host.toolstack.resolve(a.dom), a.path); return {}; },

  'remus.netbuf': (host, a) => ({ vifs: host.netData.netbufStats(host.toolstack.existing(a.dom)) }),
};
