// The guest's lspci: the devices it was given, at its own addresses, and on an HVM guest the
// ones QEMU emulates around them (i440FX, PIIX3, the VGA unless an IGD took its slot, the Xen
// platform device, an RTL8139 per emulated NIC). Options -n, -nn and -v as pciutils takes them.
import type { CommandResult } from './command.ts';
import { formatLspci, type LspciEntry } from '../machine/lspci.ts';
import type { FunctionSpec } from '../machine/pci-parts.ts';
import type { GuestPciDevice } from './pcifront.ts';

const qemu = (vendor: number, device: number, classCode: number, revision: number, vendorName: string, deviceName: string, driver: string | null, progIfName?: string): FunctionSpec => ({
  vendor, device, classCode, revision, vendorName, deviceName, progIfName, driver,
  subVendor: 0x1af4, subDevice: 0x1100, subsystemName: 'Red Hat, Inc. Qemu virtual machine', bars: [],
});

const INTEL = 'Intel Corporation';
const EMULATED: [number, number, FunctionSpec][] = [
  [0, 0, qemu(0x8086, 0x1237, 0x060000, 0x02, INTEL, '440FX - 82441FX PMC [Natoma]', null)],
  [1, 0, qemu(0x8086, 0x7000, 0x060100, 0x00, INTEL, '82371SB PIIX3 ISA [Natoma/Triton II]', null)],
  [1, 1, qemu(0x8086, 0x7010, 0x010180, 0x00, INTEL, '82371SB PIIX3 IDE [Natoma/Triton II]', 'ata_piix', 'ISA Compatibility mode-only controller, supports bus mastering')],
  [1, 3, qemu(0x8086, 0x7113, 0x068000, 0x03, INTEL, '82371AB/EB/MB PIIX4 ACPI', null)],
];
const CIRRUS = qemu(0x1013, 0x00b8, 0x030000, 0x00, 'Cirrus Logic', 'GD 5446', 'cirrus');
const PLATFORM = qemu(0x5853, 0x0001, 0xff8000, 0x01, 'XenSource, Inc.', 'Xen Platform Device', 'xen-platform-pci');
const RTL8139 = qemu(0x10ec, 0x8139, 0x020000, 0x20, 'Realtek Semiconductor Co., Ltd.', 'RTL-8100/8101L/8139 PCI Fast Ethernet Adapter', '8139cp');

export interface GuestBus { hvm: boolean; platformPci: boolean; emulatedNics: number; devices: readonly GuestPciDevice[] }

function entries(bus: GuestBus): LspciEntry[] {
  const given: LspciEntry[] = bus.devices.map(d => ({ at: d.at, spec: d.fn.spec, bars: d.fn.bars, driver: d.fn.spec.driver }));
  if (!bus.hvm) return given;
  const emulated: [number, number, FunctionSpec][] = [...EMULATED];
  if (!given.some(e => e.at.dev === 2)) emulated.push([2, 0, CIRRUS]);
  if (bus.platformPci) emulated.push([3, 0, PLATFORM]);
  for (let i = 0; i < bus.emulatedNics; i++) emulated.push([4 + i, 0, RTL8139]);
  const all = [...emulated.map(([dev, fn, spec]) => ({ at: { seg: 0, bus: 0, dev, fn }, spec, bars: [], driver: spec.driver })), ...given];
  return all.sort((a, b) => a.at.dev - b.at.dev || a.at.fn - b.at.fn);
}

export function lspci(args: string[], bus: GuestBus): CommandResult {
  let numeric = 0, verbose = false;
  for (const a of args) {
    if (!/^-[nv]+$/.test(a)) {
      const bad = a.startsWith('-') ? a[1] ?? '' : a;
      return { stdout: '', stderr: `lspci: invalid option -- '${bad}'\nUsage: lspci [<switches>]\n`, status: 2 };
    }
    for (const c of a.slice(1)) if (c === 'n') numeric++; else verbose = true;
  }
  return { stdout: formatLspci(entries(bus), { numeric: Math.min(2, numeric) as 0 | 1 | 2, verbose }), stderr: '', status: 0 };
}
