// The default machine's hardware: a Xeon E3-1200 v3 server on a C226 chipset, with its
// integrated GPU, USB and SATA controllers, an NVIDIA Quadro behind the CPU's x16 root port, a
// Samsung NVMe disk, a dual-port Intel 82599 (X520-2) whose ports Dom0 does not use and an admin
// can hand to guests (03:00.0 first), and an Intel X710 whose first port is Dom0's eth0, the
// bridge's uplink. Both NICs can enable SR-IOV virtual functions. The xHCI and EHCI controllers
// share an RMRR, as on real Intel boards (the firmware's USB legacy emulation).
import type { PciSlot } from './pci.ts';

export const DEFAULT_PCI_SLOTS: readonly PciSlot[] = [
  { at: '00:00', part: 'intel-e3v3-host-bridge' },
  { at: '00:01', part: 'intel-e3v3-pcie-root-port' },
  { at: '00:02', part: 'intel-p4600-igd' },
  { at: '00:14', part: 'intel-c220-xhci', rmrr: 0xab800000 },
  { at: '00:1d', part: 'intel-c220-ehci1', rmrr: 0xab800000 },
  { at: '00:1f.2', part: 'intel-c220-ahci' },
  { at: '01:00', part: 'nvidia-quadro-p2000' },
  { at: '02:00', part: 'samsung-pm981' },
  { at: '03:00', part: 'intel-82599es' },
  { at: '04:00', part: 'intel-x710' },
];
