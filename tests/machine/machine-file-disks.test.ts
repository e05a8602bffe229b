// The machine file's "disks" replace Dom0's block devices (issue 12 debt: the key was read by
// nothing): each disk's bus follows its kernel name, its partitions are laid out from 1 MiB as an
// installer does, and a bad entry is refused naming where and why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMachineFile, MachineFileError } from '../../src/machine/machine-file.ts';
import { diskNodes } from '../../src/machine/block-devices.ts';

const disks = (d: unknown) => parseMachineFile(JSON.stringify({ disks: d })).hostDisks!;

test('disks: bus from the name, partitions laid out in order, the last filling the disk', () => {
  const [nvme, sata] = disks([
    { name: 'nvme1n1', model: 'Samsung SSD 980 1TB', serial: 'S649NX0T123456A', size: '1G',
      partitions: [{ size: '100M', type: 'EFI System', mountpoint: '/boot/efi' }, { type: 'Linux LVM' }] },
    { name: 'sdc', model: 'ST2000DM008-2FR102', serial: 'ZFL0ABCD', size: 2048, table: 'dos', partitions: [] },
  ]);
  assert.deepEqual(nvme, {
    name: 'nvme1n1', bus: 'nvme', model: 'Samsung SSD 980 1TB', serial: 'S649NX0T123456A', sectors: 1024 * 2048, table: 'gpt',
    partitions: [
      { number: 1, start: 2048, sectors: 100 * 2048, type: 'EFI System', mountpoint: '/boot/efi' },
      { number: 2, start: 101 * 2048, sectors: (1024 - 102) * 2048, type: 'Linux LVM' },
    ],
  });
  assert.equal(sata!.bus, 'sata');
  assert.deepEqual(diskNodes([nvme!, sata!]).map(n => `${n.name} ${n.major}:${n.minor}`), ['nvme1n1 259:0', 'nvme1n1p1 259:1', 'nvme1n1p2 259:2', 'sdc 8:0']);
});

test('a bad disk says where and why', () => {
  const bad = (d: unknown, msg: RegExp) => assert.throws(() => disks(d), e => e instanceof MachineFileError && msg.test(e.message), String(msg));
  const ok = { name: 'sdb', model: 'm', serial: 's', size: '10G' };
  bad([{ ...ok, name: 'hda' }], /^disks\[0\]\.name: must be a kernel name: nvmeNn1 \(NVMe\) or sdX \(SATA\)$/);
  bad([ok, ok], /^disks\[1\]\.name: sdb is taken by an earlier disk$/);
  bad([{ ...ok, model: '' }], /^disks\[0\]\.model: must be a non-empty string/);
  bad([{ ...ok, size: '1M' }], /^disks\[0\]\.size: must be a size of at least 8 MiB/);
  bad([{ ...ok, table: 'apm' }], /^disks\[0\]\.table: must be "gpt" or "dos"$/);
  bad([{ ...ok, partitions: [{ type: 'swap' }] }], /^disks\[0\]\.partitions\[0\]\.type: must be one of "EFI System", "Linux filesystem", "Linux LVM"$/);
  bad([{ ...ok, partitions: [{ type: 'Linux LVM' }, { type: 'Linux LVM' }] }], /^disks\[0\]\.partitions\[0\]\.size: only the last partition/);
  bad([{ ...ok, partitions: [{ size: '10G', type: 'Linux LVM' }] }], /^disks\[0\]\.partitions: do not fit in the disk/);
  bad([{ ...ok, table: 'dos', partitions: Array.from({ length: 5 }, () => ({ size: 1, type: 'Linux LVM' })) }], /^disks\[0\]\.partitions: a dos table holds at most 4$/);
  bad([{ ...ok, partitions: [{ type: 'Linux filesystem', mountpoint: 'srv' }] }], /^disks\[0\]\.partitions\[0\]\.mountpoint: must be an absolute path$/);
  bad([{ ...ok, speed: 5 }], /^disks\[0\]: unknown key "speed"/);
});
