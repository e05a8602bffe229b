// PCI passthrough's refusals with libxl's and Xen's words and xl's exit codes (a device not
// assignable, one another guest has, one sharing an RMRR, a device not there), and seize=1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { driverOf as dom0Driver } from '../helpers/pci.ts';

let h: TestHost;
before(() => { h = new TestHost().start(); });
after(() => h.stop());

const driverOf = (bdf: string): string => dom0Driver(h, bdf);

test('refusals: not assignable, assigned to another guest, a shared RMRR, a second assignable-remove', () => {
  // Not made assignable: the create fails and leaves nothing.
  const cfg = h.guestConfig('pv1', `pci = [ '03:00.1' ]`);
  let r = h.xl('create', '-q', cfg);
  assert.equal(r.status, 3);
  assert.match(r.stderr, /^libxl: error: libxl_pci\.c:1677:libxl__device_pci_add: Domain (\d+):PCI device 0:3:0\.1 is not assignable\nlibxl: error: libxl_pci\.c:1809:device_pci_add_done: Domain \1:libxl__device_pci_add failed for PCI device 0:3:0\.1 \(rc -3\)\nlibxl: error: libxl_create\.c:1919:domcreate_attach_devices: Domain \1:unable to add pci devices\n/);
  assert.doesNotMatch(h.xlOk('list'), /pv1/);

  // One guest has it: a PV guest is told it is not assignable, an HVM guest that it is assigned elsewhere.
  h.xlOk('pci-assignable-add', '03:00.1');
  h.xlOk('create', '-q', cfg);
  h.xlOk('create', '-q', h.guestConfig('pv2'));
  r = h.xl('pci-attach', 'pv2', '03:00.1');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^libxl: error: libxl_pci\.c:1677:libxl__device_pci_add: Domain \d+:PCI device 0:3:0\.1 is not assignable\n.*\(rc -3\)\nlibxl: error: libxl_device\.c:1486:device_addrm_aocomplete: unable to add device\n$/);
  const hvm = join(h.home, 'hvm1.cfg');
  writeFileSync(hvm, 'name = "hvm1"\ntype = "hvm"\nmemory = 512\npci = [ "03:00.1" ]\n');
  r = h.xl('create', '-q', hvm);
  assert.equal(r.status, 3);
  assert.match(r.stderr, /^libxl: error: libxl_pci\.c:1658:libxl__device_pci_add: Domain (\d+):PCI device 0000:03:00\.1 already assigned to a different guest\?\n/);

  // The xHCI shares an RMRR with the EHCI: Xen refuses it to a guest under the strict policy, and says why.
  h.xlOk('pci-assignable-add', '00:14.0');
  r = h.xl('pci-attach', 'pv2', '00:14.0');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^libxl: error: libxl_pci\.c:1529:pci_add_dm_done: Domain (\d+):xc_assign_device failed: Operation not permitted\n/);
  assert.match(h.xlOk('dmesg'), /\(XEN\) \[VT-D\] It's disallowed to assign 0000:00:14\.0 with shared RMRR at ab800000 for d\d+\.\n\(XEN\) d\d+: assign \(0000:00:14\.0\) failed \(-1\)\n/);
  assert.equal(h.xl('pci-attach', 'pv2', '00:14.0,rdm_policy=relaxed').status, 0);
  assert.match(h.xlOk('dmesg'), /\(XEN\) \[VT-D\] It's risky to assign 0000:00:14\.0 with shared RMRR at ab800000 for d\d+\./);

  // A whole device needs a virtual slot, and every function with pciback.
  r = h.xl('pci-attach', 'pv2', '01:00.*');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^libxl: error: libxl_pci\.c:1677:.*PCI device 0:1:0\.0 is not assignable\n/);
  h.xlOk('pci-assignable-add', '01:00.0');
  r = h.xl('pci-attach', 'pv2', '01:00.*');
  assert.match(r.stderr, /^libxl: error: libxl_pci\.c:1756:device_pci_add_stubdom_done: Domain (\d+):Must specify a v-slot for multi-function devices\nlibxl: error: libxl_pci\.c:1809:device_pci_add_done: Domain \1:libxl__device_pci_add failed for PCI device 0:1:0\.0 \(rc -6\)\n/);
  r = h.xl('pci-attach', 'pv2', '01:00.*@6');
  assert.match(r.stderr, /^libxl: error: libxl_pci\.c:1008:pci_multifunction_check: 0000:01:00\.1 is not assigned to pciback driver\n/);
  h.xlOk('pci-assignable-remove', '-r', '01:00.0');

  // Not assignable any more: de-quarantining fails.
  r = h.xl('pci-assignable-remove', '02:00.0');
  assert.equal(r.status, 1);
  assert.equal(r.stderr, 'libxl: error: libxl_pci.c:906:libxl__device_pci_assignable_remove: failed to de-quarantine 0000:02:00.0\n');
  r = h.xl('pci-detach', 'pv2', '03:00.0');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^libxl: error: libxl_pci\.c:1969:do_pci_remove: Domain \d+:PCI device not attached to this domain\n/);
  r = h.xl('pci-assignable-add', '09:00.0');
  assert.equal(r.status, 1);
  assert.equal(r.stderr, "libxl: error: libxl_pci.c:792:libxl__device_pci_assignable_add: Couldn't lstat /sys/bus/pci/devices/0000:09:00.0: No such file or directory\n");
  assert.equal(h.xl('pci-assignable-add', 'zz').status, 2);
  for (const d of ['pv1', 'pv2']) h.xlOk('destroy', d);
  // A destroyed guest's devices go back to the assignable list.
  assert.equal(h.xlOk('pci-assignable-list'), '0000:00:14.0 \n0000:03:00.1 \n');
});

test('seize=1 takes the device from its Dom0 driver at attach time, remembering the driver', () => {
  assert.equal(driverOf('01:00.1'), 'snd_hda_intel');
  h.xlOk('create', '-q', h.guestConfig('seized', `pci = [ '01:00.1,seize=1' ]`));
  assert.equal(driverOf('01:00.1'), 'pciback');
  assert.equal(h.xlOk('pci-list', 'seized'), 'Vdev Device\n00.0 0000:01:00.1\n');
  h.xlOk('destroy', 'seized');
  assert.equal(h.xl('pci-assignable-remove', '-r', '01:00.1').status, 0);
  assert.equal(driverOf('01:00.1'), 'snd_hda_intel');
});
