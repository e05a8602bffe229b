// Acknowledged xenstore changes survive kill -9 of the daemon (issue 11, item 10): the real
// xenstore-* clients write, the daemon is killed, and the tree is there after the restart, with
// the domains' own nodes; what belonged to domains that did not come back is removed.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, closeSync, ftruncateSync, openSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { parseList } from '../helpers/xl-parse.ts';
import { FrameSplitter, XsType, encodeMessage } from '../../src/formats/xenstore-wire.ts';

const h = new TestHost().start();
after(() => h.stop());

function kill9(): Promise<void> {
  const pid = Number(readFileSync(join(h.home, 'xenlabd.pid'), 'utf8'));
  process.kill(pid, 'SIGKILL');
  // Wait for it to be gone (signal 0 fails once it is reaped by init).
  return new Promise(resolve => {
    const poll = (): void => { try { process.kill(pid, 0); setTimeout(poll, 10); } catch { resolve(); } };
    poll();
  });
}

/** WRITEs sent back to back on one raw connection; resolves when every one is answered OK. */
function pipelinedWrites(writes: [string, string][]): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = connect(h.env.XENSTORED_PATH!);
    const split = new FrameSplitter();
    let answered = 0;
    sock.on('data', d => {
      for (const ev of split.push(d)) {
        if (ev.kind !== 'message' || ev.message.type !== XsType.WRITE) { reject(new Error(`unexpected reply ${JSON.stringify(ev)}`)); return; }
        if (++answered === writes.length) { sock.destroy(); resolve(); }
      }
    });
    sock.on('error', reject);
    sock.write(Buffer.concat(writes.map(([path, value], i) => encodeMessage({ type: XsType.WRITE, reqId: i, txId: 0, payload: Buffer.from(`${path}\0${value}`) }))));
  });
}

function xs(cmd: string, ...args: string[]): string {
  const r = h.sys(`xenstore-${cmd}`, args);
  assert.equal(r.status, 0, `xenstore-${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('61 acknowledged xenstore-writes, a guest\'s nodes, permissions and an rm survive kill -9', async () => {
  const disk = join(h.home, 'd.img');
  const fd = openSync(disk, 'w'); ftruncateSync(fd, 16 << 20); closeSync(fd);
  h.xlOk('create', '-q', h.guestConfig('g', `disk = [ '${disk},raw,xvda,rw' ]\nvif = [ 'bridge=xenbr0' ]`));
  h.advance('5s');
  const domid = parseList(h.xlOk('list')).find(r => r.name === 'g')!.id;
  const dom = `/local/domain/${domid}`;
  // The guest's own frontend nodes (written through its ring, owned by it).
  const ringRef = xs('read', `${dom}/device/vbd/51712/ring-ref`).trim();
  assert.match(ringRef, /^\d+$/);

  for (let i = 0; i < 61; i++) xs('write', `/durable/k${i}`, `value ${i}`);
  xs('write', `${dom}/data/app`, 'guest data');
  xs('chmod', `${dom}/data/app`, `n${domid}`, 'r0');
  xs('chmod', '/durable/k7', 'n0', `r${domid}`);
  xs('rm', '/durable/k60');
  await kill9();
  h.start();

  for (let i = 0; i < 60; i++) assert.equal(xs('read', `/durable/k${i}`), `value ${i}\n`);
  assert.equal(h.sys('xenstore-read', ['/durable/k60']).status, 1, 'the removed node stays removed');
  assert.equal(xs('ls', '-p', '/durable').split('\n').find(l => l.startsWith('k7 '))!.replace(/ \.[ .]*/, ''), `k7 = "value 7"(n0,r${domid})`);
  // Children come back in the order they were made.
  assert.deepEqual(xs('list', '/durable').trim().split('\n').slice(0, 3), ['k0', 'k1', 'k2']);
  assert.equal(xs('read', `${dom}/data/app`), 'guest data\n');
  assert.equal(xs('ls', '-p', `${dom}/data`).replace(/ \.[ .]*/, ''), `app = "guest data"(n${domid},r0)\n`);
  // The domain came back on top of its restored tree: devices re-added and connected again.
  assert.equal(parseList(h.xlOk('list')).find(r => r.name === 'g')!.id, domid);
  h.advance('1s');
  assert.match(h.xlOk('block-list', 'g').split('\n')[1]!, /^51712 0 +\d+ +4 /);
  assert.match(h.xlOk('network-list', 'g').split('\n')[1]!, /^0 +0 +\S+ +0 +4 /);
  assert.equal(xs('read', `${dom}/name`), 'g\n');
});

test('nodes of a domain that does not come back are removed after recovery', async () => {
  // A domain whose creation never committed leaves only xenstore nodes behind.
  const uuid = '11111111-2222-3333-4444-555555555555';
  xs('write', '/local/domain/77/name', 'ghost');
  xs('write', '/local/domain/77/vm', `/vm/${uuid}`);
  xs('write', `/vm/${uuid}/name`, 'ghost');
  xs('write', '/libxl/77/type', 'pv');
  xs('write', '/local/domain/0/backend/vbd/77/51712/state', '4');
  xs('write', '/local/domain/0/backend/vif/77/0/state', '4');
  await kill9();
  h.start();
  for (const p of ['/local/domain/77', `/vm/${uuid}`, '/libxl/77', '/local/domain/0/backend/vbd/77', '/local/domain/0/backend/vif/77']) {
    assert.equal(h.sys('xenstore-exists', [p]).status, 1, `${p} is gone`);
  }
  assert.equal(xs('read', '/durable/k0'), 'value 0\n', 'the rest of the tree stays');
  assert.match(readFileSync(join(h.home, 'logs/xenlabd.log'), 'utf8'), /removed the nodes of domain 77, which was not recovered/);
});

test('a record cut short by the kill is ignored; compaction keeps the tree across restarts', async () => {
  await kill9();
  const journal = join(h.home, 'xenstored.journal');
  // What a write(2) cut short leaves: a record's length and part of its body.
  appendFileSync(journal, Buffer.from([0x40, 0, 0, 0, 2, 5, 0, 0x2f, 0x78]));
  h.start();
  assert.equal(xs('read', '/durable/k59'), 'value 59\n');
  assert.match(readFileSync(join(h.home, 'logs/xenlabd.log'), 'utf8'), /ignored 9 bytes after offset \d+ \(a record cut short\)/);
  xs('write', '/after-torn', 'yes');

  // Enough writes to make the journal compact itself: 3000 values of 3 KiB, 10 nodes.
  const before = statSync(journal).size;
  await pipelinedWrites(Array.from({ length: 3000 }, (_, i) => [`/big/v${i % 10}`, `${i}:${'x'.repeat(3000)}`]));
  assert.ok(statSync(journal).size < 4 << 20, `compacted: ${statSync(journal).size} bytes after 9 MB of writes`);
  assert.ok(statSync(journal).size > before, 'the snapshot holds the big values');
  await kill9();
  h.start();
  assert.equal(xs('read', '/after-torn'), 'yes\n');
  assert.equal(xs('read', '/big/v9'), `2999:${'x'.repeat(3000)}\n`);
  assert.equal(xs('read', '/durable/k0'), 'value 0\n');
});
