// A tool's connection to its host's daemon: hello, then requests and streams over one socket.
// Once the socket has closed (the daemon exited or was killed, or the tool closed it), every
// request and stream fails at once: a promise that never settles would let Node run out of work
// and the tool exit 0 as if its command had succeeded.
import { connect, type Socket } from 'node:net';
import { PROTOCOL_VERSION, FrameSplitter, encodeFrame, ToolError, type ErrorPayload } from '../protocol/wire.ts';
import type { ArgsOf, RequestType, ResultOf } from '../protocol/requests.ts';
import type { StreamType, Streams } from '../protocol/streams.ts';

interface Pending { resolve: (v: any) => void; reject: (e: Error) => void; onEvent?: (e: any) => void }

/** The daemon went away under a command (exit status 1, as xl exits when libxl fails). */
export function daemonGone(path: string): ToolError {
  return new ToolError('EDAEMONGONE', `xenlabd closed the connection (${path}): the daemon exited or was killed`, 1);
}

export class Connection {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  /** Why nothing more can be sent: set once the socket is closed or closing. */
  private failure: ToolError | null = null;

  private constructor(private readonly sock: Socket, path: string) {
    // The daemon's replies are taken whole, however long (a list of many domains).
    const splitter = new FrameSplitter(f => this.onFrame(f), Infinity);
    sock.on('data', d => {
      try { splitter.push(d); } catch { this.failAll(new ToolError('EPROTO', `xenlabd sent a malformed frame (${path})`, 1)); sock.destroy(); }
    });
    sock.on('close', () => this.failAll(daemonGone(path)));
    sock.on('error', () => {});
  }

  /** Connect and send the hello; resolves once the socket is open (the hello reply is checked lazily). */
  static open(path: string): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const sock = connect(path);
      sock.once('error', reject);
      sock.once('connect', () => {
        sock.removeListener('error', reject);
        sock.write(encodeFrame({ hello: 'xenlab', version: PROTOCOL_VERSION }));
        resolve(new Connection(sock, path));
      });
    });
  }

  private onFrame(f: any): void {
    if (f.hello) {
      if (f.version !== PROTOCOL_VERSION) this.failAll(new ToolError('EVERSION', `xenlabd speaks protocol ${f.version}, this tool ${PROTOCOL_VERSION}: restart the daemon (xenlabd stop)`, 1));
      return;
    }
    const p = this.pending.get(f.id);
    if (!p) return;
    if ('event' in f) { p.onEvent?.(f.event); return; }
    this.pending.delete(f.id);
    if ('end' in f) { p.resolve(undefined); return; }
    if (f.ok) p.resolve(f.result);
    else { const e: ErrorPayload = f.error; p.reject(new ToolError(e.code, e.message, e.exitCode ?? 1)); }
  }

  private failAll(e: ToolError): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }

  /** Send a request or stream opening; fails it at once when the connection is gone. */
  private start(frame: { id: number; type: string; args: unknown }, p: Pending): void {
    if (this.failure) { p.reject(this.failure); return; }
    this.pending.set(frame.id, p);
    this.sock.write(encodeFrame(frame));
  }

  private sendIfOpen(frame: object): void { if (!this.failure) this.sock.write(encodeFrame(frame)); }

  request<T extends RequestType>(type: T, args: ArgsOf<T>): Promise<ResultOf<T>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => this.start({ id, type, args }, { resolve, reject }));
  }

  /** Open a stream; `onEvent` gets each event; the promise settles when the stream ends. */
  stream<T extends StreamType>(type: T, args: Streams[T]['args'], onEvent: (e: Streams[T]['event']) => void): { done: Promise<void>; input: (x: unknown) => void; cancel: () => void } {
    const id = this.nextId++;
    const done = new Promise<void>((resolve, reject) => this.start({ id, type, args }, { resolve, reject, onEvent }));
    return {
      done,
      input: (x: unknown) => this.sendIfOpen({ id, input: x }),
      cancel: () => this.sendIfOpen({ id, end: true }),
    };
  }

  close(): void {
    this.failAll(new ToolError('ECLOSED', 'the connection to xenlabd was closed by the tool', 1));
    this.sock.end();
    this.sock.destroy();
  }
}
