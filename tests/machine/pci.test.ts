// The machine's PCI bus and its views: the default board's functions at their real addresses
// and ids, VFs at the routing IDs SR-IOV gives them, the machine file's checks, lspci's and
// lsusb's formats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PciBus } from '../../src/machine/pci.ts';
import { DEFAULT_PCI_SLOTS } from '../../src/machine/inventory.ts';
import { parseMachineFile, MachineFileError } from '../../src/machine/machine-file.ts';
import { formatLspci } from '../../src/machine/lspci.ts';
import { DEFAULT_USB, formatLsusb } from '../../src/machine/usb.ts';

const lspci = (bus: PciBus, numeric: 0 | 1 | 2, verbose = false) =>
  formatLspci(bus.functions().map(f => ({ at: f, spec: f.spec, bars: f.bars, irq: f.irq, iommuGroup: f.iommuGroup, driver: f.spec.driver })), { numeric, verbose });

test('the default machine has the passthrough candidate at 03:00.0, an 82599ES port with SR-IOV', () => {
  const bus = new PciBus(DEFAULT_PCI_SLOTS);
  const f = bus.get('0000:03:00.0')!;
  assert.equal(f.spec.vendor, 0x8086);
  assert.equal(f.spec.device, 0x10fb);
  assert.equal(f.spec.classCode, 0x020000);
  assert.equal(f.spec.driver, 'ixgbe');
  assert.equal(f.spec.msix?.vectors, 64);
  assert.ok(f.spec.sriov);
  assert.ok(bus.get('0000:00:1f.2'), 'the chipset SATA controller is function 2');
  assert.equal(bus.get('0000:01:00.1')!.iommuGroup, bus.get('0000:01:00.0')!.iommuGroup, 'a GPU and its audio share a group');
  assert.equal(bus.get('0000:00:14.0')!.iommuGroup, bus.get('0000:00:1d.0')!.iommuGroup, 'USB controllers sharing an RMRR share a group');
  assert.equal(lspci(bus, 2).split('\n')[9], '03:00.0 Ethernet controller [0200]: Intel Corporation 82599ES 10-Gigabit SFI/SFP+ Network Connection [8086:10fb] (rev 01)');
  assert.equal(lspci(bus, 1).split('\n')[9], '03:00.0 0200: 8086:10fb (rev 01)');
});

test('VFs appear at PF + offset + i * stride (82599: 0x80, 2), each in a group of its own, and go with numvfs 0', () => {
  const bus = new PciBus(DEFAULT_PCI_SLOTS);
  assert.equal(bus.setNumVfs('0000:03:00.1', 2), null);
  assert.deepEqual(bus.vfsOf('0000:03:00.1').map(v => v.sbdf), ['0000:03:10.1', '0000:03:10.3']);
  const [a, b] = bus.vfsOf('0000:03:00.1');
  assert.notEqual(a!.iommuGroup, b!.iommuGroup);
  assert.equal(a!.spec.device, 0x10ed);
  assert.equal(bus.setNumVfs('0000:03:00.1', 3), 'Device or resource busy');
  assert.equal(bus.setNumVfs('0000:03:00.1', 64), 'Numerical result out of range');
  assert.equal(bus.setNumVfs('0000:02:00.0', 1), 'No such file or directory');
  assert.equal(bus.setNumVfs('0000:03:00.1', 0), null);
  assert.equal(bus.get('0000:03:10.1'), undefined);
  // The X710's VFs are 0x10 past the PF, one apart.
  bus.setNumVfs('0000:04:00.0', 2);
  assert.deepEqual(bus.vfsOf('0000:04:00.0').map(v => v.sbdf), ['0000:04:02.0', '0000:04:02.1']);
});

test('lspci -v: BARs where the firmware put them, capabilities, the driver in use', () => {
  const text = lspci(new PciBus(DEFAULT_PCI_SLOTS), 0, true);
  const block = text.slice(text.indexOf('03:00.0 '), text.indexOf('03:00.1 '));
  assert.match(block, /^03:00\.0 Ethernet controller: Intel Corporation 82599ES 10-Gigabit SFI\/SFP\+ Network Connection \(rev 01\)\n\tSubsystem: Intel Corporation Ethernet Server Adapter X520-2\n\tFlags: bus master, fast devsel, latency 0, IRQ \d+, IOMMU group \d+\n\tMemory at f[0-9a-f]{7} \(64-bit, non-prefetchable\) \[size=512K\]\n\tI\/O ports at e[0-9a-f]{3} \[size=32\]\n/);
  assert.match(block, /\tCapabilities: \[70\] MSI-X: Enable\+ Count=64 Masked-\n\tCapabilities: \[160\] Single Root I\/O Virtualization \(SR-IOV\)\n\tKernel driver in use: ixgbe\n\tKernel modules: ixgbe\n\n$/);
  assert.match(text, /^00:14\.0 USB controller: .* \(rev 05\) \(prog-if 30 \[XHCI\]\)$/m);
});

test('lsusb lists the root hubs and devices, highest bus and device first', () => {
  assert.equal(formatLsusb(DEFAULT_USB), [
    'Bus 003 Device 001: ID 1d6b:0002 Linux Foundation 2.0 root hub',
    'Bus 002 Device 001: ID 1d6b:0003 Linux Foundation 3.0 root hub',
    'Bus 001 Device 003: ID 0781:5567 SanDisk Corp. Cruzer Blade',
    'Bus 001 Device 002: ID 046d:c31c Logitech, Inc. Keyboard K120',
    'Bus 001 Device 001: ID 1d6b:0002 Linux Foundation 2.0 root hub', ''].join('\n'));
});

test('a machine file sets the machine, its PCI slots and USB devices', () => {
  const spec = parseMachineFile(JSON.stringify({
    hostname: 'lab2', cpus: 16, memory: '32G', dom0_mem: 4096,
    pci: [{ at: '00:00', part: 'intel-e3v3-host-bridge' }, { at: '05:00', part: 'intel-x710', sriov: [4] }, { at: '0000:06:00.0', part: 'amd-rx580' }],
    usb: [{ bus: 1, device: 2, id: '046d:c31c', vendor: 'Logitech, Inc.', product: 'Keyboard K120' }, { bus: 3, device: 4, port: 2, id: '0951:1666', vendor: 'Kingston Technology', product: 'DataTraveler 100 G3/G4/SE9 G2/50' }],
  }));
  assert.equal(spec.hostname, 'lab2');
  assert.equal(spec.memoryMiB, 32768);
  assert.equal(spec.dom0MemMiB, 4096);
  assert.deepEqual(spec.pci![1], { at: '05:00', part: 'intel-x710', sriov: [4] });
  assert.deepEqual(spec.usb!.map(d => d.busid), ['1-1', '3-2']);
  const bus = new PciBus(spec.pci!);
  assert.equal(bus.vfsOf('0000:05:00.0').length, 4);
  assert.equal(bus.get('0000:06:00.1')!.spec.device, 0xaaf0);
});

test('a bad machine file says where and why', () => {
  const bad = (o: unknown, msg: RegExp) => assert.throws(() => parseMachineFile(JSON.stringify(o)), e => e instanceof MachineFileError && msg.test(e.message));
  assert.throws(() => parseMachineFile('{'), /not JSON/);
  bad({ cpu: 4 }, /^machine: unknown key "cpu"/);
  bad({ pci: [{ at: '03:00', part: 'nope' }] }, /^pci\[0\]\.part: unknown part "nope" \(known: .*intel-82599es/);
  bad({ pci: [{ at: '03:00', part: 'intel-82599es' }, { at: '03:00.1', part: 'samsung-pm981' }] }, /^pci\[1\]\.at: 0000:03:00\.1 is taken/);
  bad({ pci: [{ at: '03:20', part: 'samsung-pm981' }] }, /^pci\[0\]\.at: must be a slot address/);
  bad({ pci: [{ at: '02:00', part: 'samsung-pm981', sriov: [1] }] }, /^pci\[0\]\.sriov\[0\]: the function has no SR-IOV/);
  bad({ pci: [{ at: '03:00', part: 'intel-82599es', sriov: [64] }] }, /^pci\[0\]\.sriov\[0\]: must be an integer from 0 to 63/);
  bad({ usb: [{ bus: 1, device: 1, id: '046d:c31c', vendor: 'x', product: 'y' }] }, /^usb\[0\]\.device: must be an integer from 2/);
  const stick = { bus: 1, device: 2, id: '0781:5567', vendor: 'SanDisk Corp.', product: 'Cruzer Blade' };
  bad({ usb: [stick, { ...stick, port: 3 }] }, /^usb\[1\]\.device: bus 1 device 2 is taken/);
  bad({ usb: [stick, { ...stick, device: 3, port: 1 }] }, /^usb\[1\]\.port: port 1-1 is taken/);
});
