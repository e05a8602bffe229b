import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Xenstored } from '../../../src/dom0/xenstored/index.ts';
import { domainClient, errOf } from './util.ts';

async function guest(domid: number) {
  const xs = new Xenstored();
  const dom0 = domainClient(xs, 0).client;
  xs.introduceDomain(domid, 1);
  await dom0.mkdir(`/local/domain/${domid}/data`);
  await dom0.setPerms(`/local/domain/${domid}/data`, [`n${domid}`]);
  return { xs, dom0, g: domainClient(xs, domid).client };
}

test('node count per domain: a guest stops at 1000 nodes with ENOSPC, dom0 is not limited', async () => {
  const { g, dom0 } = await guest(4);
  // Spread over 20 directories: a directory's children count towards its own size quota.
  let err = 'OK';
  let i = 0;
  for (; i < 1100 && err === 'OK'; i++) err = await errOf(g.write(`data/d${i % 20}/n${i}`, ''));
  assert.equal(err, 'ENOSPC');
  assert.match(await dom0.control('quota', '4'), /nodes {11}: {5}1000\n/);
  await g.rm('data/d0/n0');
  assert.equal(await errOf(g.write('data/d0/again', '')), 'OK');
  for (let k = 0; k < 1100; k++) await dom0.write(`/dom0-owned/n${k}`, '');
});

test('a directory whose child list outgrows the node size is ENOSPC for a guest', async () => {
  const { g } = await guest(4);
  let err = 'OK';
  for (let i = 0; i < 400 && err === 'OK'; i++) err = await errOf(g.write(`data/child-${i}`, ''));
  assert.equal(err, 'ENOSPC');
});

test('node size: a value near 2048 bytes is ENOSPC for a guest, fine for dom0', async () => {
  const { g, dom0 } = await guest(4);
  assert.equal(await errOf(g.write('data/v', 'x'.repeat(1900))), 'OK');
  assert.equal(await errOf(g.write('data/v', 'x'.repeat(2040))), 'ENOSPC');
  assert.equal(await errOf(dom0.write('/local/domain/4/data/v', 'x'.repeat(4000))), 'OK');
});

test('watches beyond the quota are E2BIG; transactions beyond it ENOSPC', async () => {
  const { g } = await guest(4);
  let i = 0;
  while (await errOf(g.watch(`data/w${i}`, 't')) === 'OK') i++;
  assert.equal(await errOf(g.watch('data/last', 't')), 'E2BIG');
  assert.equal(i, 129);
  let t = 0;
  while (await errOf(g.transactionStart()) === 'OK') t++;
  assert.equal(await errOf(g.transactionStart()), 'ENOSPC');
  assert.equal(t, 11);
});

test('CONTROL quota reports the C defaults and per-domain use', async () => {
  const { dom0 } = await guest(4);
  const text = await dom0.control('quota');
  assert.match(text, /^Quota settings:\nnodes            :     1000 Nodes per domain\nwatches          :      128 /);
  assert.match(await dom0.control('quota', '4'), /^Domain 4:\nnodes           :        1\n/);
  assert.equal(await dom0.control('check'), 'OK');
  assert.equal(await errOf(dom0.control('bogus')), 'EINVAL');
});

/** Runs `body` with the memory quota at `bytes`, put back afterwards (quotas are daemon-wide). */
async function withMemoryQuota(dom0: Awaited<ReturnType<typeof guest>>['dom0'], bytes: number, body: () => Promise<void>): Promise<void> {
  const saved = /memory {11}: +(\d+)/.exec(await dom0.control('quota'))![1];
  await dom0.control('quota', 'set', 'memory', String(bytes));
  try { await body(); } finally { await dom0.control('quota', 'set', 'memory', saved); }
}

const memoryOf = async (dom0: Awaited<ReturnType<typeof guest>>['dom0'], domid: number): Promise<number> =>
  Number(/memory {10}: +(\d+)/.exec(await dom0.control('quota', String(domid)))![1]);

test('memory quota: what a guest owns counts as C counts it; at the limit writes to its nodes are ENOMEM, whoever writes', async () => {
  const { xs, g, dom0 } = await guest(4);
  // data: path 20 bytes, record 24 + one permission 8, no value, no children yet.
  assert.equal(await memoryOf(dom0, 4), 20 + 24 + 8);
  await withMemoryQuota(dom0, 3000, async () => {
    assert.equal(await errOf(g.write('data/a', 'x'.repeat(1000))), 'OK');
    const used = await memoryOf(dom0, 4);
    // data/a: path 22 + record 24 + 8 + value 1000; data gains the child "a\0".
    assert.equal(used, 20 + 24 + 8 + 2 + 22 + 24 + 8 + 1000);
    assert.equal(await errOf(g.write('data/b', 'x'.repeat(1900))), 'ENOMEM');
    assert.equal(await errOf(dom0.write('/local/domain/4/data/a', 'x'.repeat(3000))), 'ENOMEM');
    assert.equal(await errOf(dom0.write('/dom0-owned', 'x'.repeat(4000))), 'OK');
    assert.equal(await g.read('data/a'), 'x'.repeat(1000));
    // Watches count too: a long one takes the guest to the limit; then its events are dropped.
    const w = domainClient(xs, 4);
    assert.equal(await errOf(w.client.watch('data/a', 'y'.repeat(1900))), 'ENOMEM');
    assert.equal(await errOf(w.client.watch('data/a', 'y'.repeat(1800))), 'OK');
    assert.equal(await memoryOf(dom0, 4), used + '/local/domain/4/data/a'.length + 1800);
    await dom0.write('/local/domain/4/data/a', 'z');
    assert.deepEqual(w.events, []);
  });
});

test('more permissions than the quota are ENOSPC for a guest before they are parsed', async () => {
  const { g, dom0 } = await guest(4);
  assert.equal(await errOf(g.setPerms('data', ['n4', 'r1', 'r2', 'r3', 'r5', 'junk'])), 'ENOSPC');
  assert.equal(await errOf(g.setPerms('data', ['n4', 'r1', 'r2', 'r3', 'junk'])), 'EINVAL');
  assert.equal(await errOf(dom0.setPerms('/local/domain/4/data', ['n4', 'r1', 'r2', 'r3', 'r5', 'r6'])), 'OK');
});

test("Domain-0's memory figure (summed when asked) follows its nodes as a guest's does", async () => {
  const { dom0 } = await guest(4);
  const before = await memoryOf(dom0, 0);
  assert.ok(before > 0);
  // /dom0-mem: path 9 + record 24 + 8 + value 5; / gains the child "dom0-mem\0".
  await dom0.write('/dom0-mem', 'hello');
  assert.equal(await memoryOf(dom0, 0), before + 9 + 24 + 8 + 5 + 9);
  await dom0.write('/dom0-mem/k', '');
  assert.equal(await memoryOf(dom0, 0), before + 9 + 24 + 8 + 5 + 9 + 11 + 24 + 8 + 2);
  await dom0.rm('/dom0-mem');
  assert.equal(await memoryOf(dom0, 0), before);
});
