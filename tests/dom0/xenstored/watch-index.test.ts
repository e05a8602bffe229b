// xenstored with many connections: an event looks up its watchers by path (the index of
// watches by path and by domain) instead of walking every connection. What clients see must
// not change: events in the order the connections joined, whatever the order they watched in;
// watches gone with UNWATCH, RESET_WATCHES and a closed connection; one connection's watches
// on one path under two tokens both fire. And a stored value holds bytes of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Xenstored } from '../../../src/dom0/xenstored/index.ts';
import { XenstoredCore } from '../../../src/dom0/xenstored/core.ts';
import { Connection } from '../../../src/dom0/xenstored/connection.ts';
import { handle } from '../../../src/dom0/xenstored/dispatch.ts';
import { XsType } from '../../../src/formats/xenstore-wire.ts';
import { domainClient } from './util.ts';

test('events reach only the watchers of the path or a path above it, in the order the connections joined', async () => {
  const xs = new Xenstored();
  const order: string[] = [];
  const clients = Array.from({ length: 6 }, (_, i) => {
    const c = domainClient(xs, 0);
    c.client.onWatchEvent((p, t) => order.push(`c${i} ${p} ${t}`));
    return c;
  });
  const writer = domainClient(xs, 0).client;
  // Watched in reverse order of joining, at different depths, one path under two tokens.
  await clients[5]!.client.watch('/a/b/c', 'deep');
  await clients[4]!.client.watch('/elsewhere', 'never');
  await clients[3]!.client.watch('/a', 'top');
  await clients[1]!.client.watch('/a/b', 'mid');
  await clients[1]!.client.watch('/a/b', 'mid2');
  await clients[0]!.client.watch('/', 'root');
  await clients[2]!.client.watch('/a/b/c/d', 'below');
  order.length = 0;
  await writer.write('/a/b/c', 'v');
  assert.deepEqual(order, ['c0 /a/b/c root', 'c1 /a/b/c mid', 'c1 /a/b/c mid2', 'c3 /a/b/c top', 'c5 /a/b/c deep']);

  order.length = 0;
  await clients[1]!.client.unwatch('/a/b', 'mid');
  await clients[5]!.client.resetWatches();
  clients[3]!.close();
  await writer.write('/a/b/c', 'w');
  assert.deepEqual(order, ['c0 /a/b/c root', 'c1 /a/b/c mid2']);
});

test('a written value does not hold a slice of Node\'s buffer pool (which would keep a slab of messages alive); empty values share one buffer', () => {
  const core = new XenstoredCore(() => {});
  const conn = new Connection(0, true, () => {}, () => {});
  core.connections.add(conn);
  const write = (path: string, value: string): Buffer => {
    const payload = Buffer.concat([Buffer.from(`${path}\0`), Buffer.from(value)]);
    handle(core, conn, { type: XsType.WRITE, reqId: 1, txId: 0, payload });
    return payload;
  };
  const payload = write('/a/b', 'small');
  const value = core.store.get('/a/b')!.value;
  assert.equal(value.toString(), 'small');
  assert.notEqual(value.buffer, payload.buffer);
  assert.notEqual(value.buffer, Buffer.from('x').buffer, 'not the pool slab small buffers come from');
  write('/a/c', '');
  assert.equal(core.store.get('/a/c')!.value, core.store.get('/a')!.value, 'the created parent and an empty write share the empty value');
  assert.equal(core.store.get('/a')!.value.length, 0);
});
