// SR-IOV and GPU passthrough (issue 16 acceptance 4 and the GPU checks): VFs of the 82599's
// second port enabled with `xenlabd sriov`, given one each to two guests at once, while the PF
// cannot leave ixgbe nor drop its VFs; an Intel IGD given to an HVM guest with gfx_passthru=1
// (at its 00:02.0, in its boot log and lspci), and libxl's refusal of gfx_passthru for a GPU it
// cannot drive that way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { consoleScrollback, guestShell } from '../helpers/guest-shell.ts';

let h: TestHost;
before(() => { h = new TestHost().start(); });
after(() => h.stop());

test('two VFs of one PF go to two guests at once; the PF stays with ixgbe while they are away', () => {
  assert.equal(h.run('xenlabd', ['sriov', '03:00.1', '2']).status, 0);
  assert.match(h.run('xenlabd', ['lspci', '-nn']).stdout, /^03:10\.1 Ethernet controller \[0200\]: Intel Corporation 82599 Ethernet Controller Virtual Function \[8086:10ed\] \(rev 01\)\n03:10\.3 Ethernet controller/m);
  for (const vf of ['03:10.1', '03:10.3']) h.xlOk('pci-assignable-add', vf);
  h.xlOk('create', '-q', h.guestConfig('vfa', `pci = [ '03:10.1' ]`));
  h.xlOk('create', '-q', h.guestConfig('vfb', `pci = [ '03:10.3' ]`));
  assert.equal(h.xlOk('pci-list', 'vfa'), 'Vdev Device\n00.0 0000:03:10.1\n');
  assert.equal(h.xlOk('pci-list', 'vfb'), 'Vdev Device\n00.0 0000:03:10.3\n');
  const r = h.xl('pci-assignable-add', '03:00.1');
  assert.equal(r.status, 1);
  assert.equal(r.stderr, [
    'libxl: error: libxl_pci.c:380:sysfs_write_bdf: write to /sys/bus/pci/drivers/ixgbe/unbind returned -1: Device or resource busy',
    "libxl: error: libxl_pci.c:520:sysfs_dev_unbind: Couldn't unbind device: Device or resource busy",
    "libxl: error: libxl_pci.c:808:libxl__device_pci_assignable_add: Couldn't unbind 0000:03:00.1 from driver", ''].join('\n'));
  const s = h.run('xenlabd', ['sriov', '03:00.1', '0']);
  assert.equal(s.status, 1);
  assert.equal(s.stderr, 'xenlabd: cannot write 0 to /sys/bus/pci/devices/0000:03:00.1/sriov_numvfs: Device or resource busy\n');
  // The VFs, who has them and pciback's bindings outlive the daemon.
  assert.equal(h.run('xenlabd', ['stop']).status, 0);
  h.start();
  assert.equal(h.xlOk('pci-list', 'vfb'), 'Vdev Device\n00.0 0000:03:10.3\n');
  assert.match(h.run('xenlabd', ['lspci', '-v']).stdout, /^03:10\.1 .*\n(\t.*\n)*\tKernel driver in use: pciback\n/m);
  assert.equal(h.xl('pci-assignable-add', '03:00.1').status, 1);
  // Back from the guests and from pciback, the VFs let the PF go: its driver leaving takes them.
  for (const [d, vf] of [['vfa', '03:10.1'], ['vfb', '03:10.3']]) { h.xlOk('destroy', d!); h.xlOk('pci-assignable-remove', '-r', vf!); }
  assert.equal(h.xl('pci-assignable-add', '03:00.1').status, 0);
  assert.doesNotMatch(h.run('xenlabd', ['lspci']).stdout, /^03:10\./m);
  h.xlOk('pci-assignable-remove', '-r', '03:00.1');
});

test('gfx_passthru=1 gives an HVM guest the IGD at 00:02.0; its boot log and lspci show it', async () => {
  h.xlOk('pci-assignable-add', '00:02.0');
  const cfg = join(h.home, 'gpu.cfg');
  writeFileSync(cfg, `name = "gpu"\ntype = "hvm"\nmemory = 1024\nserial = "pty"\ngfx_passthru = 1\npci = [ '00:02.0' ]\n`);
  h.xlOk('create', '-q', cfg);
  h.advance('5s');
  assert.equal(h.xlOk('pci-list', 'gpu'), 'Vdev Device\n02.0 0000:00:02.0\n');
  const lspci = await guestShell(h, 'gpu', 'lspci');
  assert.match(lspci, /^00:01\.3 Bridge: Intel Corporation 82371AB\/EB\/MB PIIX4 ACPI \(rev 03\)\n00:02\.0 VGA compatible controller: Intel Corporation Xeon E3-1200 v3 Processor Integrated Graphics Controller \(rev 06\)\n00:03\.0 Unassigned class: XenSource, Inc\. Xen Platform Device \(rev 01\)\n$/m);
  assert.doesNotMatch(lspci, /Cirrus/, 'the IGD takes the emulated VGA\'s place');
  const boot = await consoleScrollback(h, 'gpu');
  assert.match(boot, /^\[ *\d+\.\d{6}\] pci 0000:00:02\.0: \[8086:041a\] type 00 class 0x030000\n\[ *\d+\.\d{6}\] pci 0000:00:02\.0: vgaarb: VGA device added: decodes=io\+mem,owns=none,locks=none$/m);
  assert.match(await guestShell(h, 'gpu', 'cat /proc/interrupts'), /xen-pirq +-msi +i915$/m);
  h.xlOk('destroy', 'gpu');
});

test('gfx_passthru=1 with a GPU that is not an Intel VGA device: the device model cannot start', () => {
  h.xlOk('pci-assignable-add', '01:00.0');
  const cfg = join(h.home, 'quadro.cfg');
  writeFileSync(cfg, `name = "quadro"\ntype = "hvm"\nmemory = 1024\ngfx_passthru = 1\npci = [ '01:00.0' ]\n`);
  const r = h.xl('create', '-q', cfg);
  assert.equal(r.status, 3);
  assert.match(r.stderr, /^libxl: error: libxl_dm\.c:1842:libxl__build_device_model_args_new: Domain (\d+):unable to detect required gfx_passthru_kind\nlibxl: error: libxl_create\.c:1894:domcreate_devmodel_started: Domain \1:device model did not start: -3\n/);
  assert.doesNotMatch(h.xlOk('list'), /quadro/);
  // Without gfx_passthru the Quadro goes as a secondary GPU, at the first free slot after QEMU's devices.
  writeFileSync(cfg, `name = "quadro"\ntype = "hvm"\nmemory = 1024\npci = [ '01:00.0' ]\n`);
  h.xlOk('create', '-q', cfg);
  assert.equal(h.xlOk('pci-list', 'quadro'), 'Vdev Device\n04.0 0000:01:00.0\n');
  writeFileSync(cfg, `name = "q2"\ntype = "hvm"\nmemory = 1024\nmmio_hole = 128\n`);
  const m = h.xl('create', '-q', cfg);
  assert.equal(m.status, 1);
  assert.match(m.stderr, /ERROR: invalid value 128 for "mmio_hole"/);
  h.xlOk('destroy', 'quadro');
});
