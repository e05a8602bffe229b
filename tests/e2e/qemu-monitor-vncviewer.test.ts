// Issue 16: xl qemu-monitor-command (an HMP subset answered by the HVM guest's QEMU from its
// devices, CRLF-terminated as QEMU's monitor writes, plus xl's newline) and xl vncviewer (the
// VNC address libxl publishes from QEMU, then the viewer exec'd; without one, libxl__exec's
// message and exit status 255). A PV guest without QEMU has neither.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';

let h: TestHost;
let img: string;
/** An HVM guest's config: the later type setting wins over guestConfig's PV one. */
const hvm = (name: string, body = '') => h.guestConfig(name, `type = "hvm"\nmemory = 512\n${body}`);

before(() => {
  h = new TestHost().start();
  img = join(h.home, 'disk.img');
  const fd = openSync(img, 'w'); ftruncateSync(fd, 1 << 30); closeSync(fd);
  h.xlOk('create', hvm('win', `vif = [ "bridge=xenbr0,model=e1000" ]\ndisk = [ "${img},raw,hda,w" ]\nusbctrl = [ "version=2" ]\nusbdev = [ "hostbus=1,hostaddr=3" ]`));
  h.xlOk('create', hvm('second'));
  h.xlOk('create', h.guestConfig('pvguest'));
});
after(() => h.stop());

const crlf = (s: string) => s.replace(/\n/g, '\r\n') + '\n';

test('qemu-monitor-command answers info block, info usb and info pci from the guest\'s devices', () => {
  assert.equal(h.xlOk('qemu-monitor-command', 'win', 'info block'),
    crlf(`ide0-hd0 (#block100): ${img} (raw)\n    Attached to:      /machine/unattached/device[23]\n    Cache mode:       writeback\n`));
  assert.equal(h.xlOk('qemu-monitor-command', 'win', 'info usb'),
    crlf('  Device 0.1, Port 1, Speed 480 Mb/s, Product Cruzer Blade, ID: xenusb-0-1\n'));
  const pci = h.xlOk('qemu-monitor-command', 'win', 'info pci');
  assert.ok(pci.startsWith(crlf('  Bus  0, device   0, function 0:\n    Host bridge: PCI device 8086:1237\n      PCI subsystem 5853:0001\n      id ""\n').slice(0, -1)));
  assert.match(pci, /    Class ff80: PCI device 5853:0001\r\n/, 'the Xen platform device');
  assert.match(pci, /  Bus  0, device   4, function 0:\r\n    Ethernet controller: PCI device 8086:100e\r\n/, 'the e1000 of the vif');
  assert.match(pci, /    USB controller: PCI device 8086:24cd\r\n(?:[^\n]*\n){3}      id "xenusb-0"\r\n/, 'the EHCI controller of usbctrl');
  assert.equal(h.xlOk('qemu-monitor-command', 'second', 'info usb'), crlf('USB support not enabled\n'));
  assert.equal(h.xlOk('qemu-monitor-command', 'win', 'info nothing'), crlf("unknown command: 'info nothing'\n"));
  assert.deepEqual(h.xl('qemu-monitor-command', 'win', 'info', 'pci'), { stdout: '', stderr: 'Invalid arguments.\n', status: 1 });
  const pvid = h.xlOk('domid', 'pvguest').trim();
  assert.deepEqual(h.xl('qemu-monitor-command', 'pvguest', 'info pci'), { stdout: '',
    stderr: `libxl: error: libxl_qmp.c:1334:qmp_ev_lock_aquired: Domain ${pvid}:Failed to connect to QMP socket /var/run/xen/qmp-libxl-${pvid}: No such file or directory\n`, status: 1 });
});

test('vncviewer: each HVM guest\'s VNC display, the viewer run on it, and the real failures', () => {
  // no viewer installed
  assert.deepEqual(h.run('xl', ['vncviewer', 'win'], { env: { VNCVIEWER: 'no-such-vncviewer' } }),
    { stdout: '', stderr: 'libxl: cannot execute no-such-vncviewer: No such file or directory\n', status: 255 });
  // a "viewer" that shows what it was given: host:display for each guest's QEMU
  assert.deepEqual(h.run('xl', ['vncviewer', 'win'], { env: { VNCVIEWER: 'echo' } }), { stdout: '127.0.0.1:0\n', stderr: '', status: 0 });
  assert.deepEqual(h.run('xl', ['vncviewer', '--autopass', 'second'], { env: { VNCVIEWER: 'echo' } }), { stdout: '127.0.0.1:1\n', stderr: '', status: 0 });
  const pvid = h.xlOk('domid', 'pvguest').trim();
  assert.deepEqual(h.xl('vncviewer', 'pvguest'), { stdout: '',
    stderr: `libxl: error: libxl_console.c:201:libxl_vncviewer_exec: Domain ${pvid}:Cannot get vnc-port\n`, status: 1 });
});
