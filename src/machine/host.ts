// The emulated physical machine: pCPUs laid out in sockets, cores and threads over NUMA nodes,
// RAM, the CPU frequency that drives TSC values in traces, and the disk the images live on.
import type { DiskKind } from './devices.ts';
import type { HostDisk } from './block-devices.ts';
import { PciBus, type PciSlot } from './pci.ts';
import { DEFAULT_USB, type UsbDevice } from './usb.ts';
import { DEFAULT_PCI_SLOTS } from './inventory.ts';

export interface MachineSpec {
  hostname: string;
  nrCpus: number;
  memoryMiB: number;
  dom0MemMiB: number;
  dom0Vcpus: number;
  cpuKhz: number;
  seed: number;
  /** The disk holding XENLAB_HOME and the guests' images (hosts recorded before it have an NVMe). */
  disk?: DiskKind;
  /** Xen's `sched=` boot option: Pool-0's scheduler (credit2 when absent). */
  sched?: string;
  /** The PCI bus's slots (absent: the default machine's, inventory.ts). */
  pci?: PciSlot[];
  /** USB devices on the controllers' buses (absent: the default machine's). */
  usb?: UsbDevice[];
  /** The machine file's "disks": the host's block devices (the default machine's when left out). */
  hostDisks?: HostDisk[];
}

export interface CpuTopology { core: number; socket: number; node: number }

export const DEFAULT_MACHINE: MachineSpec = {
  hostname: 'xenlab', nrCpus: 8, memoryMiB: 16384, dom0MemMiB: 2048, dom0Vcpus: 4, cpuKhz: 2394000, seed: 1, disk: 'nvme',
};

export class Machine {
  readonly spec: MachineSpec;
  readonly threadsPerCore: number;
  readonly coresPerSocket: number;
  readonly nrSockets: number;
  readonly nrNodes: number;
  readonly topology: CpuTopology[];
  /** The PCI bus (its SR-IOV state changes at run time) and the USB devices. */
  readonly pci: PciBus;
  readonly usb: readonly UsbDevice[];

  constructor(spec: MachineSpec) {
    this.spec = spec;
    this.pci = new PciBus(spec.pci ?? DEFAULT_PCI_SLOTS);
    this.usb = spec.usb ?? DEFAULT_USB;
    const n = spec.nrCpus;
    // Two threads per core when the count is even; sockets of at most 16 threads; one NUMA node per socket.
    this.threadsPerCore = n % 2 === 0 && n >= 2 ? 2 : 1;
    const cores = n / this.threadsPerCore;
    this.nrSockets = cores > 8 && cores % 2 === 0 ? Math.max(1, Math.ceil(cores / 8)) : 1;
    while (cores % this.nrSockets !== 0) this.nrSockets--;
    this.coresPerSocket = cores / this.nrSockets;
    this.nrNodes = this.nrSockets;
    this.topology = [];
    for (let cpu = 0; cpu < n; cpu++) {
      const core = Math.floor(cpu / this.threadsPerCore);
      const socket = Math.floor(core / this.coresPerSocket);
      this.topology.push({ core: core % this.coresPerSocket, socket, node: socket });
    }
  }

  get totalPages(): number { return this.spec.memoryMiB * 256; }
  get mhz(): number { return this.spec.cpuKhz / 1000; }
  cpusOfNode(node: number): number[] { return this.topology.flatMap((t, i) => (t.node === node ? [i] : [])); }
}

/** Parse a size like `16G`, `2048M`, `512m`, `1T`, `4096` (MiB) into MiB. */
export function parseSizeMiB(s: string): number | undefined {
  const m = /^(\d+)([kKmMgGtT]?)[bB]?$/.exec(s.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  switch (m[2]!.toLowerCase()) {
    case 'k': return Math.floor(n / 1024);
    case 'g': return n * 1024;
    case 't': return n * 1024 * 1024;
    default: return n;
  }
}
