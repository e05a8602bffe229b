// PCI passthrough on the default machine (issue 16 acceptance 1): the 82599 port at 03:00.0
// leaves ixgbe for pciback, a guest gets it with pci=, xl pci-list shows it, the guest's lspci
// and /proc/interrupts see it and its MSI-X counts grow with the guest's traffic; then
// pci-detach and pci-assignable-remove -r give it back to ixgbe. And libxl's and Xen's refusals.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestHost } from '../helpers/host.ts';
import { driverOf as dom0Driver } from '../helpers/pci.ts';
import { guestShell } from '../helpers/guest-shell.ts';

let h: TestHost;
before(() => { h = new TestHost().start(); });
after(() => h.stop());

const driverOf = (bdf: string): string => dom0Driver(h, bdf);

const msix = (text: string, name: string): number => Number(new RegExp(`^ *\\d+: +(\\d+) +xen-pirq +-msi-x +${name}$`, 'm').exec(text)?.[1] ?? NaN);

test('acceptance 1: assignable-add, pci= at create, pci-list, lspci, MSI-X with traffic, pci-detach, assignable-remove -r', async () => {
  assert.equal(driverOf('03:00.0'), 'ixgbe');
  assert.equal(h.xl('pci-assignable-add', '03:00.0').status, 0);
  assert.equal(driverOf('03:00.0'), 'pciback');
  assert.equal(h.xlOk('pci-assignable-list'), '0000:03:00.0 \n');
  h.xlOk('create', '-q', h.guestConfig('web', `pci = [ '03:00.0' ]\nworkload = "net-tx=40M,net-rx=10M"`));
  h.advance('5s');
  assert.equal(h.xlOk('pci-list', 'web'), 'Vdev Device\n00.0 0000:03:00.0\n');
  assert.equal(h.xlOk('pci-assignable-list'), '', 'a device a guest has is not assignable');
  assert.equal(await guestShell(h, 'web', 'lspci -nn'), '00:00.0 Ethernet controller [0200]: Intel Corporation 82599ES 10-Gigabit SFI/SFP+ Network Connection [8086:10fb] (rev 01)\n');
  const first = await guestShell(h, 'web', 'cat /proc/interrupts');
  h.advance('10s');
  const later = await guestShell(h, 'web', 'cat /proc/interrupts');
  assert.ok(msix(first, 'enp0s0-TxRx-0') > 0, first);
  // 50 MiB/s of 1500-byte frames, 16 a interrupt: about 2200 interrupts a second.
  const grew = msix(later, 'enp0s0-TxRx-0') - msix(first, 'enp0s0-TxRx-0');
  assert.ok(grew > 15_000 && grew < 30_000, `grew ${grew}`);
  assert.equal(msix(later, 'enp0s0'), 0, 'the link vector has no traffic');

  assert.equal(h.xl('pci-detach', 'web', '03:00.0').status, 0);
  assert.equal(h.xlOk('pci-list', 'web'), '', 'no PCI backend left: pci-list prints nothing');
  assert.equal(await guestShell(h, 'web', 'lspci'), '');
  assert.doesNotMatch(await guestShell(h, 'web', 'cat /proc/interrupts'), /xen-pirq/);
  assert.equal(h.xlOk('pci-assignable-list'), '0000:03:00.0 \n');
  const r = h.xl('pci-assignable-remove', '-r', '03:00.0');
  assert.equal(r.status, 0);
  assert.equal(r.stderr, 'libxl: info: libxl_pci.c:925:libxl__device_pci_assignable_remove: Rebinding to driver at /sys/bus/pci/drivers/ixgbe\n');
  assert.equal(driverOf('03:00.0'), 'ixgbe');
  h.xlOk('destroy', 'web');
});
