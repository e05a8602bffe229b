// The io/ headers' layouts against what gcc makes of the same structures (fixtures/xen-ring/
// layout.json, printed by layout.c; rebuilt and compared here when gcc is present), and the
// ring arithmetic of io/ring.h.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BLKIF_ENTRY, BLKIF_OP_INDIRECT, BLKIF_OP_WRITE, BLKIF_REQUEST, BLKIF_REQUEST_INDIRECT, BLKIF_REQUEST_SEGMENT, BLKIF_RESPONSE,
  BLK_RING_SIZE, NETIF_RX_ENTRY, NETIF_RX_REQUEST, NETIF_RX_RESPONSE, NETIF_TX_ENTRY, NETIF_TX_REQUEST, NETIF_TX_RESPONSE,
  NET_RX_RING_SIZE, NET_TX_RING_SIZE, SRING, XENCONS_INTERFACE, XENSTORE_DOMAIN_INTERFACE,
  initSring, mustNotify, readRequest, readResponse, readRxResponse, readSring, readTxRequest, readTxResponse, readXenstoreInterface,
  readConsoleIndexes, requestSectors, ringSize, writeConsoleIndexes, writeIndirectRequest, writeRequest, writeResponse,
  writeRxResponse, writeTxRequest, writeTxResponse, writeXenstoreInterface,
} from '../../src/formats/xen-ring/index.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures/xen-ring');
const layout = JSON.parse(readFileSync(join(FIXTURES, 'layout.json'), 'utf8')) as Record<string, Record<string, number>>;

test('the fixture is what gcc prints for the structures (when gcc is here)', { skip: spawnSync('gcc', ['--version']).status !== 0 }, () => {
  const exe = join(mkdtempSync(join(tmpdir(), 'xen-ring-')), 'layout');
  execFileSync('gcc', ['-o', exe, join(FIXTURES, 'layout.c')]);
  assert.equal(execFileSync(exe, { encoding: 'utf8' }), readFileSync(join(FIXTURES, 'layout.json'), 'utf8'));
});

test('field offsets and sizes are those of the public headers', () => {
  const { netif_tx_entry, netif_rx_entry, blkif_entry, netif_tx_size, netif_rx_size, blkif_size, ...sring } = layout.sring!;
  assert.deepEqual({ ...SRING }, sring);
  assert.deepEqual([NETIF_TX_ENTRY, NETIF_RX_ENTRY, BLKIF_ENTRY], [netif_tx_entry, netif_rx_entry, blkif_entry]);
  assert.deepEqual([NET_TX_RING_SIZE, NET_RX_RING_SIZE, BLK_RING_SIZE], [netif_tx_size, netif_rx_size, blkif_size]);
  assert.deepEqual([NET_TX_RING_SIZE, NET_RX_RING_SIZE, BLK_RING_SIZE], [256, 256, 32]);
  const pairs: [Record<string, number>, string][] = [
    [NETIF_TX_REQUEST, 'netif_tx_request'], [NETIF_TX_RESPONSE, 'netif_tx_response'], [NETIF_RX_REQUEST, 'netif_rx_request'],
    [NETIF_RX_RESPONSE, 'netif_rx_response'], [BLKIF_REQUEST_SEGMENT, 'blkif_request_segment'], [BLKIF_REQUEST, 'blkif_request'],
    [BLKIF_REQUEST_INDIRECT, 'blkif_request_indirect'], [BLKIF_RESPONSE, 'blkif_response'], [XENCONS_INTERFACE, 'xencons_interface'],
    [XENSTORE_DOMAIN_INTERFACE, 'xenstore_domain_interface'],
  ];
  for (const [ours, name] of pairs) assert.deepEqual({ ...ours }, layout[name], name);
});

test('__RING_SIZE: the largest power of two of entries after the 64-byte header', () => {
  assert.equal(ringSize(12), 256); // 336 fit
  assert.equal(ringSize(8), 256); // 504 fit
  assert.equal(ringSize(112), 32); // 36 fit
  assert.equal(ringSize(64), 32); // 63 fit
  assert.equal(ringSize(4032), 1);
  assert.equal(ringSize(4033), 0);
});

test('SHARED_RING_INIT and the notify test of RING_PUSH_*_AND_CHECK_NOTIFY', () => {
  const page = Buffer.alloc(4096, 0xff);
  initSring(page);
  assert.deepEqual(readSring(page), { reqProd: 0, reqEvent: 1, rspProd: 0, rspEvent: 1 });
  assert.ok(page.subarray(16, 64).equals(Buffer.alloc(48)));
  assert.equal(mustNotify(0, 1, 1), true); // the first request after init
  assert.equal(mustNotify(1, 5, 2), true); // passing the threshold the consumer left
  assert.equal(mustNotify(2, 5, 2), false); // already notified at 2, and not asked again since
  assert.equal(mustNotify(5, 6, 6), true); // it ran out at 5 and asked for the sixth
  assert.equal(mustNotify(0xffffffff, 1, 0), true); // indexes wrap
  assert.equal(mustNotify(0xfffffffe, 0xffffffff, 0), false);
});

test('netif requests and responses round-trip at their offsets', () => {
  const b = Buffer.alloc(64);
  writeTxRequest(b, 12, { gref: 0x12345678, offset: 0x10, flags: 3, id: 7, size: 0xffff });
  assert.equal(b.readUInt32LE(12), 0x12345678);
  assert.equal(b.readUInt16LE(12 + 10), 0xffff);
  assert.deepEqual(readTxRequest(b, 12), { gref: 0x12345678, offset: 0x10, flags: 3, id: 7, size: 0xffff });
  writeTxResponse(b, 0, { id: 9, status: -1 });
  assert.deepEqual(readTxResponse(b, 0), { id: 9, status: -1 });
  writeRxResponse(b, 40, { id: 255, offset: 0, flags: 1, status: 4096 });
  assert.equal(b.readInt16LE(46), 4096);
  assert.deepEqual(readRxResponse(b, 40), { id: 255, offset: 0, flags: 1, status: 4096 });
});

test('blkif: a direct request, an indirect one with its segments in the indirect page, a response', () => {
  const slot = Buffer.alloc(BLKIF_ENTRY), indirect = Buffer.alloc(4096);
  const seg = (k: number, n: number, last: number) => ({ gref: 100 + k, firstSect: 0, lastSect: k < n - 1 ? 7 : last });
  const direct = { operation: BLKIF_OP_WRITE, handle: 51712, id: 2 ** 40 + 3, sectorNumber: 123456789, segments: [seg(0, 2, 7), seg(1, 2, 2)] };
  writeRequest(slot, 0, direct);
  assert.equal(slot[1], 2);
  assert.equal(slot.readUInt32LE(24), 100);
  assert.equal(slot[24 + 8 + 5], 2);
  assert.deepEqual(readRequest(slot, 0, () => null), direct);
  assert.equal(requestSectors(direct), 11);
  const big = { ...direct, segments: Array.from({ length: 16 }, (_, k) => seg(k, 16, 3)) };
  writeIndirectRequest(slot, 0, big, [777], indirect);
  assert.equal(slot[0], BLKIF_OP_INDIRECT);
  assert.equal(slot[1], BLKIF_OP_WRITE);
  assert.equal(slot.readUInt16LE(2), 16);
  assert.equal(slot.readUInt32LE(28), 777);
  assert.equal(readRequest(slot, 0, () => null), null, 'an indirect gref the backend cannot map');
  assert.deepEqual(readRequest(slot, 0, ref => (ref === 777 ? indirect : null)), big);
  assert.equal(requestSectors(big), 15 * 8 + 4);
  writeResponse(slot, 0, { id: 42, operation: BLKIF_OP_WRITE, status: -1 });
  assert.equal(slot.readInt16LE(10), -1);
  assert.deepEqual(readResponse(slot, 0), { id: 42, operation: BLKIF_OP_WRITE, status: -1 });
});

test('the console and xenstore pages keep their indexes after the byte rings', () => {
  const page = Buffer.alloc(4096);
  writeConsoleIndexes(page, { inCons: 1, inProd: 2, outCons: 3, outProd: 0xffffffff });
  assert.equal(page.readUInt32LE(3084), 0xffffffff);
  assert.deepEqual(readConsoleIndexes(page), { inCons: 1, inProd: 2, outCons: 3, outProd: 0xffffffff });
  const xs = { reqCons: 5, reqProd: 6, rspCons: 7, rspProd: 8, serverFeatures: 3, connection: 1, error: 2 };
  writeXenstoreInterface(page, xs);
  assert.equal(page.readUInt32LE(2052), 6);
  assert.equal(page.readUInt32LE(2072), 2);
  assert.deepEqual(readXenstoreInterface(page), xs);
});
