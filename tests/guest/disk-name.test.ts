import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blkfrontDiskName, guestDisks } from '../../src/guest/disk-name.ts';

test('blkfront names vbds xvd<letters>, emulated IDE and SCSI numbers included', () => {
  assert.equal(blkfrontDiskName((202 << 8) | (0 << 4)), 'xvda');
  assert.equal(blkfrontDiskName((202 << 8) | (15 << 4)), 'xvdp');
  assert.equal(blkfrontDiskName((1 << 28) | (16 << 8)), 'xvdq');
  assert.equal(blkfrontDiskName((1 << 28) | (26 << 8)), 'xvdaa');
  assert.equal(blkfrontDiskName((1 << 28) | (701 << 8)), 'xvdzz');
  assert.equal(blkfrontDiskName((3 << 8) | 0), 'xvda');     // hda
  assert.equal(blkfrontDiskName((3 << 8) | 64), 'xvdb');    // hdb
  assert.equal(blkfrontDiskName((22 << 8) | 64), 'xvdd');   // hdd
  assert.equal(blkfrontDiskName((8 << 8) | 16), 'xvdb');    // sdb
  assert.equal(blkfrontDiskName((65 << 8) | 0), 'xvdq');    // sdq
});

test('guestDisks: blkfront names through the PV drivers; without them libata names the emulated IDE disks in probe order', () => {
  const hda = 3 << 8, hdc = 22 << 8, xvdb = (202 << 8) | (1 << 4), xvde = (202 << 8) | (4 << 4);
  assert.deepEqual(guestDisks([hda, hdc, xvde], true).map(d => d.name), ['xvda', 'xvdc', 'xvde']);
  // xvdb is the primary slave (slot 1), probed before hdc (slot 2); xvde (index 4) is no IDE disk at all.
  assert.deepEqual(guestDisks([hdc, xvdb, xvde], false), [{ name: 'sda', ideSlot: 1 }, { name: 'sdb', ideSlot: 2 }]);
  assert.deepEqual(guestDisks([hda], false), [{ name: 'sda', ideSlot: 0 }]);
});
