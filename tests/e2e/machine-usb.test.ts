// Issue 16: the USB passthrough takes the host's devices from the machine inventory, so a USB
// device that a machine file plugs in is the one `xl usbdev-attach hostbus=B hostaddr=D` gives a
// guest: its Linux bus id (bus-port) in the controller's port key, its bus and device number in
// usb-list, its product string in QEMU's `info usb`; a device the file leaves out, and a root
// hub, are not assignable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';

test('a machine file\'s USB device is what xl usbdev-attach passes through', () => {
  const h = new TestHost();
  try {
    const file = join(h.home, 'machine.json');
    writeFileSync(file, JSON.stringify({ usb: [{ bus: 3, device: 2, port: 4, id: '0951:1666', vendor: 'Kingston Technology', product: 'DataTraveler 100 G3/G4/SE9 G2/50' }] }));
    h.start(['--clock', 'virtual', '--machine', file]);
    assert.match(h.run('xenlabd', ['lsusb']).stdout, /^Bus 003 Device 002: ID 0951:1666 Kingston Technology DataTraveler 100 G3\/G4\/SE9 G2\/50$/m);
    // a qusb controller from the start, so its QEMU runs
    h.xlOk('create', h.guestConfig('pv', 'usbctrl = [ "version=2,ports=4" ]'));
    h.xlOk('create', h.guestConfig('hvm', 'type = "hvm"\nmemory = 512\nusbctrl = [ "version=2" ]'));
    h.advance('3s');
    const pv = h.xlOk('domid', 'pv').trim();
    const refused = (bus: number, addr: number) => assert.deepEqual(h.xl('usbdev-attach', 'pv', `hostbus=${bus}`, `hostaddr=${addr}`), { stdout: '',
      stderr: `libxl: error: libxl_usb.c:1732:libxl__device_usbdev_add: Domain ${pv}:USB device is not assignable.\nlibxl_device_usbdev_add failed.\n`, status: 1 });
    refused(1, 2); // the default machine's keyboard: not on this machine
    refused(3, 1); // bus 3's root hub
    h.xlOk('usbdev-attach', 'pv', 'hostbus=3', 'hostaddr=2');
    assert.equal(h.sys('/usr/bin/xenstore-read', [`/local/domain/0/backend/qusb/${pv}/0/port/1`]).stdout, '3-4\n');
    assert.match(h.xlOk('usb-list', 'pv'), /^  Port 1: Bus 003 Device 002$/m);
    h.xlOk('usbdev-detach', 'pv', '0', '1');
    h.xlOk('usbdev-attach', 'hvm', 'hostbus=3', 'hostaddr=2');
    assert.match(h.xlOk('qemu-monitor-command', 'hvm', 'info usb'), /^  Device 0\.1, Port 1, Speed 480 Mb\/s, Product DataTraveler 100 G3\/G4\/SE9 G2\/50, ID: xenusb-0-1\r$/m);
  } finally { h.stop(); }
});
