// A machine file's "disks" are Dom0's block devices (issue 12 debt): the new host's vg0 is made on
// its LVM partition, phy: disks find its partitions, and the default machine's /dev/sdb is gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';

test('xenlabd start --machine FILE with "disks": Dom0 has those disks and no others', () => {
  const h = new TestHost();
  try {
    const file = join(h.home, 'machine.json');
    writeFileSync(file, JSON.stringify({ disks: [
      { name: 'nvme0n1', model: 'Samsung SSD 980 1TB', serial: 'S649NX0T123456A', size: '1T',
        partitions: [{ size: '1G', type: 'EFI System', mountpoint: '/boot/efi' }, { size: '100G', type: 'Linux filesystem', mountpoint: '/' }, { type: 'Linux LVM' }] },
      { name: 'sdc', model: 'ST2000DM008-2FR102', serial: 'ZFL0ABCD', size: '2T', table: 'dos', partitions: [{ size: '300G', type: 'Linux filesystem' }] },
    ] }));
    h.start(['--clock', 'virtual', '--machine', file]);
    assert.match(h.run('xenlabd', ['pvs']).stdout, /^ {2}\/dev\/nvme0n1p3 vg0 lvm2 a-- {2}<923\.00g <923\.00g\n$/m);
    h.xlOk('create', h.guestConfig('g', 'disk = [ "phy:/dev/disk/by-id/ata-ST2000DM008-2FR102_ZFL0ABCD-part1,xvda,w" ]'));
    const cfg = h.guestConfig('old', 'disk = [ "phy:/dev/sdb1,xvda,w" ]');
    const r = h.xl('create', cfg);
    assert.equal(r.status, 3);
    assert.match(r.stderr, /Disk vdev=xvda failed to stat: \/dev\/sdb1: No such file or directory\n/);
    // Dom0's own root partition is refused to guests, as on the default machine.
    assert.notEqual(h.xl('create', h.guestConfig('root', 'disk = [ "phy:/dev/nvme0n1p2,xvda,w" ]')).status, 0);

    writeFileSync(file, JSON.stringify({ disks: [{ name: 'sdb', model: 'm', serial: 's', size: '1G', partitions: [{ type: 'swap' }] }] }));
    const bad = h.run('xenlabd', ['run', '--machine', file]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /machine\.json: disks\[0\]\.partitions\[0\]\.type: must be one of/);
  } finally { h.stop(); }
});
