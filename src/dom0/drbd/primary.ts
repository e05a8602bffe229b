// The primary side of a DRBD resource under Remus (protocol D). block-drbd-probe's checks come
// first (its exit statuses); then the link to the peer, the initial sync of the whole disk, and
// the epochs: each write blkback makes to the disk goes into the open epoch; a checkpoint's
// suspend closes it and sends it to the peer (drbd_postsuspend, DRBD_SEND_CHECKPOINT), and the
// checkpoint ends only once the peer has it (drbd_preresume, DRBD_WAIT_CHECKPOINT_ACK).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { encodeFrame, FrameReader, type DrbdFrame } from '../../formats/drbd/wire.ts';
import type { DrbdResources } from './resources.ts';

/** block-drbd-probe's exit statuses. */
export const PROBE_NOT_DRBD = 1, PROBE_UNKNOWN = 2, PROBE_NOT_PROTOCOL_D = 3, PROBE_NOT_READY = 4;

const SYNC_CHUNK = 1 << 20;

interface Waiter { match(f: DrbdFrame): boolean; resolve(f: DrbdFrame): void; reject(e: Error): void }

export class DrbdPrimary {
  private epoch: { offset: number; data: Buffer }[] = [];
  private n = 0;
  private acked: Promise<unknown> = Promise.resolve();
  private waiters: Waiter[] = [];
  private closed: Error | null = null;

  private constructor(readonly res: string, private readonly sock: Socket, private readonly fd: number, private readonly size: number) {
    const reader = new FrameReader();
    sock.on('data', chunk => {
      for (const { head } of reader.feed(chunk)) {
        const i = this.waiters.findIndex(w => w.match(head));
        if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(head);
      }
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      this.closed = new Error(`drbd ${res}: connection to the peer lost`);
      for (const w of this.waiters.splice(0)) w.reject(this.closed);
    });
  }

  /**
   * block-drbd-probe TARGET, then the connection: a connected primary, or the script's exit
   * status and why (for the daemon's log).
   */
  static async probe(resources: DrbdResources, name: string): Promise<DrbdPrimary | { status: number; why: string }> {
    const r = resources.get(name);
    if (!r) return { status: PROBE_NOT_DRBD, why: `${name}: not a DRBD resource of this host` };
    if ('error' in r) return { status: PROBE_UNKNOWN, why: `${name}: ${r.error}` };
    if (r.protocol !== 'D') return { status: PROBE_NOT_PROTOCOL_D, why: `${name}: protocol ${r.protocol ?? '(none)'}, not D` };
    if (!r.disk || !r.peer) return { status: PROBE_NOT_READY, why: `${name}: ${r.disk ? 'no peer' : 'no disk'} defined` };
    let fd: number;
    try { fd = openSync(r.disk, 'r'); } catch (e) { return { status: PROBE_NOT_READY, why: `${name}: ${r.disk}: ${(e as NodeJS.ErrnoException).code}` }; }
    const size = fstatSync(fd).size;
    const sock = await new Promise<Socket | Error>(resolve => {
      const s = createConnection(resources.peerSocket(r.peer!));
      s.once('connect', () => resolve(s));
      s.once('error', e => resolve(e));
    });
    if (sock instanceof Error) { closeSync(fd); return { status: PROBE_NOT_READY, why: `${name}: peer ${r.peer} not connected (${(sock as NodeJS.ErrnoException).code})` }; }
    const p = new DrbdPrimary(name, sock, fd, size);
    const answer = await p.request({ t: 'hello', res: name, size }, f => f.t === 'ready' || f.t === 'refused').catch((e: Error) => e);
    if (answer instanceof Error || answer.t !== 'ready') {
      p.close();
      return { status: PROBE_NOT_READY, why: `${name}: peer ${r.peer}: ${answer instanceof Error ? answer.message : answer.t === 'refused' ? answer.reason : answer.t}` };
    }
    return p;
  }

  /** The initial sync: the peer's copy becomes this one (writes made meanwhile are in the first epoch). */
  async sync(): Promise<void> {
    const buf = Buffer.alloc(SYNC_CHUNK);
    for (let offset = 0; ; offset += SYNC_CHUNK) {
      const len = readSync(this.fd, buf, 0, SYNC_CHUNK, offset);
      const last = offset + len >= this.size;
      if (last) { await this.request({ t: 'sync', res: this.res, offset, last }, f => f.t === 'synced', buf.subarray(0, len)); return; }
      this.send({ t: 'sync', res: this.res, offset, last }, buf.subarray(0, len));
    }
  }

  /** blkback wrote to the disk: the write belongs to the open epoch. */
  write(offset: number, data: Buffer): void { this.epoch.push({ offset, data: Buffer.from(data) }); }

  /** DRBD_SEND_CHECKPOINT: the open epoch goes to the peer as checkpoint n's. */
  barrier(): void {
    const n = ++this.n;
    const e = this.epoch;
    this.epoch = [];
    this.acked = this.request({ t: 'epoch', res: this.res, n, writes: e.map(w => [w.offset, w.data.length]) },
      f => f.t === 'ack' && f.n === n, Buffer.concat(e.map(w => w.data)));
    this.acked.catch(() => {});
  }

  /** DRBD_WAIT_CHECKPOINT_ACK. */
  async ackwait(): Promise<void> { await this.acked; }

  close(): void {
    this.sock.destroy();
    try { closeSync(this.fd); } catch {}
  }

  private send(f: DrbdFrame, body?: Buffer): void { this.sock.write(encodeFrame(f, body)); }

  private request(f: DrbdFrame, match: (f: DrbdFrame) => boolean, body?: Buffer): Promise<DrbdFrame> {
    if (this.closed) return Promise.reject(this.closed);
    const answer = new Promise<DrbdFrame>((resolve, reject) => this.waiters.push({ match, resolve, reject }));
    this.send(f, body);
    return answer;
  }
}
