// Guest memory: deterministic, cheap bytes; log-dirty as libxc's migration uses it; ballooning;
// receivers storing what a stream carries and refusing damaged pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PageType } from '../../src/formats/save-stream/index.ts';
import {
  GuestMemory, PAGE_HEADER_SIZE, PageCorruptError, checkPage,
} from '../../src/hypervisor/guest-memory.ts';
import { seededRandom as rng } from '../../src/machine/random.ts';

test('page bytes are deterministic per (seed, pfn, generation) and self-checking', () => {
  const a = new GuestMemory(64, { seed: 1 });
  const b = new GuestMemory(64, { seed: 1 });
  const c = new GuestMemory(64, { seed: 2 });
  assert.ok(a.readPage(10).equals(b.readPage(10)));
  assert.ok(!a.readPage(10).equals(c.readPage(10)));
  assert.equal(checkPage(10, a.readPage(10)), null);
  assert.equal(checkPage(11, a.readPage(10)), 'page header names pfn 0xa');
  // Never written since the domain was built: zero past the header, as Xen hands memory out.
  assert.ok(a.readPage(10).subarray(PAGE_HEADER_SIZE).equals(Buffer.alloc(4096 - PAGE_HEADER_SIZE)));
  const before = a.readPage(10);
  a.dirty(1000, rng(3), 16);
  assert.ok(!a.readPage(10).equals(before));
  assert.ok(!a.readPage(10).subarray(PAGE_HEADER_SIZE).equals(a.readPage(11).subarray(PAGE_HEADER_SIZE)));
  assert.ok(!a.readPage(10).subarray(PAGE_HEADER_SIZE).equals(Buffer.alloc(4096 - PAGE_HEADER_SIZE)));
  assert.equal(checkPage(10, a.readPage(10)), null);
  assert.equal(a.digest(), a.digest());
  assert.notEqual(a.digest(), b.digest());
});

test('the batch copy (word fast path) gives the same bytes as page-by-page byte copies', () => {
  const mem = new GuestMemory(8, { seed: 3 });
  mem.poke(6, 40, Buffer.from('explicit'));
  mem.dirty(20, rng(4), 4);
  const pfns = [5, 6, 7, 0, 1];
  const batch = Buffer.alloc(5 * 4096);
  mem.copyPages(pfns, batch);
  const odd = Buffer.alloc(4096 + 3);
  pfns.forEach((pfn, i) => {
    mem.copyPage(pfn, odd, 3);
    assert.ok(batch.subarray(i * 4096, (i + 1) * 4096).equals(odd.subarray(3)), `pfn ${pfn}`);
    assert.equal(checkPage(pfn, odd, 3), null);
  });
});

test('a reused batch buffer with notes gets the same bytes whatever its slots held before', () => {
  const mem = new GuestMemory(64, { seed: 4 });
  mem.dirty(40, rng(6), 32);
  mem.poke(40, 100, Buffer.from('explicit'));
  const buf = Buffer.alloc(8 * 4096, 0xee);
  const notes = new Uint8Array(8);
  const r = rng(7);
  for (let round = 0; round < 50; round++) {
    // Untouched, dirtied and explicit pages land in every slot in turn.
    const pfns = Array.from({ length: 1 + Math.floor(r() * 8) }, () => Math.floor(r() * 64));
    mem.copyPages(pfns, buf, 0, notes);
    pfns.forEach((pfn, i) => assert.ok(buf.subarray(i * 4096, (i + 1) * 4096).equals(mem.readPage(pfn)), `round ${round} pfn ${pfn}`));
  }
});

test('an idle 1 GiB guest is cheap: one page read does not touch the rest', () => {
  const mem = new GuestMemory(262144, { seed: 5 });
  assert.equal(mem.populatedCount, 262144);
  assert.equal(checkPage(262143, mem.readPage(262143)), null);
  assert.throws(() => mem.readPage(262144), RangeError);
});

test('log-dirty: CLEAN returns exactly the pages written since the last CLEAN', () => {
  const mem = new GuestMemory(1000);
  mem.dirty(50, rng(1));
  assert.throws(() => mem.cleanDirtyBitmap(), /log-dirty mode is not enabled/);
  mem.enableLogDirty();
  const before = Array.from({ length: 1000 }, (_, p) => mem.readPage(p));
  mem.dirty(40, rng(2));
  const dirty = Array.from(mem.cleanDirtyBitmap());
  const changed = before.map((b, p) => (b.equals(mem.readPage(p)) ? -1 : p)).filter(p => p >= 0);
  assert.deepEqual(dirty, changed);
  assert.ok(dirty.length > 30 && dirty.length <= 40);
  assert.equal(mem.dirtyCount, 0);
  assert.equal(mem.cleanDirtyBitmap().length, 0);
  mem.poke(7, 100, Buffer.from('hello'));
  assert.equal(mem.dirtyCount, 1);
  assert.deepEqual(Array.from(mem.cleanDirtyBitmap()), [7]);
});

test('ballooning changes the populated set; unpopulated pfns travel as XTAB', () => {
  const mem = new GuestMemory(100);
  mem.enableLogDirty();
  mem.decreaseReservation([3, 4, 4]);
  assert.equal(mem.populatedCount, 98);
  assert.deepEqual(Array.from(mem.populatedPfns().subarray(0, 4)), [0, 1, 2, 5]);
  assert.equal(mem.populatedPfns().length, 98);
  assert.equal(mem.pageType(3), PageType.XTAB);
  assert.throws(() => mem.readPage(3), /not populated/);
  assert.deepEqual(Array.from(mem.cleanDirtyBitmap()), [3, 4]);
  const fresh = new GuestMemory(100).readPage(4);
  mem.dirty(400, rng(5), 3); // pfns 0..2 hold data now; 3 and 4 are ballooned out
  const written = mem.readPage(2);
  mem.decreaseReservation([2]);
  mem.populate([2, 4]);
  assert.equal(mem.populatedCount, 99);
  assert.ok(mem.readPage(4).equals(fresh), 'populated memory is scrubbed, as Xen hands it out');
  assert.ok(!mem.readPage(2).equals(written), 'a repopulated page does not keep what was written to it');
  assert.equal(checkPage(2, mem.readPage(2)), null);
  mem.setPageType(5, PageType.L1TAB);
  assert.equal(mem.pageType(5), PageType.L1TAB);
});

test('a receiver stores pages from a stream and refuses damaged ones', () => {
  const src = new GuestMemory(50, { seed: 77 });
  src.dirty(30, rng(9));
  src.poke(20, 64, Buffer.from('explicit guest data'));
  const dst = new GuestMemory(50, { populated: false });
  assert.equal(dst.populatedCount, 0);
  for (let p = 0; p < 50; p++) dst.writePage(p, src.readPage(p), src.pageType(p));
  assert.equal(dst.digest(), src.digest());
  assert.ok(dst.readPage(20).includes('explicit guest data'));
  for (const offset of [0, 9, 20, 31, 32, 4095]) {
    const bad = src.readPage(20);
    bad[offset] ^= 0x80;
    assert.throws(() => dst.writePage(20, bad), PageCorruptError, `flip at ${offset}`);
    const badPattern = src.readPage(21);
    badPattern[offset] ^= 0x80;
    assert.throws(() => dst.writePage(21, badPattern), PageCorruptError, `flip at ${offset}`);
  }
  assert.throws(() => dst.writePage(1, src.readPage(2)), /pfn 0x1: page header names pfn 0x2/);
  assert.equal(dst.digest(), src.digest(), 'refused pages left memory unchanged');
});
