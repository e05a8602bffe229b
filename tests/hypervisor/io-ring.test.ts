// Device rings in the frontend's memory (issue 13): the ring pages are the guest's (log-dirty
// sends them, a restore carries them, the balloon and the workloads leave them alone), and
// req_event/rsp_event suppress notifications, so a busy ring notifies far less than once per
// request while an idle ring notifies every request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock } from '../../src/machine/clock.ts';
import { Machine, DEFAULT_MACHINE } from '../../src/machine/host.ts';
import { Hypervisor } from '../../src/hypervisor/hypervisor.ts';
import { GuestMemory, PageCorruptError } from '../../src/hypervisor/guest-memory.ts';
import { releaseHighest } from '../../src/hypervisor/domain.ts';
import { PAGE_SIZE } from '../../src/formats/save-stream/index.ts';
import { BLKIF_RSP_OKAY } from '../../src/hypervisor/io-ring.ts';
import { seededRandom as rng } from '../../src/machine/random.ts';

function guest(): { hv: Hypervisor; domid: number } {
  const hv = new Hypervisor(new Machine(DEFAULT_MACHINE), new Clock('virtual', 0, 0n));
  const d = hv.createDomain({
    type: 'pv', uuid: '11111111-2222-3333-4444-555555555555', maxVcpus: 1, onlineVcpus: 1, maxMemkb: 65536, memkb: 65536,
    weight: 256, cap: 0, poolId: 0, affinity: [{ hard: null, soft: null }],
  });
  hv.allocate(d, 16384);
  return { hv, domid: d.domid };
}

test('a ring is a page of the frontend memory: its header and slots are the bytes dump-core and save read', () => {
  const { hv, domid } = guest();
  const mem = hv.get(domid).memory!;
  const rings = hv.rings.net(domid, 0);
  const pfn = rings.tx.pfn!;
  assert.ok(mem.isKernelPage(pfn));
  for (let i = 0; i < 3; i++) assert.ok(rings.tx.push({ bytes: 1500, packets: 1 }));
  const page = mem.readPage(pfn);
  assert.deepEqual([page.readUInt32LE(0), page.readUInt32LE(4)], [3, 1], 'req_prod 3, req_event as SHARED_RING_INIT left it');
  assert.equal(page.readUInt16LE(64 + 2 * 12 + 10), 1500, 'the third netif_tx_request, its size');
  // The backend takes them and answers; the frontend's next push collects the answers.
  assert.equal(rings.tx.take().length, 3);
  assert.deepEqual([mem.readPage(pfn).readUInt32LE(8), mem.readPage(pfn).readUInt32LE(4)], [3, 4], 'rsp_prod 3; req_event: the 4th request');
  // An rx buffer posted (netif_rx_request: id, gref) comes back filled: netif_rx_response status 4096.
  assert.ok(rings.rx.push({ bytes: 4096, packets: 3 }));
  // No frontend kernel grants its pages here: the request carries GRANT_INVALID_REF.
  assert.deepEqual(rings.rx.take(), [{ bytes: 4096, packets: 3, gref: 0 }]);
  const rx = mem.readPage(rings.rx.pfn!);
  assert.deepEqual([rx.readUInt32LE(8), rx.readUInt16LE(64), rx.readUInt16LE(64 + 4), rx.readInt16LE(64 + 6)], [1, 0, 1, 4096]);
  // A page of the guest: restored from a copy it checks, a damaged copy is refused.
  const copy = new GuestMemory(mem.nrPages, { populated: false });
  copy.writePage(pfn, mem.readPage(pfn));
  assert.ok(copy.readPage(pfn).subarray(0, 4064).equals(mem.readPage(pfn).subarray(0, 4064)));
  const bad = mem.readPage(pfn);
  bad[70] ^= 1;
  assert.throws(() => copy.writePage(pfn, bad), PageCorruptError);
  // The balloon, the memory workload and pokes leave a shared page alone.
  mem.dirty(200_000, rng(1));
  assert.equal(mem.readPage(pfn).readUInt32LE(0), 3);
  releaseHighest(mem, mem.populatedCount);
  assert.ok(mem.populated(pfn) && mem.populated(rings.rx.pfn!));
  assert.equal(mem.populatedCount, 2, 'only the tx and rx ring pages are left');
  assert.throws(() => mem.poke(pfn, 64, Buffer.from('x')), RangeError);
});

test('log-dirty mode sees the ring pages written; dropping the rings frees them', () => {
  const { hv, domid } = guest();
  const mem = hv.get(domid).memory!;
  const blk = hv.rings.blk(domid, 51712);
  mem.enableLogDirty();
  blk.ring.push({ id: 0, write: true, sector: 0, sectors: 128 });
  const dirty = [...mem.cleanDirtyBitmap()];
  assert.ok(dirty.includes(blk.ring.pfn!), 'the ring page');
  assert.equal(dirty.length, 2, 'and the indirect page of a 16-segment request');
  assert.deepEqual(blk.ring.take(), [{ id: 0, write: true, sector: 0, sectors: 128, grefs: Array(16).fill(0), indirect: [0] }]);
  hv.rings.drop(domid, 'vbd', 51712);
  assert.equal(mem.isKernelPage(blk.ring.pfn!), false);
});

test('event suppression: a busy ring notifies once per batch, a ring drained per request once per request', () => {
  const { hv, domid } = guest();
  const { tx } = hv.rings.net(domid, 0);
  // Busy: the guest queues 100 packets between two passes of netback, 50 times.
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 100; i++) assert.ok(tx.push({ bytes: 1500, packets: 1 }));
    assert.equal(tx.take().length, 100);
  }
  assert.equal(tx.shared.notifiedBackend, 50, '5000 requests, one notification per batch');
  // Idle: netback drains each packet before the next comes; every one notifies.
  for (let i = 0; i < 100; i++) { tx.push({ bytes: 1500, packets: 1 }); tx.take(); }
  assert.equal(tx.shared.notifiedBackend, 150);
  // Responses: blkback answers 32 requests; blkfront is notified once, then once per batch it asks for.
  const blk = hv.rings.blk(domid, 51712);
  for (let round = 0; round < 10; round++) {
    for (let i = 0; i < 32; i++) assert.ok(blk.ring.push({ id: i, write: false, sector: i * 8, sectors: 8 }));
    assert.equal(blk.ring.push({ id: 99, write: false, sector: 0, sectors: 8 }), false, 'full');
    for (const r of blk.ring.take()) blk.responses.push({ id: r.id, status: BLKIF_RSP_OKAY });
    assert.equal(blk.responses.take().length, 32);
  }
  assert.equal(blk.ring.overflows, 10);
  assert.equal(blk.ring.shared.notifiedFrontend, 10, '320 responses, one notification per batch');
  assert.equal(blk.ring.shared.notifiedBackend, 10);
});

test('a guest whose memory is not modelled (Dom0) has its rings in pages of their own', () => {
  const { hv } = guest();
  hv.createDomain({
    type: 'pv', uuid: '00000000-0000-0000-0000-000000000000', maxVcpus: 1, onlineVcpus: 1, maxMemkb: -1, memkb: 1024,
    weight: 256, cap: 0, poolId: 0, affinity: [{ hard: null, soft: null }],
  }, 0);
  const rings = hv.rings.net(0, 0);
  assert.equal(rings.tx.pfn, null);
  assert.ok(rings.tx.push({ bytes: PAGE_SIZE, packets: 3 }));
  assert.deepEqual(rings.tx.take(), [{ bytes: PAGE_SIZE, packets: 3, gref: 0 }]);
});
