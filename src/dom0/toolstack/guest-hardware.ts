// What a new domain's stored config gives its guest to find when it starts: the disks it sees
// (by virtual-device number), whether QEMU gives an HVM guest a serial pty and the Xen platform
// PCI device, and the PV kernel's command line.
import type { DomainRecord } from './toolstack.ts';
import { vdevToDevid } from './device-ids.ts';

export interface GuestHardware {
  disks: number[];
  /** An HVM guest's CD-ROM drives (QEMU's emulated IDE drives), by virtual-device number. */
  cdroms: number[];
  /** serial='pty' (or a serial list starting with it): QEMU's first UART behind a pty. */
  serialPty: boolean;
  /** xen_platform_pci (default on): the device HVM guests' PV drivers bind to. */
  platformPci: boolean;
  cmdline?: string;
  /** bios= of an HVM guest: the firmware hvmloader loads (qemu-xen's default SeaBIOS). */
  firmware: 'seabios' | 'ovmf';
}

export function guestHardware(rec: DomainRecord): GuestHardware {
  const b = rec.config.b_info ?? {};
  const hvm = b['type.hvm'] ?? {};
  const serial = hvm.serial ?? hvm.serial_list?.[0];
  const devids = (emulatedCdroms: boolean) => (rec.config.disks ?? []).flatMap((d: { vdev?: string; is_cdrom?: number }) => {
    const n = d.vdev === undefined ? undefined : vdevToDevid(d.vdev);
    return n === undefined || (rec.type === 'hvm' && !!d.is_cdrom) !== emulatedCdroms ? [] : [n];
  });
  return {
    disks: devids(false),
    cdroms: devids(true),
    serialPty: rec.type === 'hvm' && serial === 'pty',
    platformPci: hvm.xen_platform_pci !== 'False',
    cmdline: typeof b.cmdline === 'string' ? b.cmdline : undefined,
    firmware: hvm.bios === 'ovmf' ? 'ovmf' : 'seabios',
  };
}
