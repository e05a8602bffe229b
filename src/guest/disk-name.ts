// The names Linux gives a guest's disks. blkfront names a vbd from its virtual-device number: xvd
// plus letters, also for the emulated IDE and SCSI numbers (hda and sda are both xvda, as
// xen_translate_vdev does); libata names emulated IDE disks in probe order.

const XENVBD_MAJOR = 202, IDE0_MAJOR = 3, IDE1_MAJOR = 22, SCSI_DISK0_MAJOR = 8;
const SCSI_DISK1_7_MAJORS = [65, 71], SCSI_DISK8_15_MAJORS = [128, 135];
const EXTENDED = 1 << 28;

/** The disk's index among xvd names (0 = xvda), or undefined for a number blkfront refuses. */
function diskIndex(vdevice: number): number | undefined {
  if (vdevice & EXTENDED) return (vdevice & (EXTENDED - 1)) >> 8;
  const major = vdevice >> 8, minor = vdevice & 0xff;
  if (major === XENVBD_MAJOR) return minor >> 4;
  if (major === IDE0_MAJOR) return minor >> 6;
  if (major === IDE1_MAJOR) return (minor >> 6) + 2;
  if (major === SCSI_DISK0_MAJOR) return minor >> 4;
  if (major >= SCSI_DISK1_7_MAJORS[0]! && major <= SCSI_DISK1_7_MAJORS[1]!) return (minor >> 4) + (major - SCSI_DISK1_7_MAJORS[0]! + 1) * 16;
  if (major >= SCSI_DISK8_15_MAJORS[0]! && major <= SCSI_DISK8_15_MAJORS[1]!) return (minor >> 4) + (major - SCSI_DISK8_15_MAJORS[0]! + 8) * 16;
  return undefined;
}

/** a..z, then aa, ab, ...: encode_disk_name. */
function letters(n: number): string { return (n >= 26 ? letters(Math.floor(n / 26) - 1) : '') + String.fromCharCode(97 + (n % 26)); }

export function blkfrontDiskName(vdevice: number): string {
  const i = diskIndex(vdevice);
  return i === undefined ? `vbd-${vdevice}` : `xvd${letters(i)}`;
}

const EMULATED_IDE_DISKS = 4;

/** A disk as the guest's Linux sees it; an emulated IDE disk also has its slot (0 = primary master .. 3). */
export interface GuestDisk { name: string; ideSlot?: number }

/**
 * How a guest's Linux names its disks, given their virtual-device numbers in config order. Through
 * the PV drivers (PV and PVH guests, HVM guests with the Xen platform PCI device) blkfront names
 * them. Without them an HVM guest sees QEMU's emulated IDE disks (hda..hdd, the first four of any
 * vdev), which libata names sda, sdb, ... in the order it probes them.
 */
export function guestDisks(vdevices: number[], pvDrivers: boolean): GuestDisk[] {
  if (pvDrivers) return vdevices.map(v => ({ name: blkfrontDiskName(v) }));
  const ide = vdevices.map(diskIndex).filter((i): i is number => i !== undefined && i < EMULATED_IDE_DISKS).sort((a, b) => a - b);
  return ide.map((slot, n) => ({ name: `sd${letters(n)}`, ideSlot: slot }));
}

/**
 * An HVM guest's CD-ROM drives: QEMU's emulated IDE drives (the PV drivers leave them), which the
 * sr driver names sr0, sr1, ... in the order libata probes them.
 */
export function guestCdroms(vdevices: number[]): GuestDisk[] {
  const slots = vdevices.map(diskIndex).filter((i): i is number => i !== undefined && i < EMULATED_IDE_DISKS).sort((a, b) => a - b);
  return slots.map((slot, n) => ({ name: `sr${n}`, ideSlot: slot }));
}
