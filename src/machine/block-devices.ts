// The host's disks as its hardware presents them: an NVMe drive and two SATA drives, each with
// its model, serial number, size and partition table, and the names and device numbers Linux
// gives them (nvme0n1 and nvme0n1p1 on major 259, sda and sda1 on major 8, 16 minors per SATA
// disk) and udev's /dev/disk/by-id links. Pure data: Dom0 (src/dom0/lvm) keeps their contents.

export type Bus = 'nvme' | 'sata';
export type PartitionTable = 'gpt' | 'dos';

export interface Partition {
  number: number;
  /** First sector and length, in 512-byte sectors. */
  start: number;
  sectors: number;
  /** What the table says the partition holds (GPT type name, or the MBR id's). */
  type: 'EFI System' | 'Linux filesystem' | 'Linux LVM';
  /** Where Dom0 mounts it (its own filesystems), if anywhere. */
  mountpoint?: string;
}

export interface HostDisk {
  /** The kernel's name: nvme0n1, sda, sdb. */
  name: string;
  bus: Bus;
  model: string;
  serial: string;
  sectors: number;
  table: PartitionTable;
  partitions: Partition[];
}

const NVME_MAJOR = 259, SCSI_DISK0_MAJOR = 8, SD_MINORS = 16;
const MiB_SECTORS = 2048, GiB_SECTORS = 1024 * MiB_SECTORS;

/**
 * The default machine's disks: Dom0 boots from the NVMe drive (EFI and root partitions, both
 * mounted), the first SATA SSD is one LVM partition (the volume group vg0 for guests' volumes),
 * and the SATA hard disk has two plain partitions to give guests whole.
 */
export const DEFAULT_DISKS: readonly HostDisk[] = [
  {
    name: 'nvme0n1', bus: 'nvme', model: 'Samsung SSD 970 EVO Plus 500GB', serial: 'S4EVNX0R512345K', sectors: 976773168, table: 'gpt',
    partitions: [
      { number: 1, start: MiB_SECTORS, sectors: 512 * MiB_SECTORS, type: 'EFI System', mountpoint: '/boot/efi' },
      { number: 2, start: 513 * MiB_SECTORS, sectors: 976773168 - 513 * MiB_SECTORS - 2048, type: 'Linux filesystem', mountpoint: '/' },
    ],
  },
  {
    name: 'sda', bus: 'sata', model: 'INTEL SSDSC2KB480G8', serial: 'PHYF912300AB480BGN', sectors: 937703088, table: 'gpt',
    partitions: [{ number: 1, start: MiB_SECTORS, sectors: 937703088 - MiB_SECTORS - 2048, type: 'Linux LVM' }],
  },
  {
    name: 'sdb', bus: 'sata', model: 'WDC WD10EZEX-00BN5A0', serial: 'WD-WCC3F7654321', sectors: 1953525168, table: 'dos',
    partitions: [
      { number: 1, start: MiB_SECTORS, sectors: 100 * GiB_SECTORS, type: 'Linux filesystem' },
      { number: 2, start: MiB_SECTORS + 100 * GiB_SECTORS, sectors: 200 * GiB_SECTORS, type: 'Linux filesystem' },
    ],
  },
];

/** What a machine file says of a partition: its size (MiB; none: the rest of the disk), type and Dom0's mount point. */
export interface PartitionLayout { sizeMiB?: number; type: Partition['type']; mountpoint?: string }

/** Partition types a machine file may name (what DEFAULT_DISKS uses). */
export const PARTITION_TYPES: readonly Partition['type'][] = ['EFI System', 'Linux filesystem', 'Linux LVM'];

/** The primary partitions an MBR holds; GPT's usual table holds 128. */
export const MAX_PARTITIONS: Record<PartitionTable, number> = { dos: 4, gpt: 128 };

/**
 * Partitions laid out as an installer lays them: the first at 1 MiB, each after the previous,
 * the last (if sizeless) up to 1 MiB before the end, where GPT keeps its backup table. Null when
 * they do not fit in the disk.
 */
export function layoutPartitions(sectors: number, parts: readonly PartitionLayout[]): Partition[] | null {
  const out: Partition[] = [];
  let start = MiB_SECTORS;
  const end = sectors - MiB_SECTORS;
  for (const [i, p] of parts.entries()) {
    const size = p.sizeMiB === undefined ? end - start : p.sizeMiB * MiB_SECTORS;
    if (size <= 0 || start + size > end) return null;
    out.push({ number: i + 1, start, sectors: size, type: p.type, ...(p.mountpoint ? { mountpoint: p.mountpoint } : {}) });
    start += size;
  }
  return out;
}

/** A disk or one of its partitions as the kernel names and numbers it. */
export interface DiskNode { name: string; major: number; minor: number; sectors: number; disk: HostDisk; partition?: Partition }

/** The kernel's name of a partition: nvme0n1p1, sda1. */
export function partitionName(disk: HostDisk, p: Partition): string {
  return `${disk.name}${/\d$/.test(disk.name) ? 'p' : ''}${p.number}`;
}

/** Every disk and partition node, numbered as Linux numbers them (NVMe: 259 in probe order; sd: 8, 16 minors each). */
export function diskNodes(disks: readonly HostDisk[]): DiskNode[] {
  const out: DiskNode[] = [];
  let nvmeMinor = 0, sdIndex = 0;
  for (const disk of disks) {
    if (disk.bus === 'nvme') {
      out.push({ name: disk.name, major: NVME_MAJOR, minor: nvmeMinor++, sectors: disk.sectors, disk });
      for (const p of disk.partitions) out.push({ name: partitionName(disk, p), major: NVME_MAJOR, minor: nvmeMinor++, sectors: p.sectors, disk, partition: p });
    } else {
      const base = sdIndex++ * SD_MINORS;
      out.push({ name: disk.name, major: SCSI_DISK0_MAJOR, minor: base, sectors: disk.sectors, disk });
      for (const p of disk.partitions) out.push({ name: partitionName(disk, p), major: SCSI_DISK0_MAJOR, minor: base + p.number, sectors: p.sectors, disk, partition: p });
    }
  }
  return out;
}

/** udev's by-id name of a node: nvme-<model>_<serial> or ata-<model>_<serial>, with -partN for a partition. */
export function byIdName(node: DiskNode): string {
  const id = `${node.disk.bus === 'nvme' ? 'nvme' : 'ata'}-${node.disk.model.replace(/\s+/g, '_')}_${node.disk.serial}`;
  return node.partition ? `${id}-part${node.partition.number}` : id;
}
