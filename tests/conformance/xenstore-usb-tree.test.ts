// Issue 16 USB (acceptance 5 and 6): usbctrl= and usbdev= in xl.cfg, usbctrl-attach/-detach,
// usbdev-attach/-detach and usb-list, with the xenstore trees libxl_usb.c writes, read with the
// real Debian xenstore-ls -fp.
//
// Where the expected values come from (libxl_usb.c, Xen 4.17):
// - a controller's keys (libxl__device_usbctrl_add_xenstore): type, usb-ver, num-ports, port = ""
//   and port/1..N = "" beside the generic frontend, frontend-id, online, state (backend
//   permissions n0,r<domid>); its frontend is device/vusb/<devid> (n<domid>,r0);
// - Dom0 is Debian's, without usbback, so a PV guest's controller of unset type is `qusb`
//   (QEMU's backend: backend/qusb/<domid>/<devid>); version 2 and 8 ports by default
//   (libxl__device_usbctrl_setdefault); an HVM guest's is `devicemodel`, known only under
//   /libxl/<domid>/device/vusb/<devid> (n0), 6 ports for USB 2;
// - a device is its host bus id (sysfs name, 1-2 for bus 1 address 3) in port/N;
// - xen-hcd (the Linux frontend) writes urb-ring-ref, conn-ring-ref and event-channel; QEMU's
//   backend and the frontend then reach Connected (4).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestHost, haveBinary } from '../helpers/host.ts';
import { advanceIn, xlIn, xlInOk } from '../helpers/xl-in-process.ts';

const REAL = '/usr/bin/xenstore-ls';
const skip = haveBinary(REAL) ? false : 'Debian xenstore-utils not installed (apt-get install xenstore-utils)';
let h: TestHost;
let pv: number, hvm: number;

before(async () => {
  if (skip) return;
  h = new TestHost().start();
  await xlInOk(h, 'create', h.guestConfig('upv', 'usbctrl = [ "version=2,ports=4" ]\nusbdev = [ "hostbus=1,hostaddr=3" ]'));
  // the later type setting wins over guestConfig's PV one
  await xlInOk(h, 'create', h.guestConfig('uhvm', 'type = "hvm"\nmemory = 512'));
  await xlInOk(h, 'create', h.guestConfig('plain'));
  await advanceIn(h, '3s');
  pv = Number((await xlInOk(h, 'domid', 'upv')).trim());
  hvm = Number((await xlInOk(h, 'domid', 'uhvm')).trim());
});
after(async () => { if (!skip) h.stop(); });

function ls(path: string): Record<string, string> {
  const r = h.sys(REAL, ['-fp', path]);
  assert.equal(r.status, 0, r.stderr);
  const out: Record<string, string> = {};
  for (const line of r.stdout.split('\n')) {
    const x = /^(\S+) = "(.*)"\s+\((.*)\)$/.exec(line);
    if (x) out[x[1]!.slice(path.length + 1)] = `${x[2]} (${x[3]})`;
  }
  return out;
}

test('usbctrl= and usbdev= of a PV guest: a qusb controller with the stick on port 1, both ends Connected', { skip }, async () => {
  const ro = `(n0,r${pv})`;
  const be = ls(`/local/domain/0/backend/qusb/${pv}/0`);
  assert.deepEqual(be, {
    frontend: `/local/domain/${pv}/device/vusb/0 ${ro}`, 'frontend-id': `${pv} ${ro}`, online: `1 ${ro}`, state: `4 ${ro}`,
    type: `qusb ${ro}`, 'usb-ver': `2 ${ro}`, 'num-ports': `4 ${ro}`, port: ` ${ro}`,
    'port/1': `1-2 ${ro}`, 'port/2': ` ${ro}`, 'port/3': ` ${ro}`, 'port/4': ` ${ro}`,
  });
  const fe = ls(`/local/domain/${pv}/device/vusb/0`);
  const rw = `(n${pv},r0)`;
  assert.equal(fe.backend, `/local/domain/0/backend/qusb/${pv}/0 ${rw}`);
  assert.equal(fe['backend-id'], `0 ${rw}`);
  assert.equal(fe.state, `4 ${rw}`);
  assert.deepEqual(Object.keys(fe).filter(k => /ring|channel/.test(k)).sort(), ['conn-ring-ref', 'event-channel', 'urb-ring-ref']);
  assert.equal(await xlInOk(h, 'usb-list', 'upv'),
    'Devid  Type         BE  state usb-ver ports\n0      qusb         0   4     2       4    \n' +
    '  Port 1: Bus 001 Device 003\n  Port 2:\n  Port 3:\n  Port 4:\n');
});

test('usbdev-attach: the next free port, and the real refusals', { skip }, async () => {
  const e = (line: number, fn: string, msg: string) =>
    `libxl: error: libxl_usb.c:${line}:${fn}: Domain ${pv}:${msg}\nlibxl_device_usbdev_add failed.\n`;
  const refuse = async (args: string[], stderr: string) => assert.deepEqual(await xlIn(h, 'usbdev-attach', 'upv', ...args), { stdout: '', stderr, status: 1 }, args.join(' '));
  await refuse(['hostbus=1', 'hostaddr=3'], e(1746, 'libxl__device_usbdev_add', 'USB device already attached to a domain'));
  await refuse(['hostbus=1', 'hostaddr=1'], e(1732, 'libxl__device_usbdev_add', 'USB device is not assignable.'));
  await refuse(['hostbus=9', 'hostaddr=9'], e(1732, 'libxl__device_usbdev_add', 'USB device is not assignable.'));
  await refuse(['hostbus=1', 'hostaddr=2', 'port=2'], e(1166, 'libxl__device_usbdev_setdefault', 'USB controller must be specified if you specify port'));
  await refuse(['hostbus=1', 'hostaddr=2', 'controller=0', 'port=1'], e(1214, 'libxl__device_usbdev_setdefault', "The controller port isn't available"));
  await refuse(['hostbus=1', 'hostaddr=2', 'bogus=1'], "Unknown string `bogus=1' in usbdev spec\n");
  await xlInOk(h, 'usbdev-attach', 'upv', 'hostbus=1', 'hostaddr=2', 'controller=0');
  assert.equal(ls(`/local/domain/0/backend/qusb/${pv}/0`)['port/2'], `1-1 (n0,r${pv})`);
  assert.match(await xlInOk(h, 'usb-list', 'upv'), /Port 2: Bus 001 Device 002\n/);
  assert.match(await xlInOk(h, 'list', '-l', 'upv'), /"ctrl": 0,\s+"port": 2,\s+"type.hostdev": \{\s+"hostbus": 1,\s+"hostaddr": 2/);
  // the keyboard is taken: another guest cannot have it
  assert.match((await xlIn(h, 'usbdev-attach', 'uhvm', 'hostbus=1', 'hostaddr=2')).stderr, /USB device already attached to a domain/);
});

test('an HVM guest: a devicemodel controller made for the device, known only under /libxl', { skip }, async () => {
  assert.deepEqual(await xlIn(h, 'usbctrl-attach', 'uhvm', 'version=1', 'ports=4'), { stdout: '',
    stderr: 'libxl: error: libxl_usb.c:88:libxl__device_usbctrl_setdefault: Number of ports for USB controller of version 1 is always 2\nlibxl_device_usbctrl_add failed.\n', status: 1 });
  await xlInOk(h, 'usbdev-detach', 'upv', '0', '2');
  await xlInOk(h, 'usbdev-attach', 'uhvm', 'hostbus=1', 'hostaddr=2');
  const lx = ls(`/libxl/${hvm}/device/vusb/0`);
  assert.equal(lx.type, 'devicemodel (n0)');
  assert.equal(lx['usb-ver'], '2 (n0)');
  assert.equal(lx['num-ports'], '6 (n0)');
  assert.equal(lx['port/1'], '1-1 (n0)');
  assert.equal(h.sys('/usr/bin/xenstore-exists', [`/local/domain/${hvm}/device/vusb`]).status, 1, 'no frontend');
  assert.equal(await xlInOk(h, 'usb-list', 'uhvm'), 'Devid  Type         BE  state usb-ver ports\n0      devicemodel  0   0     2       6    \n' +
    '  Port 1: Bus 001 Device 002\n' + [2, 3, 4, 5, 6].map(p => `  Port ${p}:\n`).join(''));
});

test('usbctrl-attach on a PV guest without QEMU, and the detach refusals; usbctrl-detach takes its devices', { skip }, async () => {
  const plain = Number((await xlInOk(h, 'domid', 'plain')).trim());
  assert.deepEqual(await xlIn(h, 'usbctrl-attach', 'plain'), { stdout: '',
    stderr: `libxl: error: libxl_dm.c:3842:libxl__dm_check_start: Domain ${plain}:device model required but not running\nlibxl_device_usbctrl_add failed.\n`, status: 1 });
  assert.deepEqual(await xlIn(h, 'usbctrl-attach', 'upv', 'version=3'), { stdout: '',
    stderr: 'libxl: error: libxl_usb.c:67:libxl__device_usbctrl_setdefault: USB version for paravirtualized devices must be 1 or 2\nlibxl_device_usbctrl_add failed.\n', status: 1 });
  assert.deepEqual(await xlIn(h, 'usbdev-detach', 'upv', '0', '3'), { stdout: '', stderr: 'Unknown device at controller 0 port 3.\n', status: 1 });
  assert.deepEqual(await xlIn(h, 'usbctrl-detach', 'upv', '5'), { stdout: '', stderr: 'Unknown device 5.\n', status: 1 });
  assert.deepEqual(await xlIn(h, 'usb-list', 'upv', 'x'), { stdout: '', stderr: 'Invalid arguments.\n', status: 255 });
  await xlInOk(h, 'usbctrl-attach', 'upv', 'ports=2');
  assert.equal(ls(`/local/domain/0/backend/qusb/${pv}/1`)['num-ports'], `2 (n0,r${pv})`);
  await xlInOk(h, 'usbctrl-detach', 'upv', '0');
  assert.equal(h.sys('/usr/bin/xenstore-exists', [`/local/domain/0/backend/qusb/${pv}/0`]).status, 1);
  assert.equal(await xlInOk(h, 'usb-list', 'upv'), 'Devid  Type         BE  state usb-ver ports\n1      qusb         0   4     2       2    \n  Port 1:\n  Port 2:\n');
  // the stick is free again
  await xlInOk(h, 'usbdev-attach', 'upv', 'hostbus=1', 'hostaddr=3');
  assert.match(await xlInOk(h, 'usb-list', 'upv'), /Port 1: Bus 001 Device 003\n/);
});
