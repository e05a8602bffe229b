// The control-socket server: hello, then requests dispatched to handlers, and streams. Every
// reply goes out after the handler's work (and its database commit) is done.
import { createServer, type Server, type Socket } from 'node:net';
import { chmodSync, rmSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PROTOCOL_VERSION, MAX_FRAME_BYTES, FrameSplitter, encodeFrame, readClientFrame, rawChannelToken, ToolError } from '../protocol/wire.ts';
import { inputError, isStreamType, messageError } from '../protocol/schemas.ts';
import type { StreamType } from '../protocol/streams.ts';
import type { RequestType } from '../protocol/requests.ts';
import type { Host } from './host.ts';
import { toolError } from './tool-error.ts';
import type { Handlers } from './handlers/context.ts';
import { domainHandlers } from './handlers/domain.ts';
import { hostHandlers } from './handlers/host.ts';
import { vcpuHandlers } from './handlers/vcpu.ts';
import { deviceHandlers } from './handlers/devices.ts';
import { streamHandlers as watchHandlers, type StreamCtx, type StreamHandlers } from './handlers/streams.ts';
import { traceHandlers, traceStreamHandlers } from './handlers/trace.ts';
import { migrateHandlers, migrateStreamHandlers } from './handlers/migrate.ts';
import { debugHandlers } from './handlers/debug.ts';
import { schedHandlers } from './handlers/sched.ts';
import { pmHandlers } from './handlers/pm.ts';
import { psrHandlers } from './handlers/psr.ts';
import { blockHandlers } from './handlers/block.ts';
import { pciHandlers } from './handlers/pci.ts';
import { vdevHandlers } from './handlers/vdev.ts';
import { usbHandlers } from './handlers/usb.ts';
import { deviceModelHandlers } from './handlers/device-model.ts';
import { faultHandlers } from './handlers/fault.ts';
import { dom0Handlers } from './handlers/dom0.ts';

const requestHandlers: Handlers = {
  ...domainHandlers,
  ...hostHandlers,
  ...vcpuHandlers,
  ...deviceHandlers,
  ...traceHandlers,
  ...migrateHandlers,
  ...debugHandlers,
  ...schedHandlers,
  ...pmHandlers,
  ...psrHandlers,
  ...blockHandlers,
  ...pciHandlers,
  ...vdevHandlers,
  ...usbHandlers,
  ...deviceModelHandlers,
  ...faultHandlers,
  ...dom0Handlers,
};
const streamHandlers: StreamHandlers = { ...watchHandlers, ...traceStreamHandlers, ...migrateStreamHandlers };

/**
 * The handler of a request whose arguments its schema has checked: the one place where a frame's
 * untyped arguments become the request's type. Own properties only: a request named
 * `constructor` or `__proto__` finds nothing.
 */
function requestHandler(type: string): ((host: Host, args: unknown) => unknown) | undefined {
  if (!Object.hasOwn(requestHandlers, type)) return undefined;
  return requestHandlers[type as RequestType] as ((host: Host, args: unknown) => unknown) | undefined;
}

function streamHandler(type: StreamType): ((host: Host, args: unknown, ctx: StreamCtx) => (() => void) | void) | undefined {
  if (!Object.hasOwn(streamHandlers, type)) return undefined;
  return streamHandlers[type] as ((host: Host, args: unknown, ctx: StreamCtx) => (() => void) | void) | undefined;
}

/** A client may have this many streams open on one connection (xl shutdown -w -a opens one per domain). */
const MAX_STREAMS = 4096;
/** Replies and events queued for a client that does not read them, before it is dropped. */
const MAX_QUEUED_BYTES = 64 << 20;
/** The first line (a hello or a raw channel's token) is short. */
const MAX_FIRST_LINE = 4096;

interface OpenStream { type: StreamType; cleanup?: () => void; input?: (x: unknown) => void }

export class ControlServer {
  private server: Server | undefined;
  private sockets = new Set<Socket>();
  onStop: () => void = () => {};

  constructor(private readonly host: Host) {}

  listen(path: string): Promise<void> {
    mkdirSync(dirname(path), { recursive: true });
    rmSync(path, { force: true });
    this.server = createServer(s => this.accept(s));
    return new Promise((resolve, reject) => {
      this.server!.once('error', reject);
      // Only the daemon's user may send it requests, as with the xenstored socket.
      this.server!.listen(path, () => { chmodSync(path, 0o600); resolve(); });
    });
  }

  private accept(sock: Socket): void {
    this.sockets.add(sock);
    // A raw data channel (save files, migration streams) announces itself with one line
    // `{"raw":"<token>"}` instead of a hello; from then on its bytes belong to a handler.
    let first: Buffer = Buffer.alloc(0);
    const sniff = (d: Buffer) => {
      first = first.length ? Buffer.concat([first, d]) : d;
      const nl = first.indexOf(10);
      if (nl < 0) { if (first.length > MAX_FIRST_LINE) sock.destroy(); return; }
      sock.removeListener('data', sniff);
      let f: unknown;
      try { f = JSON.parse(first.subarray(0, nl).toString()); } catch {}
      const token = rawChannelToken(f);
      if (token !== undefined) {
        sock.pause();
        this.sockets.delete(sock);
        this.host.rawChannels.offer(token, sock, first.subarray(nl + 1));
        return;
      }
      this.serveJson(sock);
      sock.emit('data', first);
    };
    sock.on('data', sniff);
    sock.on('error', () => {});
  }

  private serveJson(sock: Socket): void {
    const streams = new Map<number, OpenStream>();
    const send = (f: object) => {
      if (sock.destroyed) return;
      sock.write(encodeFrame(f));
      // A client that does not read what it asked for is dropped rather than buffered for.
      if (sock.writableLength > MAX_QUEUED_BYTES) sock.destroy();
    };
    const refuse = (id: number | null, e: ToolError) => send({ id, ok: false, error: e.toPayload() });
    send({ hello: 'xenlab', version: PROTOCOL_VERSION, pid: process.pid });
    const split = new FrameSplitter(raw => {
      const f = readClientFrame(raw);
      switch (f.kind) {
        case 'hello': return;
        case 'bad': return refuse(f.id, new ToolError('EPROTO', `xenlabd: ${f.why}`, 1));
        case 'input': {
          const s = streams.get(f.id);
          if (!s) return;
          const bad = inputError(s.type, f.input);
          if (!bad) { s.input?.(f.input); return; }
          streams.delete(f.id);
          s.cleanup?.();
          return refuse(f.id, bad);
        }
        case 'end': { const s = streams.get(f.id); streams.delete(f.id); s?.cleanup?.(); send({ id: f.id, end: true }); return; }
      }
      if (streams.has(f.id)) return refuse(f.id, new ToolError('EPROTO', `xenlabd: stream ${f.id} is already open`, 1));
      const bad = messageError(f.type, f.args);
      if (bad) return refuse(f.id, bad);
      if (!isStreamType(f.type)) {
        void this.dispatch(f.type, f.args).then(result => send({ id: f.id, ok: true, result }), e => refuse(f.id, toolError(e)));
        return;
      }
      if (streams.size >= MAX_STREAMS) return refuse(f.id, new ToolError('EAGAIN', `xenlabd: more than ${MAX_STREAMS} open streams on one connection`, 1));
      const entry: OpenStream = { type: f.type };
      streams.set(f.id, entry);
      const ctx: StreamCtx = {
        emit: e => { if (streams.get(f.id) === entry) send({ id: f.id, event: e }); },
        end: () => { if (streams.get(f.id) === entry) { streams.delete(f.id); entry.cleanup?.(); send({ id: f.id, end: true }); } },
        fail: e => { if (streams.get(f.id) === entry) { streams.delete(f.id); refuse(f.id, e); } },
        onInput: cb => { entry.input = cb; },
      };
      try { entry.cleanup = streamHandler(f.type)!(this.host, f.args, ctx) ?? undefined; }
      catch (e) { ctx.fail(toolError(e)); }
    }, MAX_FRAME_BYTES, why => refuse(null, new ToolError('EPROTO', `xenlabd: ${why}`, 1)));
    sock.on('data', d => {
      try { split.push(d); } catch (e) {
        // Only an over-long line gets here: answer why, then stop reading this client.
        refuse(null, toolError(e));
        sock.end();
        sock.destroy();
      }
    });
    sock.on('error', () => {});
    sock.on('close', () => { this.sockets.delete(sock); for (const s of streams.values()) s.cleanup?.(); streams.clear(); });
  }

  private async dispatch(type: string, args: unknown): Promise<unknown> {
    if (type === 'daemon.stop') { setImmediate(() => this.onStop()); return {}; }
    return await requestHandler(type)!(this.host, args);
  }

  close(): void {
    for (const s of this.sockets) s.destroy();
    this.server?.close();
  }
}
