import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Xenstored } from '../../../src/dom0/xenstored/index.ts';
import { domainClient, errOf } from './util.ts';

async function guest(domid: number) {
  const xs = new Xenstored();
  const dom0 = domainClient(xs, 0).client;
  xs.introduceDomain(domid);
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
