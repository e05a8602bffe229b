// The control-socket server: hello, then requests dispatched to handlers, and streams. Every
// reply goes out after the handler's work (and its database commit) is done.
import { createServer, type Server, type Socket } from 'node:net';
import { chmodSync, rmSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PROTOCOL_VERSION, FrameSplitter, encodeFrame, ToolError } from '../protocol/wire.ts';
import type { Host } from './host.ts';
import type { Handler } from './handlers/context.ts';
import { domainHandlers } from './handlers/domain.ts';
import { hostHandlers } from './handlers/host.ts';
import { vcpuHandlers } from './handlers/vcpu.ts';
import { deviceHandlers } from './handlers/devices.ts';
import { streamHandlers, type StreamCtx } from './handlers/streams.ts';
import { traceHandlers, traceStreamHandlers } from './handlers/trace.ts';
import { migrateHandlers, migrateStreamHandlers } from './handlers/migrate.ts';

export const handlers: Record<string, Handler> = { ...domainHandlers, ...hostHandlers, ...vcpuHandlers, ...deviceHandlers, ...traceHandlers, ...migrateHandlers };

export class ControlServer {
  private server: Server | undefined;
  private sockets = new Set<Socket>();
  onStop: () => void = () => {};

  constructor(private readonly host: Host, private readonly extra: Record<string, Handler> = {}) {}

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
    let first = Buffer.alloc(0);
    const sniff = (d: Buffer) => {
      first = Buffer.concat([first, d]);
      const nl = first.indexOf(10);
      if (nl < 0) { if (first.length > 4096) sock.destroy(); return; }
      sock.removeListener('data', sniff);
      let f: any = {};
      try { f = JSON.parse(first.subarray(0, nl).toString()); } catch {}
      if (typeof f.raw === 'string') {
        sock.pause();
        this.sockets.delete(sock);
        this.host.rawChannels.offer(f.raw, sock, first.subarray(nl + 1));
        return;
      }
      this.serveJson(sock);
      sock.emit('data', first);
    };
    sock.on('data', sniff);
    sock.on('error', () => {});
  }

  private serveJson(sock: Socket): void {
    const streams = new Map<number, { cleanup?: () => void; input?: (x: unknown) => void }>();
    const send = (f: object) => { if (!sock.destroyed) sock.write(encodeFrame(f)); };
    send({ hello: 'xenlab', version: PROTOCOL_VERSION, pid: process.pid });
    const split = new FrameSplitter(f => {
      if (f.hello) return;
      if ('input' in f) { streams.get(f.id)?.input?.(f.input); return; }
      if ('end' in f) { const s = streams.get(f.id); streams.delete(f.id); s?.cleanup?.(); send({ id: f.id, end: true }); return; }
      const sh = streamHandlers[f.type] ?? traceStreamHandlers[f.type] ?? migrateStreamHandlers[f.type];
      if (sh) {
        const entry: { cleanup?: () => void; input?: (x: unknown) => void } = {};
        streams.set(f.id, entry);
        const ctx: StreamCtx = {
          emit: e => { if (streams.has(f.id)) send({ id: f.id, event: e }); },
          end: () => { if (streams.delete(f.id)) { entry.cleanup?.(); send({ id: f.id, end: true }); } },
          fail: e => { if (streams.delete(f.id)) send({ id: f.id, ok: false, error: e.toPayload() }); },
          onInput: cb => { entry.input = cb; },
        };
        try { entry.cleanup = sh(this.host, f.args ?? {}, ctx) ?? undefined; }
        catch (e) { ctx.fail(asToolError(e)); }
        return;
      }
      void this.dispatch(f.type, f.args ?? {}).then(
        result => send({ id: f.id, ok: true, result }),
        e => send({ id: f.id, ok: false, error: asToolError(e).toPayload() }));
    });
    sock.on('data', d => { try { split.push(d); } catch { sock.destroy(); } });
    sock.on('error', () => {});
    sock.on('close', () => { this.sockets.delete(sock); for (const s of streams.values()) s.cleanup?.(); streams.clear(); });
  }

  private async dispatch(type: string, args: unknown): Promise<unknown> {
    if (type === 'daemon.stop') { setImmediate(() => this.onStop()); return {}; }
    const h = handlers[type] ?? this.extra[type];
    if (!h) throw new ToolError('ENOTSUP', `xenlabd: unknown request ${type}`, 1);
    return await h(this.host, args);
  }

  close(): void {
    for (const s of this.sockets) s.destroy();
    this.server?.close();
  }
}

function asToolError(e: unknown): ToolError {
  if (e instanceof ToolError) return e;
  const m = e instanceof Error ? e.message : String(e);
  return new ToolError('EINTERNAL', `xenlabd: ${m}`, 1);
}
