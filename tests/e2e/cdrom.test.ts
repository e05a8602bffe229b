// CD-ROM drives of HVM guests: an empty drive (',raw,hdc:cdrom,r') is QEMU's emulated IDE drive,
// with libxl's qdisk backend tree (checked with the real xenstore-ls -fp); xl cd-insert and
// cd-eject change its medium as libxl_cdrom_insert does (xenstore params, the stored config), the
// guest's Linux sees the drive at boot and the medium's size in /sys/block/sr0/size; and the
// real refusals: a PV guest, a vdev that is no CD-ROM drive, a medium that does not exist.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { closeSync, ftruncateSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';

let h: TestHost;
let domid: string;
before(() => {
  h = new TestHost().start();
  const root = join(h.home, 'root.img');
  closeSync(openSync(root, 'w'));
  const cfg = join(h.home, 'cd.cfg');
  writeFileSync(cfg, `name = "cd"\ntype = "hvm"\nmemory = 256\nserial = "pty"\ndisk = [ '${root},raw,xvda,w', ',raw,hdc:cdrom,r' ]\n`);
  h.xlOk('create', cfg);
  h.advance('5s');
  domid = h.xlOk('domid', 'cd').trim();
});
after(() => h.stop());

/** A command typed in the guest's serial console (logging in first): its output, and all the console showed (the boot log first). */
async function guestRun(command: string): Promise<{ out: string; all: string }> {
  const child = h.spawn('xl', ['console', 'cd']);
  let seen = '';
  const waiters: (() => void)[] = [];
  child.stdout!.on('data', d => { seen += d; for (const w of waiters.splice(0)) w(); });
  const until = async (ok: (since: string) => boolean, from: number) => { while (!ok(seen.slice(from))) await new Promise<void>(r => waiters.push(r)); };
  const prompt = 'root@cd:~# ';
  child.stdin!.write('\r');
  await until(t => t.endsWith('login: ') || t.endsWith(prompt), 0);
  if (seen.endsWith('login: ')) { const f = seen.length; child.stdin!.write('root\r'); await until(t => t.endsWith(prompt), f); }
  const from = seen.length;
  child.stdin!.write(`${command}\r`);
  await until(t => t.includes(`${command}\r\n`) && t.endsWith(prompt), from);
  const text = seen.slice(from);
  child.stdin!.write(Buffer.from([0x1d]));
  await once(child, 'exit');
  return { out: text.slice(text.indexOf(`${command}\r\n`) + command.length + 2, text.lastIndexOf(prompt)).replace(/\r\n/g, '\n'), all: seen };
}

const xsRead = (p: string) => h.sys('/usr/bin/xenstore-read', [p]).stdout.trim();

test("an empty CD-ROM drive: libxl's qdisk backend, the guest's sr0 with no medium", async () => {
  const ls = h.sys('/usr/bin/xenstore-ls', ['-fp', `/local/domain/0/backend/qdisk/${domid}/5632`]);
  const be = `/local/domain/0/backend/qdisk/${domid}/5632`, p = `(n0,r${domid})`;
  assert.equal(ls.stdout, [
    `${be}/frontend = "/local/domain/${domid}/device/vbd/5632"   ${p}`, `${be}/frontend-id = "${domid}"   ${p}`, `${be}/online = "1"   ${p}`,
    `${be}/state = "1"   ${p}`, `${be}/params = "aio:"   ${p}`, `${be}/removable = "1"   ${p}`, `${be}/bootable = "1"   ${p}`, `${be}/dev = "hdc"   ${p}`,
    `${be}/type = "qdisk"   ${p}`, `${be}/mode = "r"   ${p}`, `${be}/device-type = "cdrom"   ${p}`, `${be}/discard-enable = "0"   ${p}`,
    `${be}/specification = "xen"   ${p}`, '',
  ].join('\n'));
  assert.equal(xsRead(`/local/domain/${domid}/device/vbd/5632/backend`), be);
  assert.equal(xsRead(`/local/domain/${domid}/device/vbd/5632/device-type`), 'cdrom');
  const { out, all: log } = await guestRun('cat /sys/block/sr0/size');
  assert.equal(out, '0\n');
  assert.match(log, /\] ata2\.00: ATAPI: QEMU DVD-ROM, 2\.5\+, max UDMA\/100\r\n/);
  assert.match(log, /\] sr 1:0:0:0: Attached scsi CD-ROM sr0\r\n/);
  assert.match(log, /\] blkfront: xvda: /);
  assert.doesNotMatch(log, /blkfront: xvdc/);
});

test('xl cd-insert and cd-eject: params, the stored config and the guest see the medium come and go', async () => {
  const iso = join(h.home, 'debian.iso');
  const fd = openSync(iso, 'w'); ftruncateSync(fd, 700 << 20); closeSync(fd);
  const r = h.xl('cd-insert', 'cd', 'hdc', iso);
  assert.deepEqual([r.status, r.stdout, r.stderr], [0, '', '']);
  assert.equal(xsRead(`/local/domain/0/backend/qdisk/${domid}/5632/params`), `aio:${iso}`);
  assert.equal(xsRead(`/libxl/${domid}/device/vbd/5632/params`), `aio:${iso}`);
  const disk = () => JSON.parse(h.xlOk('list', '-l', 'cd'))[0].config.disks.find((d: { vdev: string }) => d.vdev === 'hdc');
  assert.deepEqual([disk().pdev_path, disk().format], [iso, 'raw']);
  assert.equal((await guestRun('cat /sys/block/sr0/size')).out, `${(700 << 20) / 512}\n`);
  h.xlOk('cd-eject', 'cd', 'hdc');
  assert.equal(xsRead(`/local/domain/0/backend/qdisk/${domid}/5632/params`), '');
  assert.deepEqual([disk().pdev_path, disk().format], ['', 'empty']);
  assert.equal((await guestRun('cat /sys/block/sr0/size')).out, '0\n');
});

test('cd-insert refusals: a missing file, a disk that is no CD-ROM drive, a PV guest; usage', () => {
  const missing = h.xl('cd-insert', 'cd', 'hdc', '/nonexistent.iso');
  assert.deepEqual([missing.status, missing.stderr], [1, 'Cannot stat file: /nonexistent.iso\n']);
  const iso = join(h.home, 'debian.iso');
  const notCd = h.xl('cd-insert', 'cd', 'xvda', iso);
  assert.deepEqual([notCd.status, notCd.stderr], [1, `libxl: error: libxl_disk.c:866:libxl_cdrom_insert: Domain ${domid}:Virtual device not found\n`]);
  h.xlOk('create', h.guestConfig('pv'));
  const pv = h.xlOk('domid', 'pv').trim();
  const r = h.xl('cd-insert', 'pv', 'hdc', iso);
  assert.deepEqual([r.status, r.stderr], [1, `libxl: error: libxl_disk.c:838:libxl_cdrom_insert: Domain ${pv}:cdrom-insert requires an HVM domain\n`]);
  const dom0 = h.xl('cd-insert', '0', 'hdc', iso);
  assert.deepEqual([dom0.status, dom0.stderr], [1, 'libxl: error: libxl_disk.c:838:libxl_cdrom_insert: Domain 0:cdrom-insert requires an HVM domain\n']);
  const gone = h.xl('cd-eject', '77', 'hdc');
  assert.deepEqual([gone.status, gone.stderr], [1, 'libxl: error: libxl_dom.c:37:libxl__domain_type: unable to get domain type for domid=77\n']);
  // Usage as the real xl prints it (recorded from ../shared/tools/realxl).
  const usage = h.xl('cd-eject', 'cd');
  assert.equal(usage.status, 2);
  assert.equal(usage.stderr, "'xl cd-eject' requires at least 2 arguments.\n\n");
  assert.equal(usage.stdout, "Usage: xl [-vtTfN] cd-eject <Domain> <VirtualDevice>\n\nEject a cdrom from a guest's cd drive.\n\n");
});

test('block-detach of the drive removes its nodes; destroy leaves no qdisk backend behind', () => {
  h.xlOk('block-detach', 'cd', 'hdc');
  assert.notEqual(h.sys('/usr/bin/xenstore-exists', [`/local/domain/0/backend/qdisk/${domid}/5632`]).status, 0);
  assert.notEqual(h.sys('/usr/bin/xenstore-exists', [`/local/domain/0/backend/vbd/${domid}/5632`]).status, 0);
  h.xlOk('destroy', 'cd');
  assert.notEqual(h.sys('/usr/bin/xenstore-exists', [`/local/domain/0/backend/qdisk/${domid}`]).status, 0);
});
