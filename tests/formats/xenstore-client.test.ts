import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XsClient, XsError } from '../../src/formats/xenstore-client.ts';
import { FrameSplitter, XS_PAYLOAD_MAX, XsType, encodeMessage, type XsMessage } from '../../src/formats/xenstore-wire.ts';

/** A scripted server: answers each request with `reply(msg)`, in reverse order of arrival. */
function fake(reply: (m: XsMessage) => XsMessage[]): { client: XsClient; seen: XsMessage[]; flush(): void } {
  const seen: XsMessage[] = [];
  const held: XsMessage[] = [];
  const split = new FrameSplitter();
  const client = new XsClient(buf => { for (const e of split.push(buf)) if (e.kind === 'message') { seen.push(e.message); held.push(e.message); } });
  return {
    client, seen,
    flush() { for (const m of held.splice(0).reverse()) for (const r of reply(m)) client.feed(encodeMessage(r)); },
  };
}

test('pipelined replies are matched by req_id whatever their order', async () => {
  const f = fake(m => [{ ...m, payload: Buffer.from(`value of ${m.payload.toString().slice(0, -1)}`) }]);
  const a = f.client.read('/a');
  const b = f.client.read('/b');
  f.flush();
  assert.deepEqual(await Promise.all([a, b]), ['value of /a', 'value of /b']);
  assert.notEqual(f.seen[0].reqId, f.seen[1].reqId);
});

test('ERROR replies reject with the wire error name', async () => {
  const f = fake(m => [{ ...m, type: XsType.ERROR, payload: Buffer.from('ENOENT\0') }]);
  const p = f.client.read('/nope');
  f.flush();
  await assert.rejects(p, (e: unknown) => e instanceof XsError && e.code === 'ENOENT');
});

test('write sends path NUL value without a trailing NUL; watch events reach the callback', async () => {
  const f = fake(m => [
    { type: XsType.WATCH_EVENT, reqId: 0, txId: 0, payload: Buffer.from('/w\0tok\0') },
    { ...m, payload: Buffer.from('OK\0') },
  ]);
  const events: string[][] = [];
  f.client.onWatchEvent((p, t) => events.push([p, t]));
  const w = f.client.write('/w', 'v', 4);
  f.flush();
  await w;
  assert.deepEqual(f.seen[0].payload, Buffer.from('/w\0v'));
  assert.equal(f.seen[0].txId, 4);
  assert.deepEqual(events, [['/w', 'tok']]);
});

test('transaction() retries while the commit answers EAGAIN', async () => {
  let commits = 0;
  const client: XsClient = new XsClient(buf => {
    const m = new FrameSplitter().push(buf)[0];
    if (m.kind !== 'message') return;
    const msg = m.message;
    let payload = Buffer.from('OK\0');
    let type = msg.type;
    if (msg.type === XsType.TRANSACTION_START) payload = Buffer.from('9\0');
    if (msg.type === XsType.TRANSACTION_END && ++commits < 3) { type = XsType.ERROR; payload = Buffer.from('EAGAIN\0'); }
    queueMicrotask(() => client.feed(encodeMessage({ ...msg, type, payload })));
  });
  let runs = 0;
  assert.equal(await client.transaction(async tx => { runs++; assert.equal(tx, 9); return 'done'; }), 'done');
  assert.equal(runs, 3);
});

test('close() fails outstanding requests', async () => {
  const client = new XsClient(() => {});
  const p = client.read('/x');
  client.close();
  await assert.rejects(p, (e: unknown) => e instanceof XsError && e.code === 'ECONNRESET');
});

test('a request over XENSTORE_PAYLOAD_MAX is refused with E2BIG and never sent; the next one goes through', async () => {
  const f = fake(m => [{ ...m, payload: Buffer.from('OK\0') }]);
  const path = '/local/domain/1/name';
  const big = f.client.write(path, 'a'.repeat(XS_PAYLOAD_MAX - path.length));
  assert.equal(f.seen.length, 0);
  await assert.rejects(big, (e: unknown) => e instanceof XsError && e.code === 'E2BIG');
  // exactly the limit is one request (path NUL value)
  const fits = f.client.write(path, 'a'.repeat(XS_PAYLOAD_MAX - path.length - 1));
  f.flush();
  await fits;
  assert.deepEqual(f.seen.map(m => m.payload.length), [XS_PAYLOAD_MAX]);
});
