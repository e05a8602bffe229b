// The secondary side of a DRBD resource under Remus (protocol D): the primary's initial sync is
// written at once; each later epoch of writes is held until the checkpoint it belongs to is
// complete on this host (the restore saw its CHECKPOINT_END), and only then written to this
// host's copy. When the primary dies, what is still held is dropped: the copy stays at the last
// complete checkpoint.
import { chmodSync, closeSync, fstatSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { encodeFrame, FrameReader, type DrbdFrame } from '../../formats/drbd/wire.ts';
import type { DrbdResources } from './resources.ts';

interface Epoch { writes: [number, number][]; body: Buffer }
interface Replica { fd: number; size: number; held: Map<number, Epoch>; committed: number }

/** Writes that stay inside the disk and inside the bytes that came with them; anything else is a broken peer. */
function checkWrites(size: number, writes: [number, number][], body: Buffer): void {
  let at = 0;
  for (const [offset, len] of writes) {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(len) || offset < 0 || len < 0 || offset + len > size) throw new Error(`write of ${len} bytes at ${offset} outside the ${size}-byte disk`);
    at += len;
  }
  if (at > body.length) throw new Error(`writes of ${at} bytes with ${body.length} bytes of data`);
}

export class DrbdSecondary {
  private replicas = new Map<string, Replica>();
  private server: Server | null = null;
  private conns = new Set<Socket>();

  constructor(private readonly resources: DrbdResources, private readonly log: (line: string) => void) {}

  listen(path: string): Promise<void> {
    try { unlinkSync(path); } catch {}
    const server = createServer(sock => this.serve(sock));
    this.server = server;
    return new Promise((resolve, reject) => { server.once('error', reject); server.listen(path, () => { chmodSync(path, 0o600); resolve(); }); });
  }

  close(): void {
    this.server?.close();
    for (const c of this.conns) c.destroy();
    for (const r of this.replicas.values()) closeSync(r.fd);
    this.replicas.clear();
  }

  /** The restore of a Remus stream completed checkpoint `n`: its epoch (and any before it) may be written. */
  commit(res: string, n: number): void {
    const r = this.replicas.get(res);
    if (!r || n <= r.committed) return;
    r.committed = n;
    for (const k of [...r.held.keys()].sort((a, b) => a - b)) if (k <= n) this.apply(r, k);
  }

  /** The restore ended (failover or failure): epochs of checkpoints that never completed are dropped. */
  failover(res: string): void {
    const r = this.replicas.get(res);
    if (!r) return;
    if (r.held.size) this.log(`drbd ${res}: dropped ${r.held.size} epoch(s) after checkpoint ${r.committed}`);
    closeSync(r.fd);
    this.replicas.delete(res);
  }

  private apply(r: Replica, n: number): void {
    const e = r.held.get(n)!;
    r.held.delete(n);
    let at = 0;
    for (const [offset, len] of e.writes) { writeSync(r.fd, e.body, at, len, offset); at += len; }
  }

  private serve(sock: Socket): void {
    this.conns.add(sock);
    const reader = new FrameReader();
    const send = (f: DrbdFrame) => { if (!sock.destroyed) sock.write(encodeFrame(f)); };
    sock.on('data', chunk => {
      try {
        for (const { head, body } of reader.feed(chunk)) this.frame(head, body, send);
      } catch (e) { this.log(`drbd: ${e instanceof Error ? e.message : String(e)}`); sock.destroy(); }
    });
    sock.on('error', () => {});
    sock.on('close', () => this.conns.delete(sock));
  }

  private frame(f: DrbdFrame, body: Buffer, send: (f: DrbdFrame) => void): void {
    if (f.t === 'hello') {
      const d = this.resources.disk(f.res);
      if ('error' in d) { send({ t: 'refused', res: f.res, reason: d.error }); return; }
      let fd: number;
      try { fd = openSync(d.path, 'r+'); } catch (e) { send({ t: 'refused', res: f.res, reason: `${d.path}: ${(e as NodeJS.ErrnoException).code}` }); return; }
      const size = fstatSync(fd).size;
      if (size !== f.size) { closeSync(fd); send({ t: 'refused', res: f.res, reason: `${d.path}: ${size} bytes, the peer's disk has ${f.size}` }); return; }
      // A new connection starts over: whatever an earlier primary left held is void.
      const old = this.replicas.get(f.res);
      if (old) closeSync(old.fd);
      this.replicas.set(f.res, { fd, size, held: new Map(), committed: 0 });
      send({ t: 'ready', res: f.res });
      return;
    }
    const r = this.replicas.get(f.res);
    if (!r) return;
    if (f.t === 'sync') {
      checkWrites(r.size, [[f.offset, body.length]], body);
      writeSync(r.fd, body, 0, body.length, f.offset);
      if (f.last) send({ t: 'synced', res: f.res });
    } else if (f.t === 'epoch') {
      checkWrites(r.size, f.writes, body);
      r.held.set(f.n, { writes: f.writes, body });
      if (f.n <= r.committed) this.apply(r, f.n);
      send({ t: 'ack', res: f.res, n: f.n });
    }
  }
}
