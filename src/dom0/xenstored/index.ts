// xenstored: the wire server. Socket clients are dom0 (privileged); domains connect in-process
// (their ring) through connectDomain. Bad input costs only the offending connection.

import { chmod, mkdir, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { FrameSplitter } from '../../formats/xenstore-wire.ts';
import { Connection } from './connection.ts';
import { XenstoredCore } from './core.ts';
import { handle } from './dispatch.ts';

export interface DomainEndpoint {
  write(buf: Buffer): void;
  onData(cb: (buf: Buffer) => void): void;
  close(): void;
}

/** Stop reading a socket whose replies pile up beyond this (the client is not reading). */
const MAX_UNSENT = 1 << 20;

export class Xenstored {
  private readonly core: XenstoredCore;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(opts: { log?: (line: string) => void } = {}) {
    this.core = new XenstoredCore(opts.log ?? (() => {}));
  }

  async listen(socketPath: string): Promise<void> {
    await mkdir(dirname(socketPath), { recursive: true });
    await rm(socketPath, { force: true });
    const server = createServer(sock => this.acceptSocket(sock));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => { server.off('error', reject); resolve(); });
    });
    await chmod(socketPath, 0o600);
    this.server = server;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>(resolve => server.close(() => resolve()));
    for (const c of [...this.core.connections]) c.drop();
  }

  private acceptSocket(sock: Socket): void {
    this.sockets.add(sock);
    const conn = new Connection(0, true, buf => {
      if (!sock.write(buf) && sock.writableLength > MAX_UNSENT) sock.pause();
    }, () => { this.detach(conn); sock.destroy(); });
    sock.on('drain', () => sock.resume());
    const feed = this.attach(conn);
    sock.on('data', (data: Buffer) => {
      sock.cork();
      feed(data);
      sock.uncork();
    });
    const gone = (): void => { this.sockets.delete(sock); this.detach(conn); };
    sock.on('close', gone);
    sock.on('error', () => sock.destroy());
  }

  /** Registers a connection; returns the function that feeds it input bytes. */
  private attach(conn: Connection): (data: Buffer) => void {
    this.core.connections.add(conn);
    const splitter = new FrameSplitter();
    let busy = false;
    const queue: Buffer[] = [];
    return (data: Buffer) => {
      if (conn.closed) return;
      // A domain may answer an event by writing at once; finish the current input first.
      if (busy) { queue.push(data); return; }
      busy = true;
      try {
        let next: Buffer | undefined = data;
        while (next && !conn.closed) {
          for (const ev of splitter.push(next)) {
            if (conn.closed) break;
            if (ev.kind === 'oversize') {
              this.core.log(`Client tried to feed us ${ev.len} (connection ${conn.id}, dom${conn.domid})`);
              conn.drop();
              break;
            }
            handle(this.core, conn, ev.message);
          }
          next = queue.shift();
        }
      } finally {
        busy = false;
        queue.length = 0;
      }
    };
  }

  private detach(conn: Connection): void {
    conn.closed = true;
    conn.transactions.clear();
    conn.watches = [];
    this.core.connections.delete(conn);
  }

  connectDomain(domid: number): DomainEndpoint {
    let deliver: ((buf: Buffer) => void) | null = null;
    const early: Buffer[] = [];
    const conn: Connection = new Connection(domid, domid === 0, buf => {
      if (deliver) deliver(buf); else early.push(buf);
    }, () => this.detach(conn));
    const feed = this.attach(conn);
    return {
      write: buf => feed(buf),
      onData: cb => { deliver = cb; for (const b of early.splice(0)) cb(b); },
      close: () => this.detach(conn),
    };
  }

  introduceDomain(domid: number): void { this.core.introduce(domid); }
  releaseDomain(domid: number): void { this.core.release(domid); }
}
