// The machine's I/O devices: its NIC and the disk that holds the guests' images. Each has a
// speed of its own: a bandwidth, the latency of one request and a queue depth. A guest's I/O
// rate then follows from what it keeps in flight: Little's law gives the rate of one queue as
// its requests in flight over the latency, and the device's bandwidth is shared by all the
// queues that use it at once.

/** The disks a machine may have: an NVMe drive (PCIe 3 x4), a SATA SSD (6 Gb/s link). */
export type DiskKind = 'nvme' | 'sata';
export const DISK_KINDS: readonly DiskKind[] = ['nvme', 'sata'];

export interface DeviceModel {
  /** The device as the host's kernel names it. */
  name: string;
  /** Bytes per second, each direction. */
  bandwidth: number;
  /** Service time of one request (ns). */
  latencyNs: number;
  /** Requests the device accepts at once (NVMe submission queue, SATA NCQ). */
  queueDepth: number;
}

const MiB = 1024 * 1024;

const DISKS: Record<DiskKind, DeviceModel> = {
  nvme: { name: 'nvme0n1', bandwidth: 3000 * MiB, latencyNs: 80_000, queueDepth: 1024 },
  sata: { name: 'sda', bandwidth: 500 * MiB, latencyNs: 200_000, queueDepth: 32 },
};

/** A 10 GbE port: 1.25 GB/s each way (full duplex). */
const NIC: DeviceModel = { name: 'eth0', bandwidth: 1.25e9, latencyNs: 10_000, queueDepth: 1024 };

export function diskModel(kind: DiskKind): DeviceModel { return DISKS[kind]; }
export function nicModel(): DeviceModel { return NIC; }

/**
 * What one queue of a device can carry in `seconds`: `inFlight` requests of `requestBytes`
 * over the device's latency, within the device's share of queue depth and its bandwidth.
 */
export function queueCeiling(dev: DeviceModel, inFlight: number, requestBytes: number, sharers: number, seconds: number): number {
  const depth = Math.min(inFlight, Math.max(1, dev.queueDepth / Math.max(1, sharers)));
  return Math.min(dev.bandwidth, depth * requestBytes * 1e9 / dev.latencyNs) * seconds;
}
