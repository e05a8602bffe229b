// CONTROL live-update's session rules, as xenstored_control.c keeps them: one session, owned by
// the connection that named the binary; -c and -s only from it; -a ends it, answering a pending
// start with "Cancellation was requested"; the owner's connection closing ends it too. A
// pending update holds new transactions back (a connection with one open goes on), and the
// update drops open transactions of every connection, a domain's included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Xenstored } from '../../../src/dom0/xenstored/index.ts';
import type { XenstoredClock } from '../../../src/dom0/xenstored/live-update.ts';
import { domainClient, errOf } from './util.ts';

/** A clock the test moves by hand, with its timers. */
function handClock(): XenstoredClock & { advance(s: number): void } {
  let now = 1000;
  const timers: { at: number; fire: () => void }[] = [];
  return {
    nowS: () => now,
    after: (s, fire) => { const t = { at: now + s, fire }; timers.push(t); return () => { t.fire = () => {}; }; },
    advance(s) { now += s; for (const t of timers.splice(0)) if (t.at <= now) t.fire(); else timers.push(t); },
  };
}

const BINARY = process.execPath;

test('one session, owned by the connection that named the binary', async () => {
  const xs = new Xenstored({ clock: handClock() });
  const a = domainClient(xs, 0), b = domainClient(xs, 0);
  assert.equal(await a.client.control('live-update', '-c', 'x'), 'Not in live-update session.');
  assert.equal(await a.client.control('live-update', '-f', BINARY), 'OK');
  assert.equal(await b.client.control('live-update', '-f', BINARY), 'live-update session already active.');
  assert.equal(await b.client.control('live-update', '-c', '-N'), 'Not in live-update session.');
  assert.equal(await b.client.control('live-update', '-s'), 'Not in live-update session.');
  assert.equal(await errOf(a.client.control('live-update', '-b', '100')), 'EINVAL', "Mini-OS's -b is not a daemon's");
  assert.equal(await a.client.control('live-update', '-a'), 'OK');
  assert.equal(await a.client.control('live-update', '-a'), 'No live-update session active.');
  // The owner's connection closing ends its session.
  assert.equal(await b.client.control('live-update', '-f', BINARY), 'OK');
  b.close();
  assert.equal(await a.client.control('live-update', '-f', BINARY), 'OK');
});

test('an abort answers the pending start; the transaction that held it back goes on', async () => {
  const xs = new Xenstored({ clock: handClock() });
  const owner = domainClient(xs, 0), other = domainClient(xs, 0);
  const tx = await other.client.transactionStart();
  assert.equal(await owner.client.control('live-update', '-f', BINARY), 'OK');
  const start = owner.client.control('live-update', '-s', '-t', '10');
  await other.client.write('/in-tx', 'v', tx);
  assert.equal(await owner.client.control('live-update', '-a'), 'OK');
  assert.equal(await start, 'Cancellation was requested');
  await other.client.transactionEnd(tx, true);
  assert.equal(await other.client.read('/in-tx'), 'v');
});

test("a domain's transaction start waits for the update, and the update drops a domain's open transaction", async () => {
  const clock = handClock();
  const xs = new Xenstored({ clock });
  const dom0 = domainClient(xs, 0), guest = domainClient(xs, 3), late = domainClient(xs, 4);
  await dom0.client.write('/local/domain/3', '');
  await dom0.client.setPerms('/local/domain/3', ['n3']);
  const tx = await guest.client.transactionStart();
  assert.equal(await dom0.client.control('live-update', '-f', BINARY), 'OK');
  const start = dom0.client.control('live-update', '-s', '-t', '5', '-F');
  let lateTx: number | undefined;
  const waiting = late.client.transactionStart().then(id => { lateTx = id; });
  await dom0.client.read('/');
  assert.equal(lateTx, undefined, 'a transaction started while the update was pending');
  clock.advance(5);
  assert.equal(await start, 'OK');
  await waiting;
  assert.equal(lateTx, 1);
  assert.equal(await errOf(guest.client.write('/local/domain/3/x', 'v', tx)), 'ENOENT');
  assert.equal(await guest.client.read('/local/domain/3'), '', "the guest's connection is served");
});
