// The DRBD model's two ends over a real socket (protocol D as Remus uses it): the initial sync
// makes the peer's copy equal; an epoch reaches the peer at its barrier and is acknowledged, but
// lands on the peer's copy only when its checkpoint is complete there; what is held when the
// primary dies is dropped. block-drbd-probe's exit statuses for the resources it refuses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DrbdResources } from '../../src/dom0/drbd/resources.ts';

/** Where a host's DRBD model listens (as the daemon's HostPaths.drbd for a short home). */
const drbdSocket = (home: string): string => join(home, 'run', 'drbd.sock');
import { DrbdPrimary, PROBE_NOT_DRBD, PROBE_NOT_PROTOCOL_D, PROBE_NOT_READY } from '../../src/dom0/drbd/primary.ts';
import { DrbdSecondary } from '../../src/dom0/drbd/secondary.ts';

const SIZE = 3 << 20;
let root: string, homeA: string, homeB: string, secondary: DrbdSecondary;

function host(name: string, peer: string): string {
  const home = join(root, name);
  mkdirSync(join(home, 'drbd.d'), { recursive: true });
  mkdirSync(join(home, 'run'));
  const img = Buffer.alloc(SIZE, name === 'a' ? 0x11 : 0);
  writeFileSync(join(home, 'r0.img'), img);
  writeFileSync(join(home, 'drbd.d', 'r0.res'), `protocol D\ndisk ${join(home, 'r0.img')}\npeer ${join(root, peer)}\n`);
  return home;
}

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'drbd-'));
  homeA = host('a', 'b');
  homeB = host('b', 'a');
  secondary = new DrbdSecondary(new DrbdResources(join(homeB, 'drbd.d'), drbdSocket), () => {});
  await secondary.listen(drbdSocket(homeB));
});
after(() => { secondary.close(); rmSync(root, { recursive: true, force: true }); });

const copyB = () => readFileSync(join(homeB, 'r0.img'));

async function connect(): Promise<DrbdPrimary> {
  const p = await DrbdPrimary.probe(new DrbdResources(join(homeA, 'drbd.d'), drbdSocket), 'r0');
  assert.ok(p instanceof DrbdPrimary, JSON.stringify(p));
  return p;
}

test('an epoch is held on the peer until its checkpoint is complete; held epochs die with the primary', async () => {
  const p = await connect();
  await p.sync();
  assert.ok(copyB().equals(readFileSync(join(homeA, 'r0.img'))), 'synced');

  p.write(4096, Buffer.alloc(512, 0xaa));
  p.barrier();
  await p.ackwait();
  assert.equal(copyB()[4096], 0x11, 'acknowledged, not yet written');
  secondary.commit('r0', 1);
  assert.equal(copyB()[4096], 0xaa, 'written once checkpoint 1 is complete');

  // Checkpoint 2 completes before its epoch arrives: the epoch lands as it comes.
  secondary.commit('r0', 2);
  p.write(SIZE - 512, Buffer.alloc(512, 0xbb));
  p.barrier();
  await p.ackwait();
  assert.equal(copyB()[SIZE - 1], 0xbb);

  p.write(0, Buffer.alloc(512, 0xcc));
  p.barrier();
  await p.ackwait();
  p.close();
  secondary.failover('r0');
  secondary.commit('r0', 3);
  assert.equal(copyB()[0], 0x11, 'checkpoint 3 never completed: its write is absent');
});

test("block-drbd-probe's refusals: peer without the resource, protocol, no resource", async () => {
  const resA = new DrbdResources(join(homeA, 'drbd.d'), drbdSocket);
  rmSync(join(homeB, 'drbd.d', 'r0.res'));
  assert.equal((await DrbdPrimary.probe(resA, 'r0') as { status: number }).status, PROBE_NOT_READY);
  writeFileSync(join(homeA, 'drbd.d', 'r0.res'), `protocol C\ndisk ${join(homeA, 'r0.img')}\npeer ${homeB}\n`);
  assert.equal((await DrbdPrimary.probe(resA, 'r0') as { status: number }).status, PROBE_NOT_PROTOCOL_D);
  assert.equal((await DrbdPrimary.probe(resA, 'r9') as { status: number }).status, PROBE_NOT_DRBD);
  // A name is a file name in drbd.d, never a path.
  assert.equal((await DrbdPrimary.probe(resA, '../a/drbd.d/r0') as { status: number }).status, PROBE_NOT_DRBD);
});

test('a peer that writes outside the disk or announces an oversized frame is cut off; the copy is untouched and the next peer is served', async () => {
  const { connect: dial } = await import('node:net');
  const { encodeFrame } = await import('../../src/formats/drbd/wire.ts');
  const img = join(homeB, 'r9.img');
  writeFileSync(img, Buffer.alloc(SIZE));
  writeFileSync(join(homeB, 'drbd.d', 'r9.res'), `protocol D\ndisk ${img}\npeer ${homeA}\n`);
  /** What the peer answered before it closed the connection (or, with `keep`, once it answered `keep`). */
  const tryFrames = (frames: Buffer[], keep?: RegExp) => new Promise<string>(resolve => {
    const s = dial(drbdSocket(homeB));
    let got = '';
    s.on('data', d => { got += d.toString('latin1'); if (keep?.test(got)) s.end(); });
    s.on('close', () => resolve(got));
    s.on('connect', () => { for (const f of frames) s.write(f); });
  });
  const hello = encodeFrame({ t: 'hello', res: 'r9', size: SIZE });
  // Past the end of the disk; a sync past it; a frame announcing a 4 GiB body.
  const past = await tryFrames([hello, encodeFrame({ t: 'epoch', res: 'r9', n: 1, writes: [[SIZE - 2, 4]] }, Buffer.alloc(4, 0xee))]);
  assert.match(past, /"ready"/);
  assert.doesNotMatch(past, /"ack"/, 'no ack for a write outside the disk');
  const short = await tryFrames([hello, encodeFrame({ t: 'sync', res: 'r9', offset: SIZE, last: true }, Buffer.alloc(1, 0xee))]);
  assert.doesNotMatch(short, /"synced"/);
  const huge = Buffer.alloc(8);
  huge.writeUInt32LE(16, 0);
  huge.writeUInt32LE(0xffffffff, 4);
  await tryFrames([hello, huge]);
  secondary.commit('r9', 1);
  assert.ok(readFileSync(img).equals(Buffer.alloc(SIZE)), 'nothing was written');
  // A well-behaved peer is still served.
  const ok = await tryFrames([hello, encodeFrame({ t: 'epoch', res: 'r9', n: 1, writes: [[0, 4]] }, Buffer.alloc(4, 0xee))], /"ack"/);
  assert.match(ok, /"ack"/);
});
