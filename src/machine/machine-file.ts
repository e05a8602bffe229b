// The machine file (`xenlabd start --machine FILE`): a JSON object describing the host to build.
// Every key is optional; what is left out is the default machine's.
//
//   {
//     "hostname": "lab2", "cpus": 16, "memory": "32G", "dom0_mem": "4G", "dom0_vcpus": 4,
//     "disk": "nvme", "seed": 7,
//     "pci": [ { "at": "03:00", "part": "intel-82599es", "sriov": [2, 0] },
//              { "at": "00:14", "part": "intel-c220-xhci", "rmrr": "0xab800000" } ],
//     "usb": [ { "bus": 1, "device": 2, "port": 1, "id": "046d:c31c", "vendor": "Logitech, Inc.", "product": "Keyboard K120" } ],
//     "disks": [ { "name": "nvme0n1", "model": "Samsung SSD 970 EVO Plus 500GB", "serial": "S4EVNX0R512345K", "size": "500G",
//                  "partitions": [ { "size": "512M", "type": "EFI System", "mountpoint": "/boot/efi" },
//                                  { "type": "Linux filesystem", "mountpoint": "/" } ] },
//                { "name": "sda", "model": "INTEL SSDSC2KB480G8", "serial": "PHYF912300AB480BGN", "size": "480G", "table": "dos",
//                  "partitions": [ { "type": "Linux LVM" } ] } ]
//   }
//
// "pci" replaces the default bus (parts are named in pci-parts.ts; `sriov` enables VFs per
// function at boot). "usb" lists the devices on the controllers' buses (`port`, the root hub's port the device is
// in, defaults to one below its device number, as devices numbered in port order at boot). "disks" replaces Dom0's
// block devices (block-devices.ts): the kernel name sets the bus (nvmeXn1 or sdX), the partitions
// are laid out in order from 1 MiB, the last one sizeless to fill the disk; the first "Linux LVM"
// partition holds a new host's vg0. The parser is pure: the caller reads the file.
import { DISK_KINDS, type DiskKind } from './devices.ts';
import { layoutPartitions, MAX_PARTITIONS, PARTITION_TYPES, type HostDisk, type PartitionLayout, type PartitionTable } from './block-devices.ts';
import { parseSizeMiB, type MachineSpec } from './host.ts';
import { PARTS } from './pci-parts.ts';
import { formatSbdf, parseSlotAt, type PciSlot } from './pci.ts';
import type { UsbDevice } from './usb.ts';

export class MachineFileError extends Error {}

const KEYS = ['hostname', 'cpus', 'memory', 'dom0_mem', 'dom0_vcpus', 'disk', 'seed', 'pci', 'usb', 'disks'];

type Json = unknown;

function fail(at: string, what: string): never { throw new MachineFileError(`${at}: ${what}`); }

function int(v: Json, at: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(at, `must be an integer from ${min} to ${max}`);
  return v;
}

function sizeMiB(v: Json, at: string, min: number): number {
  const m = typeof v === 'number' ? v : typeof v === 'string' ? parseSizeMiB(v) : undefined;
  if (m === undefined || !Number.isInteger(m) || m < min) fail(at, `must be a size of at least ${min} MiB (e.g. "16G", or MiB as a number)`);
  return m;
}

function object(v: Json, at: string): Record<string, Json> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(at, 'must be an object');
  return v as Record<string, Json>;
}

function array(v: Json, at: string): Json[] {
  if (!Array.isArray(v)) fail(at, 'must be an array');
  return v;
}

function onlyKeys(o: Record<string, Json>, keys: string[], at: string): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) fail(at, `unknown key "${k}" (known: ${keys.join(', ')})`);
}

function slot(v: Json, at: string, taken: Set<string>): PciSlot {
  const o = object(v, at);
  onlyKeys(o, ['at', 'part', 'sriov', 'rmrr'], at);
  const where = typeof o.at === 'string' ? parseSlotAt(o.at) : undefined;
  if (!where) fail(`${at}.at`, 'must be a slot address "BB:DD", "SSSS:BB:DD" or with ".F"');
  const part = typeof o.part === 'string' ? PARTS[o.part] : undefined;
  if (!part) fail(`${at}.part`, `unknown part ${JSON.stringify(o.part)} (known: ${Object.keys(PARTS).join(', ')})`);
  if (where.fn + part.functions.length > 8) fail(`${at}.at`, `no room for the part's ${part.functions.length} functions`);
  part.functions.forEach((_, i) => {
    const sbdf = formatSbdf({ ...where, fn: where.fn + i });
    if (taken.has(sbdf)) fail(`${at}.at`, `${sbdf} is taken by an earlier slot`);
    taken.add(sbdf);
  });
  const s: PciSlot = { at: o.at as string, part: o.part as string };
  if (o.sriov !== undefined) {
    s.sriov = array(o.sriov, `${at}.sriov`).map((n, i) => {
      const sriov = part.functions[i]?.sriov;
      if (!sriov) fail(`${at}.sriov[${i}]`, 'the function has no SR-IOV capability');
      return int(n, `${at}.sriov[${i}]`, 0, sriov.totalVfs);
    });
  }
  if (o.rmrr !== undefined) {
    const r = typeof o.rmrr === 'string' && /^0x[0-9a-fA-F]+$/.test(o.rmrr) ? parseInt(o.rmrr, 16) : undefined;
    if (r === undefined || r % 4096) fail(`${at}.rmrr`, 'must be a page-aligned address in hex ("0xab800000")');
    s.rmrr = r;
  }
  return s;
}

function usbDevice(v: Json, at: string): UsbDevice {
  const o = object(v, at);
  onlyKeys(o, ['bus', 'device', 'port', 'id', 'vendor', 'product'], at);
  const id = typeof o.id === 'string' ? /^([0-9a-fA-F]{4}):([0-9a-fA-F]{4})$/.exec(o.id) : null;
  if (!id) fail(`${at}.id`, 'must be "vendor:product" in hex ("046d:c31c")');
  const name = (k: 'vendor' | 'product'): string => {
    if (typeof o[k] !== 'string' || !o[k]) fail(`${at}.${k}`, 'must be a non-empty string');
    return o[k] as string;
  };
  // Device 1 of each bus is its root hub.
  const bus = int(o.bus, `${at}.bus`, 1, 3), device = int(o.device, `${at}.device`, 2, 127);
  const port = o.port === undefined ? device - 1 : int(o.port, `${at}.port`, 1, 15);
  return { bus, device, busid: `${bus}-${port}`, deviceClass: 0, vendor: parseInt(id[1]!, 16), product: parseInt(id[2]!, 16), vendorName: name('vendor'), productName: name('product') };
}

function text(v: Json, at: string): string {
  if (typeof v !== 'string' || !/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(v)) fail(at, 'must be a non-empty string of printable ASCII');
  return v;
}

function partitionLayout(v: Json, at: string, last: boolean): PartitionLayout {
  const o = object(v, at);
  onlyKeys(o, ['size', 'type', 'mountpoint'], at);
  if (!(PARTITION_TYPES as Json[]).includes(o.type)) fail(`${at}.type`, `must be one of ${PARTITION_TYPES.map(t => `"${t}"`).join(', ')}`);
  if (o.size === undefined && !last) fail(`${at}.size`, 'only the last partition may leave out its size');
  if (o.mountpoint !== undefined && (typeof o.mountpoint !== 'string' || !o.mountpoint.startsWith('/'))) fail(`${at}.mountpoint`, 'must be an absolute path');
  return { type: o.type as PartitionLayout['type'], sizeMiB: o.size === undefined ? undefined : sizeMiB(o.size, `${at}.size`, 1), mountpoint: o.mountpoint as string | undefined };
}

function hostDisk(v: Json, at: string, taken: Set<string>): HostDisk {
  const o = object(v, at);
  onlyKeys(o, ['name', 'model', 'serial', 'size', 'table', 'partitions'], at);
  const name = typeof o.name === 'string' && /^(nvme\d+n1|sd[a-z])$/.test(o.name) ? o.name : fail(`${at}.name`, 'must be a kernel name: nvmeNn1 (NVMe) or sdX (SATA)');
  if (taken.has(name)) fail(`${at}.name`, `${name} is taken by an earlier disk`);
  taken.add(name);
  const table = (o.table ?? 'gpt') as PartitionTable;
  if (!(table in MAX_PARTITIONS)) fail(`${at}.table`, 'must be "gpt" or "dos"');
  const sectors = sizeMiB(o.size, `${at}.size`, 8) * 2048;
  const layout = array(o.partitions ?? [], `${at}.partitions`);
  if (layout.length > MAX_PARTITIONS[table]) fail(`${at}.partitions`, `a ${table} table holds at most ${MAX_PARTITIONS[table]}`);
  const partitions = layoutPartitions(sectors, layout.map((p, i) => partitionLayout(p, `${at}.partitions[${i}]`, i === layout.length - 1)));
  if (!partitions) fail(`${at}.partitions`, 'do not fit in the disk (1 MiB is kept at each end)');
  return { name, bus: name.startsWith('nvme') ? 'nvme' : 'sata', model: text(o.model, `${at}.model`), serial: text(o.serial, `${at}.serial`), sectors, table, partitions };
}

/** Parse a machine file's text into the parts of a MachineSpec it sets. */
export function parseMachineFile(text: string): Partial<MachineSpec> {
  let json: Json;
  try { json = JSON.parse(text); } catch (e) { throw new MachineFileError(`not JSON: ${(e as Error).message}`); }
  const o = object(json, 'machine');
  onlyKeys(o, KEYS, 'machine');
  const spec: Partial<MachineSpec> = {};
  if (o.hostname !== undefined) {
    if (typeof o.hostname !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/.test(o.hostname)) fail('hostname', 'must be a host name');
    spec.hostname = o.hostname;
  }
  if (o.cpus !== undefined) spec.nrCpus = int(o.cpus, 'cpus', 1, 512);
  if (o.memory !== undefined) spec.memoryMiB = sizeMiB(o.memory, 'memory', 256);
  if (o.dom0_mem !== undefined) spec.dom0MemMiB = sizeMiB(o.dom0_mem, 'dom0_mem', 128);
  if (o.dom0_vcpus !== undefined) spec.dom0Vcpus = int(o.dom0_vcpus, 'dom0_vcpus', 1, spec.nrCpus ?? 512);
  if (o.disk !== undefined) {
    if (!(DISK_KINDS as Json[]).includes(o.disk)) fail('disk', `must be one of ${DISK_KINDS.join(', ')}`);
    spec.disk = o.disk as DiskKind;
  }
  if (o.seed !== undefined) spec.seed = int(o.seed, 'seed', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  if (o.pci !== undefined) {
    const taken = new Set<string>();
    spec.pci = array(o.pci, 'pci').map((v, i) => slot(v, `pci[${i}]`, taken));
  }
  if (o.usb !== undefined) {
    spec.usb = array(o.usb, 'usb').map((v, i) => usbDevice(v, `usb[${i}]`));
    // the passthrough finds a device by its bus and device number, or by its bus id
    spec.usb.forEach((d, i) => spec.usb!.slice(0, i).forEach(e => {
      if (e.bus === d.bus && e.device === d.device) fail(`usb[${i}].device`, `bus ${d.bus} device ${d.device} is taken by an earlier device`);
      if (e.busid === d.busid) fail(`usb[${i}].port`, `port ${d.busid} is taken by an earlier device`);
    }));
  }
  if (o.disks !== undefined) {
    const taken = new Set<string>();
    spec.hostDisks = array(o.disks, 'disks').map((v, i) => hostDisk(v, `disks[${i}]`, taken));
  }
  return spec;
}
