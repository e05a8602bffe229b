// A socket client that sets watches and never reads while another client fires them (issue 11,
// item 18): what xenstored queues for it is bounded as C xenstored bounds it (an event identical
// to one still queued is dropped, and so is any beyond the memory quota, with a line in the log),
// so the daemon does not grow, and every other client keeps being served.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { FrameSplitter, XsType, encodeMessage } from '../../../src/formats/xenstore-wire.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Xenstored } from '../../../src/dom0/xenstored/index.ts';
import { quota } from '../../../src/dom0/xenstored/quota.ts';
import { TestHost } from '../../helpers/host.ts';
import { domainClient } from './util.ts';

const h = new TestHost().start();
after(() => h.stop());

const daemonPid = (): number => Number(readFileSync(join(h.home, 'xenlabd.pid'), 'utf8'));
const rssKb = (): number => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${daemonPid()}/status`, 'utf8'))![1]);
const msg = (type: number, payload: string, reqId: number): Buffer => encodeMessage({ type, reqId, txId: 0, payload: Buffer.from(payload, 'latin1') });

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => { const s = connect(h.env.XENSTORED_PATH!, () => resolve(s)); s.on('error', reject); });
}

/** Sends `reqs` and resolves once as many replies have come back. */
function exchange(s: Socket, reqs: Buffer[]): Promise<void> {
  return new Promise(resolve => {
    const split = new FrameSplitter();
    let n = 0;
    const onData = (d: Buffer): void => {
      for (const e of split.push(d)) if (e.kind === 'message' && e.message.type !== XsType.WATCH_EVENT) n++;
      if (n >= reqs.length) { s.off('data', onData); resolve(); }
    };
    s.on('data', onData);
    s.write(Buffer.concat(reqs));
  });
}

test('a client that never reads its watch events does not grow the daemon; others are served; the log says so', async () => {
  const writer = await open();
  await exchange(writer, [msg(XsType.MKDIR, '/fire\0', 1)]);
  const stuck = await open();
  stuck.pause();
  // 60 watches on the subtree: every write under it queues 60 events for this client.
  stuck.write(Buffer.concat(Array.from({ length: 60 }, (_, i) => msg(XsType.WATCH, `/fire\0token-${i}\0`, i + 1))));
  await exchange(writer, [msg(XsType.READ, '/fire\0', 2)]); // a round trip: the watches are set by now
  const before = rssKb();
  // 24,000 writes over 2,000 nodes, in batches: 1,440,000 events for the stuck client (the
  // daemon grew by about 390 MB with them before the fix; V8's heap sizing makes the figure
  // with it vary, 45-85 MB here).
  for (let b = 0; b < 120; b++) {
    await exchange(writer, Array.from({ length: 200 }, (_, i) => msg(XsType.WRITE, `/fire/n${(b * 200 + i) % 2000}\0${'v'.repeat(20)}`, i)));
  }
  const grown = rssKb() - before;
  assert.ok(grown < 128 * 1024, `the daemon grew by ${grown} kB`);
  // A real client is served at once.
  assert.equal(h.sys('xenstore-read', ['/fire/n1999']).stdout, `${'v'.repeat(20)}\n`);
  assert.match(readFileSync(join(h.home, 'logs/xenlabd.log'), 'utf8'),
    /xenstored: Domain 0 \(connection \d+\) exceeds hard memory quota, Xenstore interface to domain stalled/);
  // Once it reads, the client gets its replies and the events that were kept.
  const split = new FrameSplitter();
  let replies = 0, events = 0;
  await new Promise<void>(resolve => {
    stuck.on('data', d => {
      for (const e of split.push(d)) if (e.kind === 'message') { if (e.message.type === XsType.WATCH) replies++; else events++; }
      if (replies === 60 && events > 0) resolve();
    });
    stuck.resume();
  });
  stuck.destroy();
  writer.destroy();
});

test('what is queued for a socket client that does not read stays within the quota (in-process)', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'xsq-')), 'socket');
  const lines: string[] = [];
  const xs = new Xenstored({ log: l => lines.push(l) });
  await xs.listen(path);
  const dom0 = domainClient(xs, 0).client;
  const stuck = await new Promise<Socket>(resolve => { const s = connect(path, () => resolve(s)); });
  await dom0.write('/q', '');
  await exchange(stuck, Array.from({ length: 20 }, (_, i) => msg(XsType.WATCH, `/q\0t${i}\0`, i + 1)));
  stuck.pause();
  // Distinct changes until the kernel's socket buffer is full and events queue in the daemon.
  let n = 0;
  while (xs.stats().unsentOutput === 0 && n < 100_000) await dom0.write(`/q/n${n++}`, '');
  // Repeats of one change merge with the event still queued: one round of events, no more.
  const queued = xs.stats().unsentOutput;
  for (let i = 0; i < 200; i++) await dom0.write('/q/same', String(i));
  const merged = xs.stats().unsentOutput - queued;
  assert.ok(merged > 0 && merged <= 20 * 32, `repeated events merged: ${merged} bytes more queued`);
  // Distinct changes fill the queue up to the quota, and no further.
  for (let i = 0; i < 8000; i++) await dom0.write(`/q/n${n++}`, '');
  const { unsentOutput } = xs.stats();
  assert.ok(unsentOutput > quota.memory - 4096 && unsentOutput <= quota.memory, `queued ${unsentOutput}`);
  assert.equal(lines.filter(l => /exceeds hard memory quota/.test(l)).length, 1);
  // Once it reads, the queue empties and events flow again.
  stuck.resume();
  stuck.on('data', () => {});
  await new Promise<void>(resolve => { const poll = (): void => { if (xs.stats().unsentOutput === 0) resolve(); else setImmediate(poll); }; poll(); });
  await dom0.write('/q/later', '');
  assert.match(lines.at(-1)!, /^Domain 0 \(connection \d+\) below hard memory quota again$/);
  stuck.destroy();
  await xs.close();
});
