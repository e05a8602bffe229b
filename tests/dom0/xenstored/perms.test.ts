import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Xenstored } from '../../../src/dom0/xenstored/index.ts';
import { domainClient, errOf } from './util.ts';

async function host() {
  const xs = new Xenstored();
  const dom0 = domainClient(xs, 0).client;
  for (const d of [1, 2]) {
    xs.introduceDomain(d, 1);
    await dom0.mkdir(`/local/domain/${d}`);
    await dom0.setPerms(`/local/domain/${d}`, [`n0`, `r${d}`]);
    await dom0.write(`/local/domain/${d}/name`, `guest${d}`);
    await dom0.setPerms(`/local/domain/${d}/name`, [`n0`, `r${d}`]);
    await dom0.mkdir(`/local/domain/${d}/data`);
    await dom0.setPerms(`/local/domain/${d}/data`, [`n${d}`]);
  }
  return { xs, dom0 };
}

test('a guest reads its own nodes, and another guest gets EACCES', async () => {
  const { xs } = await host();
  const g1 = domainClient(xs, 1).client;
  assert.equal(await g1.read('name'), 'guest1');
  assert.equal(await g1.read('/local/domain/1/name'), 'guest1');
  assert.equal(await errOf(g1.read('/local/domain/2/name')), 'EACCES');
  assert.equal(await errOf(g1.write('/local/domain/2/data/x', '1')), 'EACCES');
  assert.equal(await errOf(g1.directory('/local/domain/2')), 'EACCES');
  // Read-only grant: no writing, and creating below it is refused too.
  assert.equal(await errOf(g1.write('name', 'x')), 'EACCES');
  assert.equal(await errOf(g1.write('newkey', 'x')), 'EACCES');
});

test('error hiding: a missing node under an unreadable parent is EACCES, not ENOENT', async () => {
  const { xs } = await host();
  const g1 = domainClient(xs, 1).client;
  assert.equal(await errOf(g1.read('/local/domain/2/nothing')), 'EACCES');
  assert.equal(await errOf(g1.read('/local/domain/1/data/nothing')), 'ENOENT');
});

test('nodes a guest creates are owned by it and inherit the parent list', async () => {
  const { xs, dom0 } = await host();
  const g1 = domainClient(xs, 1).client;
  await dom0.setPerms('/local/domain/1/data', ['n1', 'r0', 'w2']);
  await g1.write('data/a/b', 'v');
  assert.deepEqual(await g1.getPerms('data/a/b'), ['n1', 'r0', 'w2']);
  // Dom0 creating there keeps the parent's owner.
  await dom0.write('/local/domain/1/data/c', 'v');
  assert.deepEqual(await dom0.getPerms('/local/domain/1/data/c'), ['n1', 'r0', 'w2']);
  // Domain 2 was granted write only: it may write but not read.
  const g2 = domainClient(xs, 2).client;
  assert.equal(await errOf(g2.write('/local/domain/1/data/c', 'w')), 'OK');
  assert.equal(await errOf(g2.read('/local/domain/1/data/c')), 'EACCES');
});

test('SET_PERMS: owner only; a guest cannot give a node away; perms syntax as strtol', async () => {
  const { xs, dom0 } = await host();
  const g1 = domainClient(xs, 1).client;
  await g1.write('data/x', '1');
  assert.equal(await errOf(g1.setPerms('data/x', ['n1', 'r2'])), 'OK');
  assert.equal(await errOf(g1.setPerms('data/x', ['n2'])), 'EPERM');
  assert.equal(await errOf(g1.setPerms('name', ['n1'])), 'EACCES');
  assert.equal(await errOf(g1.setPerms('data/x', ['n1', 'r2', 'r3', 'r4', 'r5', 'r6'])), 'ENOSPC');
  assert.equal(await errOf(dom0.setPerms('/local/domain/1/data/x', ['q1'])), 'EINVAL');
  assert.equal(await errOf(dom0.setPerms('/local/domain/1/data/x', ['n1x'])), 'EINVAL');
  await dom0.setPerms('/local/domain/1/data/x', ['n0x10', 'r010']);
  assert.deepEqual(await dom0.getPerms('/local/domain/1/data/x'), ['n16', 'r8']);
});

test('privileged operations are EACCES for guests', async () => {
  const { xs } = await host();
  const g1 = domainClient(xs, 1).client;
  assert.equal(await errOf(g1.introduce(5, 1, 1)), 'EACCES');
  assert.equal(await errOf(g1.release(2)), 'EACCES');
  assert.equal(await errOf(g1.control('check')), 'EACCES');
  assert.equal(await errOf(g1.isDomainIntroduced(0)), 'EACCES');
});

test('SET_TARGET: a domain acting for another gets its rights', async () => {
  const { xs, dom0 } = await host();
  const dm = domainClient(xs, 2).client;
  assert.equal(await errOf(dm.read('/local/domain/1/name')), 'EACCES');
  await dom0.request(19, Buffer.from('2\x001\0'));
  assert.equal(await dm.read('/local/domain/1/name'), 'guest1');
  assert.equal(await errOf(dom0.request(19, Buffer.from('9\x001\0'))), 'ENOENT');
});
