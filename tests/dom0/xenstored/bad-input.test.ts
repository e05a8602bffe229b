import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Xenstored } from '../../../src/dom0/xenstored/index.ts';
import { XsClient } from '../../../src/formats/xenstore-client.ts';
import { FrameSplitter, XsType, encodeHeader, encodeMessage, type XsMessage } from '../../../src/formats/xenstore-wire.ts';

function open(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(path, () => resolve(s));
    s.once('error', reject);
  });
}

async function goodClient(path: string): Promise<{ c: XsClient; s: Socket }> {
  const s = await open(path);
  const c = new XsClient(b => { s.write(b); });
  s.on('data', d => c.feed(d));
  s.on('error', () => {});
  return { c, s };
}

/** Sends `bytes` and collects every reply until `count` messages arrived or the socket closed. */
function exchange(s: Socket, bytes: Buffer, count: number): Promise<{ replies: XsMessage[]; closed: boolean }> {
  return new Promise(resolve => {
    const split = new FrameSplitter();
    const replies: XsMessage[] = [];
    const done = (closed: boolean) => { s.removeAllListeners('data'); resolve({ replies, closed }); };
    s.on('data', d => {
      for (const e of split.push(d)) if (e.kind === 'message') replies.push(e.message);
      if (replies.length >= count) done(false);
    });
    s.once('close', () => done(true));
    s.on('error', () => {});
    s.write(bytes);
  });
}

/** A xenstored on a fresh socket for the length of `body`. */
async function withXenstored(body: (xs: Xenstored, path: string) => Promise<void>): Promise<void> {
  const xs = new Xenstored();
  const path = join(mkdtempSync(join(tmpdir(), 'xsbad-')), 'socket');
  await xs.listen(path);
  try {
    await body(xs, path);
  } finally {
    await xs.close();
  }
}

const msg = (type: number, payload: string | Buffer, reqId = 1, txId = 0) =>
  encodeMessage({ type, reqId, txId, payload: typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload });

const errName = (m: XsMessage) => (m.type === XsType.ERROR ? m.payload.toString('latin1').replace(/\0$/, '') : 'OK');

test('malformed requests get error replies, oversized ones drop only their connection', () => withXenstored(async (xs, path) => {
  const before = await goodClient(path);
  await before.c.write('/probe', 'before');

  // Each malformed request gets the error C xenstored gives, and the connection lives on.
  const s = await open(path);
  const cases: [Buffer, string][] = [
    [msg(99, ''), 'ENOSYS'], [msg(XsType.INVALID, ''), 'ENOSYS'], [msg(XsType.WATCH_EVENT, 'x\0'), 'ENOSYS'],
    [msg(XsType.ERROR, 'x\0'), 'ENOSYS'], [msg(XsType.RESTRICT, ''), 'ENOSYS'],
    // A malformed name reports the errno C's last lookup left: ENOENT from creating /probe.
    [msg(XsType.READ, '/probe'), 'ENOENT'], [msg(XsType.READ, '/probe\0extra\0'), 'ENOENT'],
    [msg(XsType.WRITE, '/nonul'), 'EINVAL'], [msg(XsType.WRITE, '/a//b\0v'), 'EINVAL'],
    [msg(XsType.WRITE, '/bad char\0v'), 'EINVAL'], [msg(XsType.WATCH, '/x\0'), 'EINVAL'],
    [msg(XsType.SET_PERMS, '/probe\0'), 'EINVAL'], [msg(XsType.TRANSACTION_END, 'T\0'), 'ENOENT'],
    [msg(XsType.READ, '/probe\0', 1, 12345), 'ENOENT'], [msg(XsType.DIRECTORY_PART, '/\0'), 'EINVAL'],
    [msg(XsType.CONTROL, ''), 'EINVAL'], [msg(XsType.INTRODUCE, 'x\0'), 'EINVAL'],
    [msg(XsType.READ, Buffer.from([0xff, 0xfe, 0])), 'EINVAL'],
  ];
  for (const [bytes, want] of cases) {
    const { replies, closed } = await exchange(s, bytes, 1);
    assert.equal(closed, false);
    assert.equal(errName(replies[0]), want, bytes.toString('latin1'));
    assert.equal(replies[0].reqId, 1);
  }

  // A header announcing 4097 bytes: that connection is closed, nobody else notices.
  const big = await open(path);
  assert.equal((await exchange(big, encodeHeader(XsType.WRITE, 1, 0, 4097), 1)).closed, true);
  const huge = await open(path);
  assert.equal((await exchange(huge, encodeHeader(XsType.READ, 1, 0, 0xffffffff), 1)).closed, true);

  // Random bytes on many connections: each is answered or dropped; the daemon keeps serving.
  let seed = 12345;
  const rand = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
  const noisy: Socket[] = [];
  for (let i = 0; i < 40; i++) {
    const n = await open(path);
    n.on('error', () => {});
    n.on('data', () => {});
    const junk = Buffer.alloc(200 + (rand() % 2000));
    for (let j = 0; j < junk.length; j++) junk[j] = rand() & 0xff;
    // Half of them send plausible headers with random types and small lengths.
    if (i % 2) { junk.writeUInt32LE(rand() % 40, 0); junk.writeUInt32LE(rand() % 64, 12); }
    n.write(junk);
    noisy.push(n);
  }
  // Truncated headers and half-sent messages stay buffered, bounded by one message each.
  for (let i = 0; i < 20; i++) {
    const t = await open(path);
    t.write(i % 2 ? Buffer.from([1, 0, 0]) : Buffer.concat([encodeHeader(XsType.WRITE, 1, 0, 4096), Buffer.alloc(4000)]));
    noisy.push(t);
  }

  const after = await goodClient(path);
  assert.equal(await after.c.read('/probe'), 'before');
  assert.equal(await before.c.read('/probe'), 'before');
  await after.c.write('/probe', 'after');
  assert.equal(await before.c.read('/probe'), 'after');
  assert.deepEqual(await after.c.directory('/'), (await before.c.directory('/')));

  const stats = xs.stats();
  assert.ok(stats.bufferedInput <= stats.connections * (16 + 4096), `buffered ${stats.bufferedInput}`);
  for (const n of [...noisy, s, before.s, after.s]) n.destroy();
}));

test('a client that never reads its replies does not make the daemon buffer without bound', () => withXenstored(async (xs, path) => {
  const { c } = await goodClient(path);
  await c.write('/v', 'x'.repeat(4000));
  await c.write('/w', 'y'.repeat(3999));
  const s = await open(path);
  s.pause();
  // 20 MB of replies requested by a client that reads none of them. Requests alternate
  // between two nodes with their own ids, so a reply built from stale input would show.
  const N = 5000;
  s.write(Buffer.concat(Array.from({ length: N }, (_, i) => msg(XsType.READ, i % 2 ? '/w\0' : '/v\0', i + 1))));
  // Round trips on another connection give the daemon time to read what it will; their
  // big pipelined writes pass through the same input buffer the waiting requests came in.
  for (let i = 0; i < 50; i++) assert.equal((await c.read('/v')).length, 4000);
  for (let i = 0; i < 5; i++) await Promise.all(Array.from({ length: 20 }, (_, k) => c.write(`/junk${k}`, 'z'.repeat(3000))));
  const { unsentOutput } = xs.stats();
  assert.ok(unsentOutput > 0, 'replies are queued');
  assert.ok(unsentOutput < 4 << 20, `unsent ${unsentOutput}`);
  // Once the client reads, every reply arrives, in order, each the answer to its request.
  const split = new FrameSplitter();
  const replies: XsMessage[] = [];
  const all = new Promise<void>(resolve => s.on('data', d => {
    for (const e of split.push(d)) if (e.kind === 'message') replies.push(e.message);
    if (replies.length >= N) resolve();
  }));
  s.resume();
  await all;
  replies.forEach((r, i) => {
    assert.equal(r.reqId, i + 1);
    assert.equal(r.type, XsType.READ);
    assert.equal(r.payload.toString('latin1'), i % 2 ? 'y'.repeat(3999) : 'x'.repeat(4000), `reply ${i + 1}`);
  });
  s.destroy();
}));

test('a request arriving in pieces (header, then payload; or cut anywhere) gets its reply', () => withXenstored(async (xs, path) => {
  const { c } = await goodClient(path);
  await c.write('/p', 'piece');
  const s = await open(path);
  const req = msg(XsType.READ, '/p\0', 7);
  // libxenstore's pattern: the header and the payload in two writes.
  const a = exchange(s, req.subarray(0, 16), 1);
  await c.read('/p'); // a round trip elsewhere: the header alone has been read by now
  s.write(req.subarray(16));
  const { replies } = await a;
  assert.equal(replies[0].reqId, 7);
  assert.equal(replies[0].payload.toString(), 'piece');
  for (const cut of [1, 5, 15, 17, req.length - 1]) {
    const b = exchange(s, req.subarray(0, cut), 1);
    await c.read('/p');
    s.write(req.subarray(cut));
    assert.equal((await b).replies[0].payload.toString(), 'piece', `cut at ${cut}`);
  }
  s.destroy();
}));

// Issue 12 item 15, without the C daemon at hand (tests/conformance/xenstore-wire-vs-c.test.ts
// compares the same cases with it byte for byte).
test('arguments are read as C reads them: domids with atoi, permission ids with strtol, the transaction argument first', () => withXenstored(async (_xs, path) => {
  const s = await open(path);
  const ask = async (type: number, payload: string, txId = 0): Promise<string> => {
    const m = (await exchange(s, msg(type, payload, 1, txId), 1)).replies[0];
    return m.type === XsType.ERROR ? errName(m) : m.payload.toString('latin1');
  };
  assert.equal(await ask(XsType.GET_DOMAIN_PATH, '-1\0'), '/local/domain/4294967295\0');
  assert.equal(await ask(XsType.GET_DOMAIN_PATH, ' 7junk\0'), '/local/domain/7\0');
  assert.equal(await ask(XsType.TRANSACTION_END, 'X\0'), 'EINVAL');
  assert.equal(await ask(XsType.TRANSACTION_END, 'T\0'), 'ENOENT');
  assert.equal(await ask(XsType.WRITE, '/p\0v'), 'OK\0');
  assert.equal(await ask(XsType.SET_PERMS, '/p\0n0\0r70000\0r-1\0b0x10\0junk'), 'OK\0');
  assert.equal(await ask(XsType.GET_PERMS, '/p\0'), 'n0\0r70000\0r-1\0b16\0');
  assert.equal(await ask(XsType.SET_PERMS, '/p\0n0\0r5x\0'), 'EINVAL');
  // A name that is not one NUL-terminated string: errno as the last lookup left it.
  assert.equal(await ask(XsType.READ, '/missing\0'), 'ENOENT');
  assert.equal(await ask(XsType.READ, '/p'), 'ENOENT');
  assert.equal(await ask(XsType.MKDIR, ''), 'ENOMEM');
  assert.equal(await ask(XsType.READ, '/bad//p\0'), 'EINVAL');
  assert.equal(await ask(XsType.READ, '/p\0x'), 'EINVAL');
  assert.equal(await ask(XsType.INTRODUCE, '70000\x001\x001\0'), 'OK\0');
  assert.equal(await ask(XsType.IS_DOMAIN_INTRODUCED, '70000\0'), 'T\0');
  s.destroy();
}));
