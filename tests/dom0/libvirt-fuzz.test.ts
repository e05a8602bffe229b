// The libvirt endpoint under hostile input: malformed XDR, impossible lengths, unknown programs
// and procedures, garbage on many connections at once. A bad connection gets libvirt's error
// or is dropped; the others keep working; the daemon's memory stays bounded.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { XdrReader, XdrWriter } from '../../src/formats/xdr.ts';
import { decodeHeader, encodeFrame, FrameReader } from '../../src/formats/libvirt/rpc.ts';

const PROG = 0x20008086;
let h: TestHost, sock: string;

before(() => { h = new TestHost().start(); sock = join(h.home, 'run/libvirt/libvirt-sock'); });
after(() => h?.stop());

/** A raw connection: send frames, read replies, see when the server hangs up. */
class Raw {
  readonly s: Socket;
  private frames = new FrameReader();
  private got: Buffer[] = [];
  private waiters: (() => void)[] = [];
  closed = false;
  constructor() {
    this.s = connect(sock);
    this.s.on('data', d => { this.got.push(...this.frames.push(d)); this.wake(); });
    this.s.on('close', () => { this.closed = true; this.wake(); });
    this.s.on('error', () => {});
  }
  private wake() { for (const w of this.waiters.splice(0)) w(); }
  call(proc: number, serial: number, body?: Buffer, prog = PROG): void {
    this.s.write(encodeFrame({ prog, vers: 1, proc, type: 0, serial, status: 0 }, body));
  }
  async reply(): Promise<{ serial: number; proc: number; status: number; body: XdrReader }> {
    while (!this.got.length) {
      if (this.closed) throw new Error('closed');
      await new Promise<void>(r => this.waiters.push(r));
    }
    const { header, body } = decodeHeader(this.got.shift()!);
    return { serial: header.serial, proc: header.proc, status: header.status, body: new XdrReader(body) };
  }
  async hangup(): Promise<void> { while (!this.closed) await new Promise<void>(r => this.waiters.push(r)); }
  async open(): Promise<void> {
    this.call(1, 1, new XdrWriter().bool(true).string('xen:///system').uint(0).toBuffer());
    assert.equal((await this.reply()).status, 0);
  }
}

function errorOf(r: XdrReader): { code: number; domain: number; message: string | null } {
  return { code: r.int(), domain: r.int(), message: r.optional(() => r.string(1 << 20)) };
}

test('oversized and undersized lengths drop the connection', async () => {
  for (const len of [0x7fffffff, 33554433, 8, 0]) {
    const c = new Raw();
    const b = Buffer.alloc(28); b.writeUInt32BE(len >>> 0);
    c.s.write(b);
    await c.hangup();
  }
});

test('unknown programs and procedures, undecodable arguments and calls before open get libvirt errors', async () => {
  const c = new Raw();
  c.call(3, 1);
  let r = await c.reply();
  assert.deepEqual([r.serial, r.status], [1, 1]);
  assert.deepEqual(errorOf(r.body), { code: 1, domain: 7, message: 'internal error: connection not open' });
  await c.open();
  c.call(1, 2, undefined, 0x12345678);
  r = await c.reply();
  assert.deepEqual(errorOf(r.body), { code: 39, domain: 7, message: 'RPC error: Cannot find program 305419896 version 1' });
  c.call(9999, 3);
  r = await c.reply();
  assert.deepEqual(errorOf(r.body), { code: 3, domain: 7, message: 'this function is not supported by the connection driver: unknown procedure: 9999' });
  // LOOKUP_BY_NAME with a string that claims more bytes than the frame holds
  c.call(23, 4, new XdrWriter().uint(100000).toBuffer());
  r = await c.reply();
  assert.deepEqual(errorOf(r.body), { code: 39, domain: 7, message: 'RPC error: Unable to decode message payload' });
  c.call(23, 5, new XdrWriter().string('nosuch').toBuffer());
  r = await c.reply();
  assert.deepEqual(errorOf(r.body), { code: 42, domain: 41, message: "Domain not found: no domain with matching name 'nosuch'" });
  // the connection still works
  c.call(59, 6);
  r = await c.reply();
  assert.deepEqual([r.serial, r.status, r.body.string(100)], [6, 0, 'xenlab']);
  c.s.destroy();
});

test('pipelined calls are answered under their own serials; keepalive PING gets PONG', async () => {
  const c = new Raw();
  await c.open();
  for (let s = 10; s < 20; s++) c.call(59, s);
  c.s.write(encodeFrame({ prog: 0x6b656570, vers: 1, proc: 1, type: 2, serial: 0, status: 0 }));
  const serials: number[] = [];
  let pong = false;
  for (let i = 0; i < 11; i++) {
    const r = await c.reply();
    if (r.proc === 2 && r.serial === 0) pong = true; else serials.push(r.serial);
  }
  assert.ok(pong);
  assert.deepEqual(serials.sort((a, b) => a - b), [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  c.s.destroy();
});

test('garbage on many connections: each is answered or dropped, a good client keeps working, memory stays bounded', async () => {
  const pid = Number(readFileSync(join(h.home, 'xenlabd.pid'), 'utf8'));
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
  const before = rss();
  let seed = 12345;
  const rand = (n: number) => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
  for (let round = 0; round < 4; round++) {
    const conns = Array.from({ length: 50 }, () => new Raw());
    for (const c of conns) {
      for (let k = 0; k < 5; k++) {
        const body = Buffer.alloc(rand(200));
        for (let i = 0; i < body.length; i++) body[i] = rand(256);
        const frame = encodeFrame({ prog: rand(2) ? PROG : rand(1 << 30), vers: rand(3), proc: rand(400), type: rand(7), serial: k, status: rand(3) }, body);
        // sometimes a lie about the length: more than sent (the server waits), or absurd (it drops)
        if (rand(10) === 0) frame.writeUInt32BE(rand(2) ? frame.length + 1000 : 0xfffffff0, 0);
        c.s.write(frame);
      }
    }
    const good = new Raw();
    await good.open();
    good.call(59, 99);
    const r = await good.reply();
    assert.deepEqual([r.serial, r.status], [99, 0]);
    good.s.destroy();
    for (const c of conns) c.s.destroy();
  }
  // A 32 MiB frame announced and never sent is held at most once per connection; nothing grows per frame.
  assert.ok(rss() - before < 200_000, `RSS grew from ${before} to ${rss()} KiB`);
  assert.equal(h.sys('virsh', ['-c', `xen+unix:///system?socket=${sock}`, 'list', '--name']).stdout.trim(), 'Domain-0');
});
