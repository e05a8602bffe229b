// The byte rings of the xenstore and console pages: free-running indexes that wrap the ring,
// partial writes when the ring is nearly full, and indexes further apart than the ring refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteRingQueue, XS_REQ_RING, XENCONS_OUT_RING, byteRingRead, byteRingUsed, byteRingWrite } from '../../src/formats/xen-ring/index.ts';

test('a write wraps the ring end and the read takes the bytes back in order', () => {
  const page = Buffer.alloc(4096);
  page.writeUInt32LE(1020, XS_REQ_RING.cons);
  page.writeUInt32LE(1020, XS_REQ_RING.prod);
  assert.equal(byteRingWrite(page, XS_REQ_RING, Buffer.from('abcdefghij')), 10);
  assert.equal(page.toString('latin1', 1020, 1024) + page.toString('latin1', 0, 6), 'abcdefghij');
  assert.equal(page.readUInt32LE(XS_REQ_RING.prod), 1030);
  assert.equal(byteRingRead(page, XS_REQ_RING)!.toString(), 'abcdefghij');
  page.writeUInt32LE(0xfffffffc, XS_REQ_RING.cons);
  page.writeUInt32LE(0xfffffffc, XS_REQ_RING.prod);
  assert.equal(byteRingWrite(page, XS_REQ_RING, Buffer.from('12345678')), 8);
  assert.equal(page.readUInt32LE(XS_REQ_RING.prod), 4, 'the index runs freely over 2^32');
  assert.equal(page.toString('latin1', 1020, 1024) + page.toString('latin1', 0, 4), '12345678');
  assert.equal(byteRingRead(page, XS_REQ_RING, 5)!.toString(), '12345');
  assert.equal(byteRingUsed(page, XS_REQ_RING), 3);
});

test('a full ring takes what fits; the queue keeps the rest in order; corrupt indexes are refused', () => {
  const page = Buffer.alloc(4096);
  const q = new ByteRingQueue(page, XENCONS_OUT_RING);
  q.push(Buffer.alloc(2000, 'a'));
  q.push(Buffer.alloc(100, 'b'));
  assert.equal(q.flush(), 2048);
  assert.equal(q.waiting, 1);
  assert.equal(byteRingRead(page, XENCONS_OUT_RING, 60)!.toString('latin1'), 'a'.repeat(60));
  assert.equal(q.flush(), 52);
  assert.equal(q.waiting, 0);
  const all = byteRingRead(page, XENCONS_OUT_RING)!.toString('latin1');
  assert.equal(all, 'a'.repeat(1940) + 'b'.repeat(100));
  page.writeUInt32LE(page.readUInt32LE(XENCONS_OUT_RING.cons) + 4096, XENCONS_OUT_RING.prod);
  assert.equal(byteRingRead(page, XENCONS_OUT_RING), null);
  assert.equal(byteRingWrite(page, XENCONS_OUT_RING, Buffer.from('x')), -1);
});
