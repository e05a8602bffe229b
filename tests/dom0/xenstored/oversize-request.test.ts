// Issue 11 item 8: a Dom0 client (the toolstack's kind of connection) asked to send a request over
// XENSTORE_PAYLOAD_MAX gets E2BIG locally, as from libxenstore; the request never reaches
// xenstored, which would drop the connection, so the same connection keeps working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Xenstored } from '../../../src/dom0/xenstored/index.ts';
import { XS_PAYLOAD_MAX } from '../../../src/formats/xenstore-wire.ts';
import { domainClient, errOf } from './util.ts';

test('an oversize write from Dom0 fails with E2BIG and the connection survives', { timeout: 10_000 }, async () => {
  const xs = new Xenstored({ log: () => {} });
  const { client } = domainClient(xs, 0);
  await client.write('/local/domain/1/name', 'before');
  assert.equal(await errOf(client.write('/local/domain/1/name', 'a'.repeat(5000))), 'E2BIG');
  assert.equal(await errOf(client.write('/tool/x', 'b'.repeat(XS_PAYLOAD_MAX))), 'E2BIG');
  assert.equal(await client.read('/local/domain/1/name'), 'before');
  await client.write('/local/domain/1/name', 'after');
  assert.equal(await client.read('/local/domain/1/name'), 'after');
});
