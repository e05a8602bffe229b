// xenstored: the wire server. Socket clients are dom0 (privileged); an introduced domain talks
// through its xenstore page and event channel, which xenstored maps and binds itself (given the
// Xen devices); Dom0's own services connect in-process through connectDomain. Bad input costs
// only the offending connection.

import { chmod, mkdir, rm } from 'node:fs/promises';
import { createServer, Socket, type Server } from 'node:net';
import { dirname } from 'node:path';
import { FrameSplitter, XS_HEADER_LEN, XS_PAYLOAD_MAX, XsType, encodeMessage, type XsMessage } from '../../formats/xenstore-wire.ts';
import { Connection } from './connection.ts';
import { XenstoredCore, type DomainRings } from './core.ts';
import { DomainRing } from './domain-ring.ts';
import { XsdError, type XsdErrorName } from './errors.ts';
import { quota } from './quota.ts';
import { handle } from './dispatch.ts';
import { Journal } from './journal.ts';
import { LiveUpdate, REAL_CLOCK, type XenstoredClock } from './live-update.ts';
import { ReplyWriter, readNow } from './socket-io.ts';
import { socketFd } from '../socket-write.ts';
import type { XenDevices } from '../xen-devices.ts';
import { GNTTAB_RESERVED_XENSTORE } from '../../hypervisor/grant-table.ts';
import { XENSTORE_ERROR_PROTO, XENSTORE_ERROR_RINGIDX } from '../../formats/xen-ring/index.ts';

export interface DomainEndpoint {
  write(buf: Buffer): void;
  onData(cb: (buf: Buffer) => void): void;
  close(): void;
}

/** Stop reading a socket whose replies pile up beyond this (the client is not reading). */
const MAX_UNSENT = 1 << 20;

/** Socket input is read into this one buffer: each chunk is handled before the next read. */
const READ_BUFFER_BYTES = 64 * 1024;

export class Xenstored {
  private readonly core: XenstoredCore;
  private server: Server | null = null;
  /** Socket clients and their writers. */
  private readonly sockets = new Map<Socket, ReplyWriter>();
  /** Input held for incomplete messages, per connection (each at most one message). */
  private readonly pendingInput = new Map<Connection, FrameSplitter>();
  private readonly readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);

  /**
   * `journal`: the file the tree is kept in across restarts (none: the tree lives in memory only).
   * `domainExists`: the hypervisor's answer to whether a domain exists (default: any does).
   */
  /** Introduced domains' pages, by domid. */
  private readonly pages = new Map<number, DomainPage>();
  /** Domains whose requests are left in their ring (the fault plane's stuck or slow xenstored client). */
  private readonly held = new Set<number>();
  /** Dom0 is restarting: nothing is served until xenstored is back. */
  private down = false;
  /** How to carry on with each connection's requests left waiting (by a live update). */
  private readonly resumers = new Map<Connection, () => void>();

  /**
   * `journal`: the file the tree is kept in across restarts (none: the tree lives in memory only).
   * `domainExists`: the hypervisor's answer to whether a domain exists (default: any does).
   * `xen`: xenstored's gntdev and evtchn devices, through which introduced domains' pages are
   * mapped (none: domains are only named by XS_INTRODUCE and connect in-process).
   * `clock`: xenstored's time (transactions' ages, a live update's timeout); default the wall clock.
   */
  constructor(opts: { log?: (line: string) => void; journal?: string; domainExists?: (domid: number) => boolean; xen?: XenDevices; clock?: XenstoredClock } = {}) {
    const log = opts.log ?? (() => {});
    const saved = opts.journal ? Journal.open(opts.journal, log) : undefined;
    this.core = new XenstoredCore(log, saved?.store, saved?.journal, opts.domainExists);
    if (opts.xen) this.core.rings = this.domainRings(opts.xen);
    this.core.clock = opts.clock ?? REAL_CLOCK;
    this.core.liveUpdate = new LiveUpdate(this.core, this.core.clock, () => { for (const r of [...this.resumers.values()]) r(); });
  }

  async listen(socketPath: string): Promise<void> {
    await mkdir(dirname(socketPath), { recursive: true, mode: 0o700 });
    await rm(socketPath, { force: true });
    // Accepted sockets start paused so that acceptSocket can read them into readBuffer.
    const server = createServer({ pauseOnConnect: true }, sock => this.acceptSocket(sock));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => { server.off('error', reject); resolve(); });
    });
    await chmod(socketPath, 0o600);
    this.server = server;
  }

  async close(): Promise<void> {
    for (const s of this.sockets.keys()) s.destroy();
    const server = this.server;
    this.server = null;
    // Closing a listening Unix socket server also removes its socket file.
    if (server) await new Promise<void>(resolve => server.close(() => resolve()));
    // Domains' pages are let go as they are: whatever is in them waits for the next xenstored.
    for (const domid of [...this.pages.keys()]) this.core.rings!.disconnect(domid);
    for (const c of [...this.core.connections]) c.drop();
    this.core.journal?.close();
  }

  private acceptSocket(accepted: Socket): void {
    // Node gives every read a fresh 64 KiB buffer, which costs a sequential client several
    // microseconds per request. Re-wrapping the accepted handle with `onread` reads into one
    // reused buffer instead; requests are handled (and anything kept is copied) before the
    // next read.
    const fd = socketFd(accepted);
    const handle = (accepted as unknown as { _handle: unknown })._handle;
    (accepted as unknown as { _handle: unknown })._handle = null;
    accepted.destroy();
    let onChunk: (data: Buffer) => void = () => {};
    const sock = new Socket({
      handle, readable: true, writable: true,
      onread: { buffer: this.readBuffer, callback: (n: number, buf: Uint8Array) => { onChunk(buf.subarray(0, n) as Buffer); } },
    } as ConstructorParameters<typeof Socket>[0]);
    // Replies to one input chunk leave in one write; events caused by others go at once.
    const writer = new ReplyWriter(sock, fd, over => this.core.log(over
      ? `Domain 0 (connection ${conn.id}) exceeds hard memory quota, Xenstore interface to domain stalled: its watch events are dropped until it reads`
      : `Domain 0 (connection ${conn.id}) below hard memory quota again`));
    this.sockets.set(sock, writer);
    const conn = new Connection(0, true, (type, reqId, txId, payload) => {
      if (type === XsType.WATCH_EVENT) writer.sendEvent(payload); else writer.send(type, reqId, txId, payload);
    }, () => { this.detach(conn); sock.destroy(); }, undefined, true);
    // A client that does not read its replies stops being read: its requests wait in the
    // kernel's socket buffer instead of our memory.
    const input = this.attach(conn, () => writer.unsent > MAX_UNSENT, this.readBuffer);
    let paused = false;
    const step = (work: () => boolean): void => {
      const more = writer.batch(work);
      if (more === paused) { paused = !more; if (more) sock.resume(); else sock.pause(); }
    };
    onChunk = data => {
      // libxenstore writes a header and its payload with two write(2)s; like C xenstored, read
      // the payload at once instead of waiting to be woken for it.
      if (data.length === XS_HEADER_LEN && fd >= 0) {
        const len = data.readUInt32LE(12);
        if (len > 0 && len <= XS_PAYLOAD_MAX) data = this.readBuffer.subarray(0, XS_HEADER_LEN + readNow(fd, this.readBuffer, XS_HEADER_LEN, len));
      }
      step(() => input.feed(data));
    };
    sock.on('drain', () => step(input.resume));
    this.resumers.set(conn, () => step(input.resume));
    const gone = (): void => { this.sockets.delete(sock); this.detach(conn); };
    sock.on('close', gone);
    sock.on('error', () => sock.destroy());
    sock.resume();
  }

  /**
   * Registers a connection. feed() takes input bytes and handles the complete requests;
   * it returns false when it stopped because `blocked()` (replies not yet taken), and
   * resume() carries on with the requests left over (at most one input chunk's worth).
   */
  private attach(conn: Connection, blocked: () => boolean = () => false, reusedInput?: Buffer): { feed(data: Buffer): boolean; resume(): boolean } {
    this.core.connections.add(conn);
    const lu = this.core.liveUpdate;
    const splitter = new FrameSplitter();
    this.pendingInput.set(conn, splitter);
    const backlog: XsMessage[] = [];
    let busy = false;
    const run = (): boolean => {
      // A domain may answer an event by writing at once: that input joins the backlog.
      if (busy) return true;
      busy = true;
      try {
        while (backlog.length && !conn.closed) {
          // A transaction waits for a pending live update (C delays its start).
          if (blocked() || (backlog[0]!.type === XsType.TRANSACTION_START && !lu.mayStartTransaction(conn))) {
            // What waits must outlive the reused input buffer (copied once: a copy is elsewhere).
            if (reusedInput) for (const m of backlog) if (m.payload.buffer === reusedInput.buffer) m.payload = Buffer.from(m.payload);
            return false;
          }
          handle(this.core, conn, backlog.shift()!);
          if (lu.pending) lu.poll();
        }
        return true;
      } finally {
        busy = false;
      }
    };
    return {
      feed: (data: Buffer) => {
        if (conn.closed) return true;
        for (const ev of splitter.push(data)) {
          if (ev.kind === 'oversize') {
            this.core.log(`Client tried to feed us ${ev.len} (connection ${conn.id}, dom${conn.domid})`);
            conn.drop();
            return true;
          }
          backlog.push(ev.message);
        }
        return run();
      },
      resume: run,
    };
  }

  private detach(conn: Connection): void {
    conn.closed = true;
    conn.transactions.clear();
    conn.watches = [];
    this.core.connections.delete(conn);
    this.pendingInput.delete(conn);
    this.resumers.delete(conn);
    this.core.liveUpdate.dropped(conn);
  }

  /** Live connections and the bytes of partial input they hold (for robustness tests). */
  stats(): { connections: number; bufferedInput: number; unsentOutput: number; nodes: number } {
    let bufferedInput = 0;
    for (const s of this.pendingInput.values()) bufferedInput += s.pending;
    let unsentOutput = 0;
    for (const w of this.sockets.values()) unsentOutput += w.unsent;
    return { connections: this.core.connections.size, bufferedInput, unsentOutput, nodes: this.core.store.size };
  }

  connectDomain(domid: number): DomainEndpoint {
    let deliver: ((buf: Buffer) => void) | null = null;
    const early: Buffer[] = [];
    const conn: Connection = new Connection(domid, domid === 0, (type, reqId, txId, payload) => {
      const buf = encodeMessage({ type, reqId, txId, payload });
      if (deliver) deliver(buf); else early.push(buf);
    }, () => this.detach(conn), this.core.targets);
    const input = this.attach(conn);
    this.resumers.set(conn, input.resume);
    return {
      write: buf => { input.feed(buf); },
      onData: cb => { deliver = cb; for (const b of early.splice(0)) cb(b); },
      close: () => this.detach(conn),
    };
  }

  // ---- domains' pages ----------------------------------------------------------------------

  private domainRings(xen: XenDevices): DomainRings {
    const bind = (domid: number, port: number): number => {
      try { return xen.bindInterdomain(domid, port, () => this.pageEvent(domid)); } catch (e) { throw xenFailure(e); }
    };
    return {
      connect: (domid, port) => {
        let bytes: Buffer;
        try { bytes = xen.mapPage(domid, GNTTAB_RESERVED_XENSTORE); } catch (e) { throw xenFailure(e); }
        let localPort: number;
        try { localPort = bind(domid, port); } catch (e) { xen.release(domid); throw e; }
        const p: DomainPage = { conn: null!, ring: new DomainRing(bytes, () => xen.notify(p.port)), port: localPort, input: null!, busy: false, again: false };
        this.pages.set(domid, p);
        this.openPage(domid, p);
      },
      rebind: (domid, port) => {
        const p = this.pages.get(domid);
        if (!p) return;
        xen.unbind(domid, p.port);
        p.port = bind(domid, port);
      },
      reset: domid => {
        const p = this.pages.get(domid);
        if (!p) return;
        this.detach(p.conn);
        p.ring.reset();
        this.openPage(domid, p);
      },
      disconnect: domid => {
        const p = this.pages.get(domid);
        if (!p) return;
        this.detach(p.conn);
        this.pages.delete(domid);
        xen.release(domid);
      },
      queued: domid => this.pages.get(domid)?.ring.queued ?? 0,
    };
  }

  /** A connection reading and writing the domain's page. */
  private openPage(domid: number, p: DomainPage): void {
    const conn: Connection = new Connection(domid, false, (type, reqId, txId, payload) => {
      if (!p.ring.write(encodeMessage({ type, reqId, txId, payload }))) this.ignorePage(p, XENSTORE_ERROR_RINGIDX);
    }, () => this.ignorePage(p, XENSTORE_ERROR_PROTO), this.core.targets);
    p.conn = conn;
    // Like C's domain_can_read: a domain with as many replies waiting as it may have outstanding is not read.
    p.input = this.attach(conn, () => p.ring.queued >= quota.outstanding);
    this.resumers.set(conn, () => this.pageEvent(domid));
  }

  /** ignore_connection: the domain learns why from its page's error word and is no longer served. */
  private ignorePage(p: DomainPage, err: number): void {
    if (p.conn.closed) return;
    p.ring.setError(err);
    this.detach(p.conn);
  }

  /**
   * Leave a domain's requests unread in its ring (the fault plane: xenstored stuck for that
   * client); let go, what it sent meanwhile is served. Other domains are served as ever.
   */
  hold(domid: number, held: boolean): void {
    if (held) { this.held.add(domid); return; }
    this.held.delete(domid);
    this.pageEvent(domid);
  }

  /** Serve a held domain's requests once (a slow xenstored client is answered in late batches). */
  serveHeld(domid: number): void { this.pageEvent(domid, true); }

  /** The domain notified: write what waits for room, then read its requests until none are left or it must wait. */
  private pageEvent(domid: number, evenHeld = false): void {
    const p = this.pages.get(domid);
    if (!p || this.down || (this.held.has(domid) && !evenHeld)) return;
    // A notification while this runs (the domain answered an event at once) is taken by the loop.
    if (p.busy) { p.again = true; return; }
    p.busy = true;
    try {
      do {
        p.again = false;
        if (p.conn.closed) return;
        if (!p.ring.flush()) { this.ignorePage(p, XENSTORE_ERROR_RINGIDX); return; }
        if (!p.input.resume()) continue;
        for (;;) {
          const data = p.ring.read();
          if (data === null) { this.ignorePage(p, XENSTORE_ERROR_RINGIDX); return; }
          if (data.length === 0 || !p.input.feed(data)) break;
        }
      } while (p.again);
    } finally {
      p.busy = false;
    }
  }

  /**
   * Dom0's kernel goes down (xenlabd dom0 restart): Dom0's processes die, so its socket clients
   * and in-process connections go and nothing listens; domains' requests wait in their pages.
   */
  async stopForDom0Restart(): Promise<void> {
    this.down = true;
    for (const c of [...this.core.connections]) if (c.domid === 0) c.drop();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>(resolve => server.close(() => resolve()));
  }

  /** xenstored is back with its state as a live update carries it (see live-update.ts); domains are served from where they were left. */
  async startAfterDom0Restart(socketPath: string): Promise<void> {
    this.core.liveUpdate.takeOver();
    await this.listen(socketPath);
    this.down = false;
    for (const domid of this.pages.keys()) this.pageEvent(domid);
  }

  /** The page of an introduced domain (tests read its indexes). */
  domainPage(domid: number): Buffer | undefined { return this.pages.get(domid)?.ring.page; }

  introduceDomain(domid: number, port: number): void { this.core.introduce(domid, port); }
  /** Take back a domain that was introduced to an earlier xenstored (as a live update does): its page is read from where it was left. */
  restoreDomain(domid: number, port: number): void {
    this.core.restore(domid, port);
    // What the domain wrote while no xenstored was reading is served now.
    this.pageEvent(domid);
  }
  releaseDomain(domid: number): void { this.core.release(domid); this.core.persist(); }
  /** The domain shut down (VIRQ_DOM_EXC): fires @releaseDomain once. */
  domainShutdown(domid: number): void { this.core.shutdown(domid); }
}

interface DomainPage {
  conn: Connection;
  ring: DomainRing;
  /** xenstored's end of the domain's store event channel. */
  port: number;
  input: { feed(data: Buffer): boolean; resume(): boolean };
  busy: boolean;
  again: boolean;
}

/** A failed map or bind: the errno xenstored answers XS_INTRODUCE with. */
function xenFailure(e: unknown): XsdError {
  const errno = (e as { errno?: string }).errno;
  const known: XsdErrorName[] = ['EINVAL', 'EACCES', 'EEXIST', 'ENOENT', 'ENOMEM', 'ENOSPC', 'EIO', 'EBUSY', 'EAGAIN', 'EPERM'];
  return new XsdError(known.includes(errno as XsdErrorName) ? errno as XsdErrorName : 'EINVAL');
}
