// Dom0's block devices behind phy: — the host's disks and partitions and the LVM volumes made
// with the extension commands (xenlabd lvcreate, lvs, vgs, lvextend, lvremove): LVM2's formats
// and messages, metadata kept over a daemon restart, a guest writing to phy:/dev/vg0/web (xentop
// counts it, the volume's sparse file gets the blocks), and the real refusals: a missing device
// (libxl's stat), a volume already used read-write by another guest (the block script's
// check_sharing), Dom0's own mounted root, a read-only volume asked for w (blkback), and
// lvremove of an open volume.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { advanceIn, xlIn, xlInOk } from '../helpers/xl-in-process.ts';

let h: TestHost;
before(async () => { h = new TestHost().start(); });
after(() => h.stop());

const lvm = (...args: string[]) => h.run('xenlabd', args);
const xsRead = (p: string) => h.sys('/usr/bin/xenstore-read', [p]).stdout.trim();

test('lvcreate, lvs, vgs, lvextend and their errors, in LVM2 formats; the metadata survives a restart', async () => {
  assert.deepEqual(lvm('vgs').stdout, '  VG  #PV #LV #SN Attr   VSize    VFree   \n  vg0   1   0   0 wz--n- <447.13g <447.13g\n');
  const c = lvm('lvcreate', '-L', '8G', '-n', 'web', 'vg0');
  assert.deepEqual([c.status, c.stdout, c.stderr], [0, '  Logical volume "web" created.\n', '']);
  const dup = lvm('lvcreate', '-L', '8G', '-n', 'web', 'vg0');
  assert.deepEqual([dup.status, dup.stderr], [5, '  Logical Volume "web" already exists in volume group "vg0"\n']);
  const big = lvm('lvcreate', '-L', '1T', '-n', 'huge', 'vg0');
  assert.deepEqual([big.status, big.stderr], [5, '  Volume group "vg0" has insufficient free space (112416 extents): 262144 required.\n']);
  const novg = lvm('lvcreate', '-L', '1G', '-n', 'x', 'nope');
  assert.deepEqual([novg.status, novg.stderr], [5, '  Volume group "nope" not found\n  Cannot process volume group nope\n']);
  for (const bad of ['../../etc', 'a$b', '-x']) assert.equal(lvm('lvcreate', '-L', '1G', '-n', bad, 'vg0').stderr, `  Logical volume name "${bad}" is invalid.\n`);
  const ext = lvm('lvextend', '-L', '+2G', 'vg0/web');
  assert.equal(ext.stdout, '  Size of logical volume vg0/web changed from 8.00 GiB (2048 extents) to 10.00 GiB (2560 extents).\n  Logical volume vg0/web successfully resized.\n');
  assert.equal(lvm('lvextend', '-L', '4G', 'vg0/web').stderr, '  New size given (1024 extents) not larger than existing size (2560 extents)\n');
  // lvremove asks first (on stderr, the answer from stdin); no, or no answer at all, keeps the volume.
  lvm('lvcreate', '-L', '4M', '-n', 'tmp', 'vg0');
  const q = 'Do you really want to remove active logical volume vg0/tmp? [y/n]: ';
  const no = h.run('xenlabd', ['lvremove', 'vg0/tmp'], { input: 'n\n' });
  assert.deepEqual([no.status, no.stdout, no.stderr], [5, '', `${q}  Logical volume vg0/tmp not removed.\n`]);
  const eof = h.run('xenlabd', ['lvremove', 'vg0/tmp'], { input: '' });
  assert.deepEqual([eof.status, eof.stderr], [5, `${q}[n]\n  Logical volume vg0/tmp not removed.\n`]);
  const yes = h.run('xenlabd', ['lvremove', 'vg0/tmp'], { input: 'y\n' });
  assert.deepEqual([yes.status, yes.stdout, yes.stderr], [0, '  Logical volume "tmp" successfully removed.\n', q]);
  h.run('xenlabd', ['stop']);
  h.start();
  assert.equal(lvm('lvs').stdout,
    '  LV   VG  Attr       LSize  Pool Origin Data%  Meta%  Move Log Cpy%Sync Convert\n' +
    '  web  vg0 -wi-a----- 10.00g                                                    \n');
  assert.equal(lvm('lvs', 'vg0/web').stdout.split('\n').length, 3);
  const nope = lvm('lvs', 'vg0/nope');
  assert.deepEqual([nope.status, nope.stderr], [5, '  Failed to find logical volume "vg0/nope"\n']);
  assert.equal(lvm('vgs', 'vgx').stderr, '  Volume group "vgx" not found\n  Cannot process volume group vgx\n');
  // Its data is a sparse file of its size in the host's private block directory.
  const files = readdirSync(join(h.home, 'block'));
  assert.equal(files.length, 1);
  const st = statSync(join(h.home, 'block', files[0]!));
  assert.deepEqual([st.size, st.mode & 0o777, statSync(join(h.home, 'block')).mode & 0o777], [10 * 2 ** 30, 0o600, 0o700]);
});

test('a guest writes to phy:/dev/vg0/web: blkback serves the volume, xentop counts, the volume gets the blocks', async () => {
  lvm('lvcreate', '-L', '64M', '-n', 'db', 'vg0');
  await xlInOk(h, 'create', h.guestConfig('db1', `disk = [ 'phy:/dev/vg0/db,xvda,w' ]\nworkload = "disk-write=4M"`));
  await advanceIn(h, '6s');
  const domid = (await xlInOk(h, 'domid', 'db1')).trim();
  const be = `/local/domain/0/backend/vbd/${domid}/51712`;
  assert.deepEqual([xsRead(`${be}/params`), xsRead(`${be}/type`), xsRead(`${be}/physical-device`), xsRead(`${be}/physical-device-path`), xsRead(`${be}/state`)],
    ['/dev/vg0/db', 'phy', 'fd:1', '/dev/dm-1', '4']);
  assert.equal(xsRead(`${be}/sectors`), String(64 * 2048));
  // The tree as the real xenstore-ls sees it: the script's keys beside libxl's, the backend's permissions.
  const ls = h.sys('/usr/bin/xenstore-ls', ['-fp', be]).stdout;
  for (const key of ['params = "/dev/vg0/db"', 'script = "/etc/xen/scripts/block"', 'mode = "w"', 'type = "phy"', 'physical-device = "fd:1"', 'physical-device-path = "/dev/dm-1"', 'hotplug-status = "connected"']) {
    assert.ok(ls.includes(`${be}/${key}   (n0,r${domid})\n`), `${key}:\n${ls}`);
  }
  const lines = h.run('xentop', ['-b', '-i', '1']).stdout.trim().split('\n');
  const head = lines[0]!.trim().split(/\s+/), row = lines.find(l => l.trim().startsWith('db1 '))!.trim().split(/\s+/);
  assert.ok(Number(row[head.indexOf('VBD_WR')]) > 0, lines.join('\n'));
  const file = readdirSync(join(h.home, 'block')).map(f => join(h.home, 'block', f)).find(f => statSync(f).size === 64 << 20)!;
  assert.ok(statSync(file).blocks > 0, 'the volume\'s file got no blocks');
  // Open by the guest: lvs shows it, lvremove refuses.
  assert.match(lvm('lvs').stdout, /\n  db   vg0 -wi-ao---- 64\.00m /);
  const rm = lvm('lvremove', '-f', 'vg0/db');
  assert.deepEqual([rm.status, rm.stderr], [5, '  Logical volume vg0/db in use.\n']);

  // A second guest asking for it read-write (under another of its names) gets the block script's refusal.
  const r = await xlIn(h, 'create', h.guestConfig('db2', `disk = [ 'phy:/dev/mapper/vg0-db,xvda,w' ]`));
  assert.equal(r.status, 3);
  assert.ok(r.stderr.includes('libxl: error: libxl_device.c:1286:device_hotplug_child_death_cb: script: Device /dev/dm-1 is mounted in a guest domain,\nand so cannot be mounted now.\n'), r.stderr);
  const ro = await xlIn(h, 'create', h.guestConfig('db3', `disk = [ 'phy:/dev/vg0/db,xvda,r' ]`));
  assert.ok(ro.stderr.includes('script: Device /dev/dm-1 is mounted read-write in a guest domain,\nand so cannot be mounted read-only now.\n'), ro.stderr);
  await xlInOk(h, 'destroy', 'db1');
  await advanceIn(h, '1s');
  const gone = lvm('lvremove', '-f', 'vg0/db');
  assert.deepEqual([gone.status, gone.stdout], [0, '  Logical volume "db" successfully removed.\n']);
});

test('a missing device is refused by libxl\'s stat, in create and in block-attach; Dom0\'s root is refused by the script', async () => {
  const r = await xlIn(h, 'create', h.guestConfig('miss', `disk = [ 'phy:/dev/vg0/nope,xvda,w' ]`));
  assert.equal(r.status, 3);
  assert.match(r.stderr, /^libxl: error: libxl_device\.c:455:libxl__device_disk_set_backend: Disk vdev=xvda failed to stat: \/dev\/vg0\/nope: No such file or directory\nlibxl: error: libxl_create\.c:1316:initiate_domain_create: Domain \d+:Unable to set disk defaults for disk 0\n/m);
  await xlInOk(h, 'create', h.guestConfig('att'));
  await advanceIn(h, '3s');
  const a = await xlIn(h, 'block-attach', 'att', 'phy:/dev/sdz1,xvdb,w');
  assert.deepEqual([a.status, a.stderr], [1, 'libxl: error: libxl_device.c:455:libxl__device_disk_set_backend: Disk vdev=xvdb failed to stat: /dev/sdz1: No such file or directory\nlibxl_device_disk_add failed.\n']);
  const root = await xlIn(h, 'block-attach', 'att', 'phy:/dev/nvme0n1p2,xvdc,w');
  assert.ok(root.stderr.includes('script: Device /dev/nvme0n1p2 is mounted in the privileged domain,\nand so cannot be mounted by a guest.\n'), root.stderr);
});

test('a read-only volume asked for w: blkback cannot open it (xenbus_dev_fatal), while r works', async () => {
  assert.equal(lvm('lvcreate', '-p', 'r', '-L', '16M', '-n', 'media', 'vg0').status, 0);
  assert.match(lvm('lvs').stdout, /\n  media vg0 -ri-a----- 16\.00m /);
  // libxl and the hotplug script accept it, as on Xen: the backend refuses when it opens the device.
  await xlInOk(h, 'create', h.guestConfig('ro1', `disk = [ 'phy:/dev/vg0/media,xvda,w', 'phy:/dev/vg0/media,xvdb,r' ]`));
  await advanceIn(h, '3s');
  const domid = (await xlInOk(h, 'domid', 'ro1')).trim();
  assert.equal(xsRead(`/local/domain/0/error/backend/vbd/${domid}/51712/error`), '2 creating vbd structure');
  assert.ok(['5', '6'].includes(xsRead(`/local/domain/0/backend/vbd/${domid}/51712/state`)));
  assert.equal(xsRead(`/local/domain/0/backend/vbd/${domid}/51728/state`), '4');
  assert.equal(xsRead(`/local/domain/0/backend/vbd/${domid}/51728/info`), '4');
  await xlInOk(h, 'destroy', 'ro1');
});

test('xl block-attach of a partition (by name and by its /dev/disk/by-id link) connects it', async () => {
  const domid = (await xlInOk(h, 'domid', 'att')).trim();
  await xlInOk(h, 'block-attach', 'att', 'phy:/dev/sdb1,xvdd,w');
  await xlInOk(h, 'block-attach', 'att', 'phy:/dev/disk/by-id/ata-WDC_WD10EZEX-00BN5A0_WD-WCC3F7654321-part2,xvde,r');
  await advanceIn(h, '2s');
  const be = (devid: number) => `/local/domain/0/backend/vbd/${domid}/${devid}`;
  assert.deepEqual([xsRead(`${be(51760)}/physical-device`), xsRead(`${be(51760)}/state`), xsRead(`${be(51760)}/sectors`)], ['8:11', '4', String(100 * 2 ** 21)]);
  assert.deepEqual([xsRead(`${be(51776)}/physical-device`), xsRead(`${be(51776)}/physical-device-path`), xsRead(`${be(51776)}/info`)], ['8:12', '/dev/sdb2', '4']);
  assert.match(await xlInOk(h, 'block-list', 'att'), /\n51760 +0 +\d+ +4 +\d+ +\d+ +\/local\/domain\/0\/backend\/vbd\/\d+\/51760\n/);
  await xlInOk(h, 'destroy', 'att');
});
