import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Xenstored } from '../../../src/dom0/xenstored/index.ts';
import { domainClient, errOf } from './util.ts';

test('initial tree is the C xenstored one', async () => {
  const { client } = domainClient(new Xenstored(), 0);
  assert.deepEqual(await client.directory('/'), ['tool']);
  assert.deepEqual(await client.directory('/tool'), ['xenstored']);
  assert.equal(await client.read('/tool/xenstored'), '');
  assert.deepEqual(await client.getPerms('/'), ['n0']);
});

test('write creates parents with empty values; children keep creation order', async () => {
  const { client } = domainClient(new Xenstored(), 0);
  await client.write('/z/b', '1');
  await client.write('/z/a', '2');
  await client.mkdir('/z/c');
  assert.deepEqual(await client.directory('/z'), ['b', 'a', 'c']);
  assert.equal(await client.read('/z'), '');
  assert.deepEqual(await client.directory('/'), ['tool', 'z']);
  // Relative paths of dom0 live under /local/domain/0.
  await client.write('name', 'Domain-0');
  assert.equal(await client.read('/local/domain/0/name'), 'Domain-0');
  assert.equal(await client.getDomainPath(7), '/local/domain/7');
});

test('rm: recursive, fine when only the node is missing, ENOENT when the parent is too, EINVAL for /', async () => {
  const { client } = domainClient(new Xenstored(), 0);
  await client.write('/r/a/b', 'x');
  await client.rm('/r/a');
  assert.deepEqual(await client.directory('/r'), []);
  assert.equal(await errOf(client.read('/r/a/b')), 'ENOENT');
  assert.equal(await errOf(client.rm('/r/a')), 'OK');
  assert.equal(await errOf(client.rm('/r/a/b')), 'ENOENT');
  assert.equal(await errOf(client.rm('/')), 'EINVAL');
});

test('invalid paths are EINVAL', async () => {
  const { client } = domainClient(new Xenstored(), 0);
  for (const p of ['/a//b', '/a/', '/a b', '@x', '/' + 'x'.repeat(2048)]) {
    assert.equal(await errOf(client.write(p, '1')), 'EINVAL', p);
  }
  // The path-max quota counts only beyond a domain's home.
  assert.equal(await errOf(client.write('/local/domain/3/' + 'x'.repeat(2040), '1')), 'OK');
});

test('DIRECTORY of more than one reply is E2BIG; DIRECTORY_PART pages through it', async () => {
  const { client } = domainClient(new Xenstored(), 0);
  const names = Array.from({ length: 400 }, (_, i) => `child-number-${i}`);
  for (const n of names) await client.mkdir(`/big/${n}`);
  // The client falls back to DIRECTORY_PART on E2BIG, as libxenstore does.
  assert.deepEqual(await client.directory('/big'), names);
});
