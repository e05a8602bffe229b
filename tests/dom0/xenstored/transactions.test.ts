import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Xenstored } from '../../../src/dom0/xenstored/index.ts';
import { domainClient, errOf } from './util.ts';

test('a transaction sees its own writes; others see them only after commit', async () => {
  const xs = new Xenstored();
  const a = domainClient(xs, 0);
  const b = domainClient(xs, 0);
  await a.client.write('/t/v', 'old');
  const tx = await a.client.transactionStart();
  assert.equal(tx, 1);
  await a.client.write('/t/v', 'new', tx);
  await a.client.write('/t/created', 'c', tx);
  assert.equal(await a.client.read('/t/v', tx), 'new');
  assert.equal(await b.client.read('/t/v'), 'old');
  assert.equal(await errOf(b.client.read('/t/created')), 'ENOENT');
  await a.client.transactionEnd(tx, true);
  assert.equal(await b.client.read('/t/v'), 'new');
  assert.deepEqual(await b.client.directory('/t'), ['v', 'created']);
});

test('read then outside change: the transaction keeps its view and commit is EAGAIN', async () => {
  const xs = new Xenstored();
  const a = domainClient(xs, 0).client;
  const b = domainClient(xs, 0).client;
  await a.write('/t/v', 'a');
  const tx = await a.transactionStart();
  assert.equal(await a.read('/t/v', tx), 'a');
  await b.write('/t/v', 'b');
  assert.equal(await a.read('/t/v', tx), 'a');
  await a.write('/t/v', 'c', tx);
  assert.equal(await errOf(a.transactionEnd(tx, true)), 'EAGAIN');
  assert.equal(await b.read('/t/v'), 'b');
  // The failed transaction is gone.
  assert.equal(await errOf(a.read('/t/v', tx)), 'ENOENT');
});

test('a node deleted outside after the transaction read it: EAGAIN', async () => {
  const xs = new Xenstored();
  const a = domainClient(xs, 0).client;
  await a.write('/t/v', 'a');
  const tx = await a.transactionStart();
  await a.read('/t/v', tx);
  await a.rm('/t/v');
  assert.equal(await errOf(a.transactionEnd(tx, true)), 'EAGAIN');
});

test('abort discards; ids are per connection; nesting and bad ends are refused', async () => {
  const xs = new Xenstored();
  const a = domainClient(xs, 0).client;
  const b = domainClient(xs, 0).client;
  const tx = await a.transactionStart();
  assert.equal(await b.transactionStart(), 1);
  await a.write('/gone', 'x', tx);
  await a.transactionEnd(tx, false);
  assert.equal(await errOf(a.read('/gone')), 'ENOENT');
  assert.equal(await a.transactionStart(), 2);
  assert.equal(await errOf(a.request(6, Buffer.from('\0'), 2)), 'EBUSY');
  assert.equal(await errOf(a.request(7, Buffer.from('X\0'), 2)), 'EINVAL');
  assert.equal(await errOf(a.transactionEnd(0, true)), 'ENOENT');
  assert.equal(await errOf(a.read('/tool', 99)), 'ENOENT');
});

test('transaction() helper retries a conflicting read-modify-write until it commits', async () => {
  const xs = new Xenstored();
  const a = domainClient(xs, 0).client;
  const b = domainClient(xs, 0).client;
  await a.write('/counter', '0');
  let interfere = 2;
  await a.transaction(async tx => {
    const v = Number(await a.read('/counter', tx));
    if (interfere-- > 0) await b.write('/counter', String(v + 100));
    await a.write('/counter', String(v + 1), tx);
  });
  assert.equal(await b.read('/counter'), '201');
});

test('watch events of a transaction fire at commit only', async () => {
  const xs = new Xenstored();
  const w = domainClient(xs, 0);
  const a = domainClient(xs, 0).client;
  await w.client.watch('/t', 'tok');
  w.events.length = 0;
  const tx = await a.transactionStart();
  await a.write('/t/x', '1', tx);
  assert.deepEqual(w.events, []);
  await a.transactionEnd(tx, true);
  assert.deepEqual(w.events, [['/t/x', 'tok']]);
  const tx2 = await a.transactionStart();
  await a.write('/t/y', '1', tx2);
  await a.transactionEnd(tx2, false);
  assert.deepEqual(w.events, [['/t/x', 'tok']]);
});
