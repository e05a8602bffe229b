import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Xenstored } from '../../../src/dom0/xenstored/index.ts';
import { domainClient, errOf } from './util.ts';

test('initial event, then one per change at or below the watched path', async () => {
  const xs = new Xenstored();
  const w = domainClient(xs, 0);
  const a = domainClient(xs, 0).client;
  await w.client.watch('/x', 'T');
  assert.deepEqual(w.events, [['/x', 'T']]);
  await a.write('/x/a/b', '1');
  await a.write('/y', '1');
  await a.mkdir('/x/a');           // exists: no event
  await a.mkdir('/x/m');
  await a.setPerms('/x/m', ['n0', 'r3']);
  assert.deepEqual(w.events.slice(1), [['/x/a/b', 'T'], ['/x/m', 'T'], ['/x/m', 'T']]);
  assert.equal(await errOf(w.client.watch('/x', 'T')), 'EEXIST');
  await w.client.unwatch('/x', 'T');
  assert.equal(await errOf(w.client.unwatch('/x', 'T')), 'ENOENT');
  await a.write('/x/z', '1');
  assert.equal(w.events.length, 4);
});

test('rm of a subtree: children first, exact events for watched descendants, the root last for watches above', async () => {
  const xs = new Xenstored();
  const w = domainClient(xs, 0);
  const a = domainClient(xs, 0).client;
  await a.write('/x/a/b', '1');
  await a.write('/x/c', '2');
  for (const p of ['/', '/x', '/x/a', '/x/a/b', '/x/c', '/x/zz']) await w.client.watch(p, p);
  w.events.length = 0;
  await a.rm('/x');
  assert.deepEqual(w.events, [['/x/a/b', '/x/a/b'], ['/x/a', '/x/a'], ['/x/c', '/x/c'], ['/x', '/'], ['/x', '/x']]);
});

test('relative watches report relative paths', async () => {
  const xs = new Xenstored();
  xs.introduceDomain(3, 1);
  const dom0 = domainClient(xs, 0).client;
  await dom0.mkdir('/local/domain/3/control');
  await dom0.setPerms('/local/domain/3/control', ['n3']);
  const g = domainClient(xs, 3);
  await g.client.watch('control/shutdown', 'c');
  await dom0.write('/local/domain/3/control/shutdown', 'poweroff');
  assert.deepEqual(g.events, [['control/shutdown', 'c'], ['control/shutdown', 'c']]);
});

test('events are filtered by what the watcher may read', async () => {
  const xs = new Xenstored();
  xs.introduceDomain(3, 1);
  const dom0 = domainClient(xs, 0).client;
  const g = domainClient(xs, 3);
  await dom0.mkdir('/secret');
  await g.client.watch('/', 'root');
  g.events.length = 0;
  await dom0.write('/secret/key', 'x');
  assert.deepEqual(g.events, []);
  await dom0.mkdir('/open');
  await dom0.setPerms('/open', ['n0', 'r3']);
  g.events.length = 0;
  await dom0.write('/open/key', 'x');
  assert.deepEqual(g.events, [['/open/key', 'root']]);
});

test('@introduceDomain and @releaseDomain; release drops the domain and its nodes', async () => {
  const xs = new Xenstored();
  const w = domainClient(xs, 0);
  const dom0 = w.client;
  await dom0.watch('@introduceDomain', 'in');
  await dom0.watch('@releaseDomain', 'out');
  w.events.length = 0;
  await dom0.introduce(6, 100, 3);
  assert.equal(await dom0.isDomainIntroduced(6), true);
  const g = domainClient(xs, 6);
  await dom0.mkdir('/local/domain/6/data');
  await dom0.setPerms('/local/domain/6/data', ['n6']);
  await g.client.write('data/x', '1');
  await dom0.release(6);
  assert.deepEqual(w.events, [['@introduceDomain', 'in'], ['@releaseDomain', 'out']]);
  assert.equal(await dom0.isDomainIntroduced(6), false);
  assert.equal(await errOf(dom0.read('/local/domain/6/data')), 'ENOENT');
  assert.equal(await errOf(dom0.release(6)), 'ENOENT');
  assert.equal(await errOf(dom0.release(0)), 'EINVAL');
  // The released domain's connection is gone: its requests get no answer.
  let answered = false;
  void g.client.read('/tool').then(() => { answered = true; }, () => { answered = true; });
  await dom0.read('/tool');
  assert.equal(answered, false);
});

test('guests need READ on the special node to see domain events', async () => {
  const xs = new Xenstored();
  xs.introduceDomain(3, 1);
  const g = domainClient(xs, 3);
  await g.client.watch('@introduceDomain', 'i');
  g.events.length = 0;
  xs.introduceDomain(4, 1);
  assert.deepEqual(g.events, []);
  const dom0 = domainClient(xs, 0).client;
  await dom0.setPerms('@introduceDomain', ['n0', 'r3']);
  xs.introduceDomain(5, 1);
  assert.deepEqual(g.events, [['@introduceDomain', 'i']]);
});

test('RESET_WATCHES drops watches and transactions', async () => {
  const xs = new Xenstored();
  const w = domainClient(xs, 0);
  await w.client.watch('/q', 'q');
  const tx = await w.client.transactionStart();
  await w.client.resetWatches();
  w.events.length = 0;
  await w.client.write('/q', '1');
  assert.deepEqual(w.events, []);
  assert.equal(await errOf(w.client.read('/q', tx)), 'ENOENT');
});
