// Dom0's block devices: the host's disks and partitions and the LVM logical volumes, under the
// names Dom0's /dev gives them (/dev/sdb2, /dev/dm-0 and its links /dev/vg0/web,
// /dev/mapper/vg0-web, /dev/disk/by-id/...). This is the only /dev the toolstack and the
// backends look in: never the real one of the machine the daemon runs on. Each device's blocks
// are a sparse file of its size under the host's block/ directory (0700; files 0600), named by
// the kernel's name of a disk or partition, or by a volume's uuid (never by anything a user
// typed). LVM's metadata is kept by the caller (the daemon's database), so it survives restarts.
import { closeSync, constants, ftruncateSync, rmSync } from 'node:fs';
import { posix, resolve, sep } from 'node:path';
import { byIdName, diskNodes, type DiskNode, type HostDisk } from '../../machine/block-devices.ts';
import { openStateFile, privateDir } from '../state-files.ts';
import { EXTENT_BYTES, dmName, newVolumeGroup, type LogicalVolume, type LvmMetadata, type VolumeGroup } from './volume-group.ts';

const DM_MAJOR = 253;
/** Dom0's character devices a disk line may name (no block device: libxl hands them to QEMU's qdisk, the block script lets them be). */
const CHAR_DEVICES = ['/dev/null', '/dev/zero'];

/** A block device as Dom0's kernel has it. */
export interface BlockDevice {
  /** The canonical node (what readlink -f gives): /dev/sdb2, /dev/dm-0. */
  path: string;
  major: number;
  minor: number;
  bytes: number;
  readOnly: boolean;
  /** Where Dom0 has it mounted (its own filesystems). */
  mountpoint?: string;
  /** The sparse file holding its blocks. */
  file: string;
  /** The logical volume it is, if it is one. */
  lv?: { vg: string; lv: string };
}

export interface MetadataStore { load(): string | undefined; save(json: string): void }

export class HostBlockDevices {
  readonly md: LvmMetadata;
  private readonly nodes: DiskNode[];
  /** Devices held open by a user (blkback, for a guest's vbd), by the user's key. */
  private readonly opened = new Map<string, string>();

  constructor(private readonly dir: string, disks: readonly HostDisk[], private readonly meta: MetadataStore, newUuid: () => string) {
    this.nodes = diskNodes(disks);
    const saved = meta.load();
    if (saved) this.md = JSON.parse(saved);
    else {
      // A new host comes with its volume group made on the first LVM partition, as an installer leaves it.
      const pv = this.nodes.find(n => n.partition?.type === 'Linux LVM');
      this.md = { vgs: pv ? [newVolumeGroup('vg0', pv.name, pv.sectors * 512, newUuid())] : [] };
      this.commit();
    }
  }

  /** Record the metadata after a change (as LVM writes it to the PV), and fit the volumes' files to their sizes. */
  commit(): void {
    this.meta.save(JSON.stringify(this.md));
    for (const vg of this.md.vgs) for (const lv of vg.lvs) this.fitFile(this.lvFile(lv), lv.extents * EXTENT_BYTES);
  }

  /** Drop a removed volume's blocks. */
  discard(lv: LogicalVolume): void { rmSync(this.lvFile(lv), { force: true }); }

  /** Resolve a name in Dom0's /dev (following its links); undefined when there is no such device. */
  lookup(name: string): BlockDevice | undefined {
    if (!name.startsWith('/dev/')) return undefined;
    const p = posix.normalize(name);
    for (const n of this.nodes) {
      if (p === `/dev/${n.name}` || p === `/dev/disk/by-id/${byIdName(n)}`) return this.diskDevice(n);
    }
    for (const vg of this.md.vgs) {
      for (const lv of vg.lvs) {
        const dm = dmName(vg.name, lv.name);
        const names = [`/dev/dm-${lv.minor}`, `/dev/${vg.name}/${lv.name}`, `/dev/mapper/${dm}`, `/dev/disk/by-id/dm-name-${dm}`,
          `/dev/disk/by-id/dm-uuid-LVM-${vg.uuid.replace(/-/g, '')}${lv.uuid.replace(/-/g, '')}`];
        if (names.includes(p)) return this.lvDevice(vg, lv);
      }
    }
    return undefined;
  }

  /** The file holding the blocks of device `name` (made on first use), or `name` itself for a plain file. */
  backingFile(name: string): string {
    const dev = this.lookup(name);
    if (dev) this.fitFile(dev.file, dev.bytes);
    return dev?.file ?? name;
  }

  /** Is `name` one of Dom0's character devices (not a block device, but there)? */
  isCharDevice(name: string): boolean { return CHAR_DEVICES.includes(posix.normalize(name)); }

  /** Does `name` exist in Dom0's /dev (what a stat of it finds)? */
  exists(name: string): boolean { return this.lookup(name) !== undefined || this.isCharDevice(name); }

  /** A user opens the device `name` (or a plain file): the file to do I/O on. */
  open(user: string, name: string): string {
    const dev = this.lookup(name);
    if (dev) this.opened.set(user, dev.path);
    return this.backingFile(name);
  }

  release(user: string): void { this.opened.delete(user); }

  isOpen(path: string): boolean { return [...this.opened.values()].includes(path); }

  /** Dom0's own mounts (its /proc/mounts): the device nodes and whether read-write. */
  mounts(): { path: string; readWrite: boolean }[] {
    return this.nodes.filter(n => n.partition?.mountpoint).map(n => ({ path: `/dev/${n.name}`, readWrite: true }));
  }

  lvOpen(vg: string, lv: string): boolean {
    const v = this.md.vgs.find(x => x.name === vg)?.lvs.find(l => l.name === lv);
    return v !== undefined && this.isOpen(`/dev/dm-${v.minor}`);
  }

  private diskDevice(n: DiskNode): BlockDevice {
    return { path: `/dev/${n.name}`, major: n.major, minor: n.minor, bytes: n.sectors * 512, readOnly: false, mountpoint: n.partition?.mountpoint, file: this.confined(`${n.name}.img`) };
  }

  private lvDevice(vg: VolumeGroup, lv: LogicalVolume): BlockDevice {
    return { path: `/dev/dm-${lv.minor}`, major: DM_MAJOR, minor: lv.minor, bytes: lv.extents * EXTENT_BYTES, readOnly: lv.readOnly, file: this.lvFile(lv), lv: { vg: vg.name, lv: lv.name } };
  }

  private lvFile(lv: LogicalVolume): string { return this.confined(`lv-${lv.uuid}.img`); }

  /** A file name inside the block directory, refused if it would reach anywhere else. */
  private confined(file: string): string {
    const root = resolve(this.dir), p = resolve(root, file);
    if (!p.startsWith(root + sep) || p.slice(root.length + 1).includes(sep)) throw new Error(`block device file ${file} outside ${root}`);
    return p;
  }

  /** Make (or grow/shrink) a device's sparse file to its size. */
  private fitFile(file: string, bytes: number): void {
    privateDir(this.dir);
    const fd = openStateFile(file, constants.O_RDWR | constants.O_CREAT);
    try { ftruncateSync(fd, bytes); } finally { closeSync(fd); }
  }
}
