// Guests boot as what they are (issue 12, item 4). An HVM guest runs hvmloader and SeaBIOS, whose
// lines reach Xen's debug port (in `xl dmesg` once guest_loglvl lets guest debug lines through),
// then Linux on its serial port ttyS0, which is its primary console; its hda disk is xvda under
// the PV drivers and sda under ata_piix without the platform device. PVH and PV guests boot
// Linux straight on hvc0, each saying what it is. `xl console -t serial` on a guest without a
// serial port gets its PV console (xenconsole's fallback); consoles that do not exist fail as
// xenconsole does. A PV kernel or ramdisk that cannot be opened fails the create as libxl does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { parseList } from '../helpers/xl-parse.ts';

let h: TestHost;
let disk: string;
before(() => {
  h = new TestHost().start(['--clock', 'virtual']);
  disk = join(h.home, 'disk.img');
  writeFileSync(disk, '');
  truncateSync(disk, 64 << 20);
});
after(() => h.stop());

function cfg(name: string, body: string): string {
  const p = join(h.home, `${name}.cfg`);
  writeFileSync(p, `name = "${name}"\nmemory = 256\n${body}\n`);
  return p;
}

/** What `xl console [args] <name>` shows of a booted guest: the scroll-back up to its login prompt, then Ctrl-]. */
async function consoleText(name: string, ...args: string[]): Promise<string> {
  const child = h.spawn('xl', ['console', ...args, name]);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d;
    if (/login: $/.test(out)) child.stdin!.write('\x1d');
  });
  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
  return out.replace(/\r\n/g, '\n');
}

const consoleLog = (name: string) => readFileSync(join(h.home, 'logs/console', `guest-${name}.log`), 'utf8');
const guestDebugLines = () => h.xlOk('dmesg').split('\n').filter(l => l.startsWith('(d'));

test('HVM with serial=pty: Linux on ttyS0 (the primary console) with hda as blkfront\'s xvda; hvc0 has only a getty', async () => {
  h.xlOk('create', '-q', cfg('hvm1', `type = "hvm"\nserial = 'pty'\ndisk = ['file:${disk},hda,w']`));
  h.advance('3s');
  const serial = await consoleText('hvm1');
  assert.match(serial, /\] Booting paravirtualized kernel on Xen HVM\n/);
  assert.match(serial, /\] Command line: BOOT_IMAGE=\/boot\/vmlinuz-6\.1\.0-41-amd64 root=UUID=[0-9a-f-]{36} ro console=tty0 console=ttyS0,115200n8\n/);
  assert.match(serial, /\] 00:05: ttyS0 at I\/O 0x3f8 \(irq = 4, base_baud = 115200\) is a 16550A\n/);
  assert.match(serial, /\] Blkfront and the Xen platform PCI driver have been compiled for this kernel: unplug emulated disks\.\n/);
  assert.match(serial, /\] EXT4-fs \(xvda1\): mounted filesystem/);
  assert.match(serial, /\nDebian GNU\/Linux 12 hvm1 ttyS0\n\nhvm1 login: $/);
  assert.doesNotMatch(serial, /hvc0|Booting paravirtualized kernel on Xen\n/);
  assert.equal(await consoleText('hvm1', '-t', 'serial'), serial);
  // The PV console: no kernel log (console=ttyS0), a getty on hvc0; xenconsoled logs this one.
  assert.equal(await consoleText('hvm1', '-t', 'pv'), '\nDebian GNU/Linux 12 hvm1 hvc0\n\nhvm1 login: ');
  assert.equal(consoleLog('hvm1'), '\nDebian GNU/Linux 12 hvm1 hvc0\n\nhvm1 login: ');
  h.xlOk('destroy', 'hvm1');
});

test('HVM firmware: hvmloader and SeaBIOS lines are guest debug output, in xl dmesg only once guest_loglvl lets them in', () => {
  h.xlOk('create', '-q', cfg('quiet', 'type = "hvm"'));
  h.advance('3s');
  assert.deepEqual(guestDebugLines(), [], 'a release build drops guest debug lines by default');
  h.xlOk('destroy', 'quiet');

  h.xlOk('set-parameters', 'guest_loglvl=all');
  h.xlOk('create', '-q', cfg('loud', 'type = "hvm"'));
  h.advance('3s');
  const id = parseList(h.xlOk('list')).find(r => r.name === 'loud')!.id;
  const lines = guestDebugLines();
  assert.equal(lines[0], `(d${id}) HVM Loader`);
  assert.ok(lines.includes(`(d${id}) Detected Xen v4.17.7`));
  assert.ok(lines.includes(`(d${id}) CPU speed is 2394 MHz`));
  assert.ok(lines.includes(`(d${id}) Invoking SeaBIOS ...`));
  assert.ok(lines.includes(`(d${id}) SeaBIOS (version 1.16.2-1)`));
  assert.equal(lines.at(-1), `(d${id}) Booting from 0000:7c00`);
  assert.ok(lines.every(l => l.startsWith(`(d${id}) `)));
  h.xlOk('destroy', 'loud');

  // PVH and PV guests run no firmware: nothing on the debug port even at guest_loglvl=all.
  h.xlOk('dmesg', '-c');
  h.xlOk('create', '-q', cfg('pvh0', 'type = "pvh"\nkernel = "/boot/vmlinuz"'));
  h.xlOk('create', '-q', cfg('pv0', 'kernel = "/boot/vmlinuz"'));
  h.advance('3s');
  assert.deepEqual(guestDebugLines(), []);
  h.xlOk('destroy', 'pvh0');
  h.xlOk('destroy', 'pv0');
  h.xlOk('set-parameters', 'guest_loglvl=none/warning');
});

test('HVM without the Xen platform PCI device: QEMU\'s emulated IDE disk is libata\'s sda', async () => {
  h.xlOk('create', '-q', cfg('ide', `type = "hvm"\nserial = "pty"\nxen_platform_pci = 0\ndisk = ['file:${disk},hda,w']`));
  h.advance('3s');
  const serial = await consoleText('ide');
  assert.match(serial, /\] ata1\.00: ATA-7: QEMU HARDDISK, 2\.5\+, max UDMA\/100\n/);
  assert.match(serial, /\] sd 0:0:0:0: \[sda\] Attached SCSI disk\n/);
  assert.match(serial, /\] EXT4-fs \(sda1\): mounted filesystem/);
  assert.doesNotMatch(serial, /xvd|unplug emulated/);
  h.xlOk('destroy', 'ide');
});

test('PVH and PV: Linux on hvc0, each booting as itself', async () => {
  h.xlOk('create', '-q', cfg('pvh1', `type = "pvh"\nkernel = "/boot/vmlinuz"\ndisk = ['file:${disk},xvda,w']`));
  h.xlOk('create', '-q', cfg('pv1', `kernel = "/boot/vmlinuz"\nextra = "root=/dev/xvda1 ro console=hvc0 quiet"\ndisk = ['file:${disk},xvda,w']`));
  h.advance('3s');
  const pvh = await consoleText('pvh1');
  assert.match(pvh, /\] Hypervisor detected: Xen PVH\n.*\] Xen version 4\.17\.\n.*\] Booting paravirtualized kernel on Xen PVH\n/s);
  assert.match(pvh, /\nDebian GNU\/Linux 12 pvh1 hvc0\n\npvh1 login: $/);
  assert.doesNotMatch(pvh, /HVM|ttyS0/);
  const pv = await consoleText('pv1');
  assert.match(pv, /\] Command line: root=\/dev\/xvda1 ro console=hvc0 quiet\n/);
  assert.match(pv, /\] Booting paravirtualized kernel on Xen\n.*\] Xen version: 4\.17\.7 \(preserve-AD\)\n/s);
  assert.match(pv, /\] blkfront: xvda: flush diskcache/);
  assert.match(pv, /\nDebian GNU\/Linux 12 pv1 hvc0\n\npv1 login: $/);
  assert.equal(consoleLog('pv1'), pv);
  // No serial port: xenconsole falls back to the PV console.
  assert.equal(await consoleText('pv1', '-t', 'serial'), pv);
  for (const args of [['-t', 'vuart'], ['-n', '1'], ['-t', 'serial', '-n', '2']]) {
    const r = h.xl('console', ...args, 'pv1');
    assert.deepEqual([r.status, r.stderr, r.stdout], [2, 'xenconsole: Could not read tty from store: No such file or directory\n', ''], args.join(' '));
  }
  h.xlOk('destroy', 'pvh1');
  h.xlOk('destroy', 'pv1');
});

test('a PV kernel or ramdisk that cannot be opened fails the create with libxc\'s and libxl\'s lines', () => {
  const before = h.xlOk('list');
  const r = h.xl('create', cfg('nokernel', 'kernel = "/nonexistent/vmlinuz"'));
  assert.equal(r.status, 3);
  const id = Number(/Domain (\d+):cannot/.exec(r.stderr)?.[1]);
  assert.equal(r.stderr, `Parsing config from ${join(h.home, 'nokernel.cfg')}\n` +
    "xc: error: panic: xg_dom_core.c:205: failed to open file '/nonexistent/vmlinuz': No such file or directory: Internal error\n" +
    'libxl: error: libxl_dom.c:646:libxl__build_pv: xc_dom_kernel_file failed: No such file or directory\n' +
    `libxl: error: libxl_create.c:1638:domcreate_rebuild_done: Domain ${id}:cannot (re-)build domain: -3\n`);

  // A relative path is xl's, from the directory xl runs in.
  const dir = join(h.home, 'boot');
  mkdirSync(dir);
  writeFileSync(join(dir, 'vmlinuz-custom'), 'kernel');
  const rr = h.run('xl', ['create', cfg('noramdisk', 'kernel = "vmlinuz-custom"\nramdisk = "initrd-missing"')], { cwd: dir });
  assert.equal(rr.status, 3);
  assert.match(rr.stderr, /\nxc: error: panic: xg_dom_core\.c:205: failed to open file 'initrd-missing': No such file or directory: Internal error\nlibxl: error: libxl_dom\.c:659:libxl__build_pv: xc_dom_ramdisk_file failed: No such file or directory\nlibxl: error: libxl_create\.c:1638:domcreate_rebuild_done: Domain \d+:cannot \(re-\)build domain: -3\n$/);
  assert.equal(h.xlOk('list'), before, 'nothing is left of either domain');

  writeFileSync(join(dir, 'initrd-custom'), 'initrd');
  const ok = h.run('xl', ['create', '-q', cfg('custom', 'kernel = "vmlinuz-custom"\nramdisk = "initrd-custom"')], { cwd: dir });
  assert.equal(ok.status, 0, ok.stderr);
  h.xlOk('destroy', 'custom');
});
