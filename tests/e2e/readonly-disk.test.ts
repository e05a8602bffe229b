// A disk declared read-only (`r`, `ro`, `access=r`, `access=ro`): libxl's backend says mode r,
// blkback refuses the guest's writes without ever opening the image for writing, and the guest
// logs the I/O errors as Linux's block layer does; a writable disk beside it is written. A file
// the daemon may not write is refused for a writable disk, as the block hotplug script does.
// The dry runs print the disks byte for byte as the real xl (recorded in tests/formats/fixtures).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { TestHost, ROOT } from '../helpers/host.ts';

let h: TestHost;
before(() => { h = new TestHost().start(); });
after(() => h.stop());

const XVDA = 51712, XVDB = 51728;
const O_ACCMODE = 0o3, O_RDONLY = 0;

/** A 4 MiB image with non-zero contents everywhere, so any write shows in its hash. */
function image(name: string): string {
  const p = join(h.home, name);
  const buf = Buffer.alloc(4 << 20);
  for (let i = 0; i < buf.length; i += 4) buf.writeUInt32LE((i ^ 0xa5a5a5a5) >>> 0, i);
  writeFileSync(p, buf);
  return p;
}

const sha256 = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

function xsRead(path: string): string {
  const r = h.sys('/usr/bin/xenstore-read', [path]);
  assert.equal(r.status, 0, `xenstore-read ${path}: ${r.stderr}`);
  return r.stdout.trim();
}

/** The access modes (O_RDONLY, O_WRONLY, O_RDWR) of the daemon's open descriptors on `file`. */
function daemonOpenModes(file: string): number[] {
  const pid = readFileSync(join(h.home, 'xenlabd.pid'), 'utf8').trim();
  const modes: number[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try { target = readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { continue; }
    if (target !== file) continue;
    const flags = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'))!;
    modes.push(parseInt(flags[1]!, 8) & O_ACCMODE);
  }
  return modes;
}

/** The guest's kernel log lines reporting a failed write to `dev`: their printk times in seconds. */
function ioErrorTimes(log: string, dev: string): number[] {
  const re = new RegExp(`^\\[ *(\\d+\\.\\d{6})\\] I/O error, dev ${dev}, sector \\d+ op 0x1:\\(WRITE\\) flags 0x800 phys_seg \\d+ prio class 2\\r?$`, 'gm');
  return [...log.matchAll(re)].map(m => Number(m[1]));
}

test('a read-only disk: mode r, writes refused with I/O errors in the guest, the image unchanged; the rw disk is written', () => {
  const ro = image('ro.img'), rw = image('rw.img');
  const roHash = sha256(ro), rwHash = sha256(rw);
  h.xlOk('create', h.guestConfig('rog', `disk = [ '${ro},raw,xvda,r', '${rw},raw,xvdb,w' ]\nworkload = "disk-write=1M"`));
  h.advance('3s');
  const domid = h.xlOk('domid', 'rog').trim();
  const be = (devid: number) => `/local/domain/0/backend/vbd/${domid}/${devid}`;
  assert.equal(xsRead(`${be(XVDA)}/mode`), 'r');
  assert.equal(xsRead(`${be(XVDB)}/mode`), 'w');
  // blkback tells blkfront: VDISK_READONLY for xvda only.
  assert.equal(xsRead(`${be(XVDA)}/info`), '4');
  assert.equal(xsRead(`${be(XVDB)}/info`), '0');
  assert.deepEqual(daemonOpenModes(ro), [O_RDONLY], 'the read-only image is open, and only for reading');

  h.advance('8s');
  assert.equal(sha256(ro), roHash, 'the read-only image was written');
  assert.notEqual(sha256(rw), rwHash, 'the writable image was not written');

  const log = readFileSync(join(h.home, 'logs/console/guest-rog.log'), 'utf8');
  const errors = ioErrorTimes(log, 'xvda');
  assert.ok(errors.length >= 10, `${errors.length} I/O error lines:\n${log}`);
  // printk_ratelimited: at most 10 lines in 5 s, then the count of those dropped.
  for (let begin: number | undefined = errors[0]; begin !== undefined; begin = errors.find(t => t >= begin! + 5)) {
    assert.ok(errors.filter(t => t >= begin! && t < begin! + 5).length <= 10, `more than 10 lines in the 5 s from ${begin}:\n${log}`);
  }
  assert.match(log, /^\[ *\d+\.\d{6}\] blk_print_req_error: \d+ callbacks suppressed\r?$/m);
  assert.deepEqual(ioErrorTimes(log, 'xvdb'), [], 'the writable disk had errors');
  h.xlOk('destroy', 'rog');
});

test('every spelling of read-only in xl block-attach gives a vbd of mode r that is not written', () => {
  const ro = image('ro-attach.img');
  const hash = sha256(ro);
  h.xlOk('create', h.guestConfig('att', 'workload = "disk-write=1M"'));
  h.advance('3s');
  const domid = h.xlOk('domid', 'att').trim();
  const specs: [string, number][] = [
    [`${ro},raw,xvda,ro`, XVDA],
    [`format=raw, vdev=xvdb, access=r, target=${ro}`, XVDB],
    [`vdev=xvdc, access=ro, target=${ro}`, 51744],
  ];
  for (const [spec] of specs) h.xlOk('block-attach', 'att', spec);
  for (const [spec, devid] of specs) assert.equal(xsRead(`/local/domain/0/backend/vbd/${domid}/${devid}/mode`), 'r', spec);
  h.advance('2s');
  assert.equal(sha256(ro), hash);
  assert.ok(daemonOpenModes(ro).every(m => m === O_RDONLY));
  h.xlOk('destroy', 'att');
});

test('a writable disk on a file without write permission fails as the block hotplug script does', () => {
  const locked = image('locked.img');
  chmodSync(locked, 0o444);
  const hash = sha256(locked);
  const r = h.xl('create', h.guestConfig('lk', `disk = [ '${locked},raw,xvda,w' ]`));
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /libxl: error: libxl_exec\.c:117:libxl_report_child_exitstatus: \/etc\/xen\/scripts\/block add \[\d+\] exited with error status 1\n/);
  assert.ok(r.stderr.includes(`libxl: error: libxl_device.c:1286:device_hotplug_child_death_cb: script: File ${locked} is read-only, and so I will not\nmount it read-write in a guest domain.\n`), r.stderr);
  assert.match(r.stderr, /domcreate_attach_devices: Domain \d+:unable to add disk devices/);
  assert.deepEqual(daemonOpenModes(locked), []);
  // Read-only, the same file attaches.
  h.xlOk('create', h.guestConfig('lk2', `disk = [ '${locked},raw,xvda,r' ]`));
  h.advance('3s');
  assert.deepEqual(daemonOpenModes(locked), [O_RDONLY]);
  assert.equal(sha256(locked), hash);
  h.xlOk('destroy', 'lk2');
});

test('xl create -n and xl -N block-attach print read-only and writable disks as the real xl does', () => {
  const fixtures = join(ROOT, 'tests/formats/fixtures');
  type CreateCase = { file: string; overrides: string[]; stdout: string; stderr: string; exitCode: number };
  const created = (JSON.parse(readFileSync(join(fixtures, 'create-dry-run-cases.json'), 'utf8')) as CreateCase[])
    .find(c => c.file === 'disk-access.cfg' && c.overrides.length === 0)!;
  const r = h.run('xl', ['create', '-n', 'disk-access.cfg'], { cwd: join(fixtures, 'configs') });
  assert.deepEqual({ stdout: r.stdout.replace(/"uuid": "[0-9a-f-]{36}"/, '"uuid": "<generated>"'), stderr: r.stderr, exitCode: r.status },
    { stdout: created.stdout, stderr: created.stderr, exitCode: created.exitCode });

  type AttachCase = { args: string[]; stdout: string; stderr: string; exitCode: number };
  const attaches = (JSON.parse(readFileSync(join(fixtures, 'block-attach-cases.json'), 'utf8')) as AttachCase[])
    .filter(c => c.args.some(a => /\/srv\/r[ow]\.img/.test(a)));
  assert.ok(attaches.length >= 10);
  for (const c of attaches) {
    const got = h.xl('-N', 'block-attach', '0', ...c.args);
    assert.deepEqual({ stdout: got.stdout, stderr: got.stderr, exitCode: got.status }, { stdout: c.stdout, stderr: c.stderr, exitCode: c.exitCode }, c.args.join(' '));
  }
});
