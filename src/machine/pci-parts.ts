// Real PCI parts a machine can carry: their ids as the PCI ID database names them, class codes,
// BAR sizes, interrupt capabilities (MSI, MSI-X), the Linux driver Dom0 binds at boot and, for
// SR-IOV physical functions, what their virtual functions are. A part may have several functions
// (a GPU and its HDMI audio). Facts from the parts' datasheets and pci.ids.

export type BarKind = 'mem32' | 'mem64' | 'io';

export interface BarSpec { index: number; kind: BarKind; size: number; prefetchable?: boolean }

export interface FunctionSpec {
  vendor: number;
  device: number;
  subVendor: number;
  subDevice: number;
  /** Base class, subclass and programming interface, 24 bits. */
  classCode: number;
  revision: number;
  vendorName: string;
  deviceName: string;
  subsystemName: string;
  /** lspci's name of the programming interface, where pci.ids has one. */
  progIfName?: string;
  bars: BarSpec[];
  msi?: { vectors: number };
  msix?: { vectors: number };
  /** The Dom0 driver that binds it at boot, and the module lspci -v names. */
  driver: string | null;
  sriov?: SriovSpec;
}

export interface SriovSpec {
  totalVfs: number;
  /** Routing-ID offset of the first VF from its PF, and between VFs (PCIe SR-IOV capability). */
  vfOffset: number;
  vfStride: number;
  vf: FunctionSpec;
}

export interface PartSpec { description: string; functions: FunctionSpec[] }

const INTEL = 'Intel Corporation';
const K = 1024, M = 1024 * 1024;

/** Onboard functions carry the board maker's subsystem ids (a Supermicro X10SLM-F here). */
const fn = (f: Omit<FunctionSpec, 'subVendor' | 'subDevice' | 'subsystemName'> & Partial<FunctionSpec>): FunctionSpec =>
  ({ subVendor: 0x15d9, subDevice: 0x0805, subsystemName: 'Super Micro Computer Inc Device 0805', ...f });

/** An Intel VF: its device id, name and register BAR size; the MSI-X BAR is 16K. */
const intelVf = (device: number, revision: number, deviceName: string, regs: number, vectors: number, driver: string): FunctionSpec => fn({
  vendor: 0x8086, device, classCode: 0x020000, revision, vendorName: INTEL, deviceName, subVendor: 0x8086, subDevice: device === 0x10ed ? 0x000c : 0x0000,
  subsystemName: `Intel Corporation ${deviceName}`,
  bars: [{ index: 0, kind: 'mem64', size: regs, prefetchable: true }, { index: 3, kind: 'mem64', size: 16 * K, prefetchable: true }],
  msix: { vectors }, driver,
});

/** The 82599 VF has three MSI-X vectors (Rx, Tx, mailbox); the 700 series VF five. */
const IXGBE_VF = intelVf(0x10ed, 0x01, '82599 Ethernet Controller Virtual Function', 16 * K, 3, 'ixgbevf');
const IAVF = intelVf(0x154c, 0x02, 'Ethernet Virtual Function 700 Series', 64 * K, 5, 'iavf');

const port82599 = fn({
  vendor: 0x8086, device: 0x10fb, classCode: 0x020000, revision: 0x01, vendorName: INTEL,
  deviceName: '82599ES 10-Gigabit SFI/SFP+ Network Connection', subVendor: 0x8086, subDevice: 0x7a11,
  subsystemName: 'Intel Corporation Ethernet Server Adapter X520-2',
  bars: [{ index: 0, kind: 'mem64', size: 512 * K }, { index: 2, kind: 'io', size: 32 }, { index: 4, kind: 'mem64', size: 16 * K }],
  msi: { vectors: 1 }, msix: { vectors: 64 }, driver: 'ixgbe',
  sriov: { totalVfs: 63, vfOffset: 0x80, vfStride: 2, vf: IXGBE_VF },
});

const portX710 = fn({
  vendor: 0x8086, device: 0x1572, classCode: 0x020000, revision: 0x02, vendorName: INTEL,
  deviceName: 'Ethernet Controller X710 for 10GbE SFP+', subVendor: 0x8086, subDevice: 0x0001,
  subsystemName: 'Intel Corporation Ethernet Converged Network Adapter X710-4',
  bars: [{ index: 0, kind: 'mem64', size: 8 * M, prefetchable: true }, { index: 3, kind: 'mem64', size: 32 * K, prefetchable: true }],
  msi: { vectors: 1 }, msix: { vectors: 129 }, driver: 'i40e',
  sriov: { totalVfs: 32, vfOffset: 0x10, vfStride: 1, vf: IAVF },
});

export const PARTS: Record<string, PartSpec> = {
  'intel-e3v3-host-bridge': { description: 'Xeon E3-1200 v3 host bridge (DRAM controller)', functions: [fn({
    vendor: 0x8086, device: 0x0c08, classCode: 0x060000, revision: 0x06, vendorName: INTEL,
    deviceName: 'Xeon E3-1200 v3 Processor DRAM Controller', bars: [], driver: null,
  })] },
  'intel-e3v3-pcie-root-port': { description: 'Xeon E3-1200 v3 PCI Express x16 root port', functions: [fn({
    vendor: 0x8086, device: 0x0c01, classCode: 0x060400, revision: 0x06, vendorName: INTEL,
    deviceName: 'Xeon E3-1200 v3/4th Gen Core Processor PCI Express x16 Controller', progIfName: 'Normal decode',
    bars: [], msi: { vectors: 1 }, driver: 'pcieport',
  })] },
  'intel-p4600-igd': { description: 'Intel HD Graphics P4600, the Xeon E3 v3 integrated GPU (VGA, IGD)', functions: [fn({
    vendor: 0x8086, device: 0x041a, classCode: 0x030000, revision: 0x06, vendorName: INTEL,
    deviceName: 'Xeon E3-1200 v3 Processor Integrated Graphics Controller', progIfName: 'VGA controller',
    bars: [{ index: 0, kind: 'mem64', size: 4 * M }, { index: 2, kind: 'mem64', size: 256 * M, prefetchable: true }, { index: 4, kind: 'io', size: 64 }],
    msi: { vectors: 1 }, driver: 'i915',
  })] },
  'intel-c220-xhci': { description: 'Intel C220 series USB 3.0 xHCI controller', functions: [fn({
    vendor: 0x8086, device: 0x8c31, classCode: 0x0c0330, revision: 0x05, vendorName: INTEL,
    deviceName: '8 Series/C220 Series Chipset Family USB xHCI', progIfName: 'XHCI',
    bars: [{ index: 0, kind: 'mem64', size: 64 * K }], msi: { vectors: 8 }, driver: 'xhci_hcd',
  })] },
  'intel-c220-ehci1': { description: 'Intel C220 series USB EHCI controller #1', functions: [fn({
    vendor: 0x8086, device: 0x8c26, classCode: 0x0c0320, revision: 0x05, vendorName: INTEL,
    deviceName: '8 Series/C220 Series Chipset Family USB EHCI #1', progIfName: 'EHCI',
    bars: [{ index: 0, kind: 'mem32', size: 1 * K }], driver: 'ehci-pci',
  })] },
  'intel-c220-ahci': { description: 'Intel C220 series 6-port SATA AHCI controller', functions: [fn({
    vendor: 0x8086, device: 0x8c02, classCode: 0x010601, revision: 0x05, vendorName: INTEL,
    deviceName: '8 Series/C220 Series Chipset Family 6-port SATA Controller 1 [AHCI mode]', progIfName: 'AHCI 1.0',
    bars: [{ index: 0, kind: 'io', size: 8 }, { index: 1, kind: 'io', size: 4 }, { index: 2, kind: 'io', size: 8 }, { index: 3, kind: 'io', size: 4 }, { index: 4, kind: 'io', size: 32 }, { index: 5, kind: 'mem32', size: 2 * K }],
    msi: { vectors: 1 }, driver: 'ahci',
  })] },
  'samsung-pm981': { description: 'Samsung PM981 NVMe SSD', functions: [fn({
    vendor: 0x144d, device: 0xa808, classCode: 0x010802, revision: 0x00, vendorName: 'Samsung Electronics Co Ltd',
    deviceName: 'NVMe SSD Controller SM981/PM981/PM983', subVendor: 0x144d, subDevice: 0xa801,
    subsystemName: 'Samsung Electronics Co Ltd SSD 970 EVO/PRO', progIfName: 'NVM Express',
    bars: [{ index: 0, kind: 'mem64', size: 16 * K }], msi: { vectors: 1 }, msix: { vectors: 33 }, driver: 'nvme',
  })] },
  'intel-82599es': { description: 'Intel X520-2 (82599ES), two 10 GbE SFP+ ports with SR-IOV', functions: [port82599, port82599] },
  'intel-x710': { description: 'Intel X710-4, 10 GbE SFP+ ports with SR-IOV (first port only)', functions: [portX710] },
  'nvidia-quadro-p2000': { description: 'NVIDIA Quadro P2000 (VGA) and its HDMI audio function', functions: [fn({
    vendor: 0x10de, device: 0x1c30, classCode: 0x030000, revision: 0xa1, vendorName: 'NVIDIA Corporation',
    deviceName: 'GP106GL [Quadro P2000]', subVendor: 0x10de, subDevice: 0x11b3, subsystemName: 'NVIDIA Corporation GP106GL [Quadro P2000]',
    progIfName: 'VGA controller',
    bars: [{ index: 0, kind: 'mem32', size: 16 * M }, { index: 1, kind: 'mem64', size: 256 * M, prefetchable: true }, { index: 3, kind: 'mem64', size: 32 * M, prefetchable: true }, { index: 5, kind: 'io', size: 128 }],
    msi: { vectors: 1 }, driver: 'nouveau',
  }), fn({
    vendor: 0x10de, device: 0x10f1, classCode: 0x040300, revision: 0xa1, vendorName: 'NVIDIA Corporation',
    deviceName: 'GP106 High Definition Audio Controller', subVendor: 0x10de, subDevice: 0x11b3, subsystemName: 'NVIDIA Corporation Device 11b3',
    bars: [{ index: 0, kind: 'mem32', size: 16 * K }], msi: { vectors: 1 }, driver: 'snd_hda_intel',
  })] },
  'amd-rx580': { description: 'AMD Radeon RX 580 (VGA) and its HDMI audio function', functions: [fn({
    vendor: 0x1002, device: 0x67df, classCode: 0x030000, revision: 0xe7, vendorName: 'Advanced Micro Devices, Inc. [AMD/ATI]',
    deviceName: 'Ellesmere [Radeon RX 470/480/570/570X/580/580X/590]', subVendor: 0x1da2, subDevice: 0xe366,
    subsystemName: 'Sapphire Technology Limited Nitro+ Radeon RX 570/580/590', progIfName: 'VGA controller',
    bars: [{ index: 0, kind: 'mem64', size: 256 * M, prefetchable: true }, { index: 2, kind: 'mem64', size: 2 * M, prefetchable: true }, { index: 4, kind: 'io', size: 256 }, { index: 5, kind: 'mem32', size: 256 * K }],
    msi: { vectors: 1 }, driver: 'amdgpu',
  }), fn({
    vendor: 0x1002, device: 0xaaf0, classCode: 0x040300, revision: 0x00, vendorName: 'Advanced Micro Devices, Inc. [AMD/ATI]',
    deviceName: 'Ellesmere HDMI Audio [Radeon RX 470/480 / 570/580/590]', subVendor: 0x1da2, subDevice: 0xaaf0,
    subsystemName: 'Sapphire Technology Limited Ellesmere HDMI Audio [Radeon RX 470/480 / 570/580/590]',
    bars: [{ index: 0, kind: 'mem64', size: 16 * K }], msi: { vectors: 1 }, driver: 'snd_hda_intel',
  })] },
};

/** lspci's class names (pci.ids), by base class and subclass. */
export const CLASS_NAMES: Record<number, string> = {
  0x0101: 'IDE interface', 0x0601: 'ISA bridge', 0x0680: 'Bridge', 0xff80: 'Unassigned class',
  0x0106: 'SATA controller', 0x0108: 'Non-Volatile memory controller', 0x0200: 'Ethernet controller',
  0x0300: 'VGA compatible controller', 0x0302: '3D controller', 0x0403: 'Audio device', 0x0600: 'Host bridge',
  0x0604: 'PCI bridge', 0x0c03: 'USB controller',
};
