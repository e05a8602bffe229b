// Dom0's LVM without I/O: sizes as LVM2 parses and prints them (the '<' of a rounded-down value,
// a zero as "0 "), the names LVM accepts and device-mapper's escaping, extents and their errors,
// and the report layout of lvs and vgs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displaySize, parseSizeArg, reportSize } from '../../src/dom0/lvm/size.ts';
import { createLv, dmName, newVolumeGroup, parseLvPath, removeLv, resizeLv, validName, LvmError, type LvmMetadata } from '../../src/dom0/lvm/volume-group.ts';
import { formatLvs, formatVgs } from '../../src/dom0/lvm/report.ts';

const GiB = 2 ** 30;

test("sizes: -L's units (powers of 1024, MiB by default, signs) and LVM's printing with units r", () => {
  assert.deepEqual(parseSizeArg('8G'), { sign: '', bytes: 8 * GiB });
  assert.deepEqual(parseSizeArg('+512'), { sign: '+', bytes: 512 * 2 ** 20 });
  assert.deepEqual(parseSizeArg('1.5g'), { sign: '', bytes: 1.5 * GiB });
  assert.equal(parseSizeArg('8X'), undefined);
  assert.equal(reportSize(0), '0 ');
  assert.equal(reportSize(8 * GiB), '8.00g');
  assert.equal(reportSize(114464 * 4 * 2 ** 20), '<447.13g');
  assert.equal(reportSize(64 * 2 ** 20), '64.00m');
  assert.equal(displaySize(10 * GiB), '10.00 GiB');
});

test('names: LVM\'s rules, device-mapper escaping both ways', () => {
  for (const ok of ['web', 'a.b', 'x_y+z', 'lv-1']) assert.ok(validName(ok), ok);
  for (const bad of ['', '.', '..', '-x', 'a/b', 'a$b', 'snapshot1', 'x_tmeta', 'a'.repeat(128)]) assert.ok(!validName(bad), bad);
  assert.equal(dmName('vg-0', 'my-lv'), 'vg--0-my--lv');
  assert.deepEqual(parseLvPath('/dev/mapper/vg--0-my--lv'), { vg: 'vg-0', lv: 'my-lv' });
  assert.deepEqual(parseLvPath('/dev/vg0/web'), { vg: 'vg0', lv: 'web' });
  assert.equal(parseLvPath('../../etc'), undefined);
});

test('extents: rounding up, free space, resizing rules, removal of an open volume', () => {
  const md: LvmMetadata = { vgs: [newVolumeGroup('vg0', 'sda1', 1 * GiB + 2 ** 20, 'u')] };
  assert.equal(md.vgs[0]!.totalExtents, 256);
  assert.deepEqual(createLv(md, { vg: 'vg0', name: 'a', bytes: 10 * 2 ** 20, readOnly: false, uuid: '1' }),
    ['  Rounding up size to full physical extent 12.00 MiB', '  Logical volume "a" created.']);
  assert.throws(() => createLv(md, { vg: 'vg0', name: 'b', bytes: GiB, readOnly: false, uuid: '2' }),
    (e: LvmError) => e.message === '  Volume group "vg0" has insufficient free space (253 extents): 256 required.' && e.exitCode === 5);
  assert.throws(() => resizeLv(md, 'vg0', 'a', 'extend', { sign: '', bytes: 12 * 2 ** 20 }), /New size \(3 extents\) matches existing size \(3 extents\)\./);
  assert.throws(() => resizeLv(md, 'vg0', 'a', 'reduce', { sign: '+', bytes: 4 * 2 ** 20 }), /New size given \(4 extents\) not less than existing size \(3 extents\)/);
  assert.throws(() => removeLv(md, 'vg0', 'a', true), /Logical volume vg0\/a in use\./);
  assert.deepEqual(removeLv(md, 'vg0', 'a', false), ['  Logical volume "a" successfully removed.']);
  assert.throws(() => removeLv(md, 'vg0', 'a', false), /Failed to find logical volume "vg0\/a"/);
  // device-mapper gives a new volume the lowest free minor.
  createLv(md, { vg: 'vg0', name: 'b', bytes: 4 * 2 ** 20, readOnly: false, uuid: '3' });
  assert.equal(md.vgs[0]!.lvs.find(l => l.name === 'b')!.minor, 0);
});

test('reports: padded columns, headings left, sizes right, sorted by VG then LV', () => {
  const md: LvmMetadata = { vgs: [newVolumeGroup('vg0', 'sda1', 100 * GiB, 'u')] };
  createLv(md, { vg: 'vg0', name: 'web', bytes: 8 * GiB, readOnly: false, uuid: '1' });
  createLv(md, { vg: 'vg0', name: 'db', bytes: 512 * 2 ** 20, readOnly: true, uuid: '2' });
  assert.deepEqual(formatLvs(md, () => true, (_vg, lv) => lv === 'web'), [
    '  LV   VG  Attr       LSize   Pool Origin Data%  Meta%  Move Log Cpy%Sync Convert',
    '  db   vg0 -ri-a----- 512.00m                                                    ',
    '  web  vg0 -wi-ao----   8.00g                                                    ',
  ]);
  // 100 GiB less the metadata area is 25599 extents: printed rounded up, so marked '<'.
  assert.deepEqual(formatVgs(md, () => true), ['  VG  #PV #LV #SN Attr   VSize    VFree  ', '  vg0   1   2   0 wz--n- <100.00g <91.50g']);
  assert.deepEqual(formatVgs(md, () => false), []);
});
