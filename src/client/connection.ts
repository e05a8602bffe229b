// A tool's connection to its host's daemon: hello, then requests and streams over one socket.
import { connect, type Socket } from 'node:net';
import { PROTOCOL_VERSION, FrameSplitter, encodeFrame, ToolError, type ErrorPayload } from '../protocol/wire.ts';
import type { ArgsOf, RequestType, ResultOf } from '../protocol/requests.ts';
import type { StreamType, Streams } from '../protocol/streams.ts';

interface Pending { resolve: (v: any) => void; reject: (e: Error) => void; onEvent?: (e: any) => void }

export class Connection {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private closed = false;

  private constructor(private readonly sock: Socket) {
    const splitter = new FrameSplitter(f => this.onFrame(f));
    sock.on('data', d => splitter.push(d));
    sock.on('close', () => this.failAll(new ToolError('EDAEMON', 'xenlabd closed the connection', 1)));
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
        resolve(new Connection(sock));
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

  private failAll(e: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  request<T extends RequestType>(type: T, args: ArgsOf<T>): Promise<ResultOf<T>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.sock.write(encodeFrame({ id, type, args }));
    });
  }

  /** Open a stream; `onEvent` gets each event; the promise settles when the stream ends. */
  stream<T extends StreamType>(type: T, args: Streams[T]['args'], onEvent: (e: Streams[T]['event']) => void): { done: Promise<void>; input: (x: unknown) => void; cancel: () => void } {
    const id = this.nextId++;
    const done = new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onEvent });
      this.sock.write(encodeFrame({ id, type, args }));
    });
    return {
      done,
      input: (x: unknown) => { this.sock.write(encodeFrame({ id, input: x })); },
      cancel: () => { this.sock.write(encodeFrame({ id, end: true })); },
    };
  }

  close(): void { this.closed = true; this.sock.end(); this.sock.destroy(); }
}
