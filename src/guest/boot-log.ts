// What a guest prints while it boots, by kind of guest. An HVM guest starts in firmware: hvmloader
// and then SeaBIOS (OVMF prints nothing there) write to Xen's debug port (0xe9), which lands in
// the hypervisor's console ring at guest debug level; then Linux logs to the console its command line names (ttyS0 on HVM, the
// PV console hvc0 on PV and PVH). Kernel lines are [seconds since the kernel started, line].
import { kernelStamp } from './printk.ts';
import { GUEST_UTS } from './uname.ts';
import type { GuestDisk } from './disk-name.ts';

type GuestType = 'pv' | 'pvh' | 'hvm';

export interface BootOptions {
  name: string;
  type: GuestType;
  vcpus: number;
  memMiB: number;
  /** The guest's disks as its Linux finds them, in order (the first holds the root file system). */
  disks: GuestDisk[];
  /** Disks reached through the Xen platform PCI device's PV drivers (HVM: emulated ones unplugged). */
  pvDisks: boolean;
  /** An HVM guest's emulated CD-ROM drives (never unplugged). */
  cdroms?: GuestDisk[];
  /** The PV kernel's command line from the config (PV and PVH); HVM guests get theirs from GRUB. */
  cmdline?: string;
  /** Domain uuid: the root file system's UUID on the HVM command line is derived from it. */
  uuid: string;
  /** An HVM guest's firmware: under OVMF, Linux boots through EFI. */
  firmware?: Firmware;
}

/** Seconds of simulated time a boot takes. */
export const BOOT_SECONDS = 2;
/** Seconds of simulated time a clean shutdown takes. */
export const SHUTDOWN_SECONDS = 1;

const LINUX_BANNER = `Linux version ${GUEST_UTS.release} (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0, ` +
  `GNU ld (GNU Binutils for Debian) 2.40) ${GUEST_UTS.version}`;

/** The HVM firmware hvmloader loads (xl.cfg bios=; qemu-xen's default is SeaBIOS). */
export type Firmware = 'seabios' | 'ovmf';

interface BiosImage {
  /** bios_config.name, as hvmloader prints it. */
  name: string;
  /** Where hvmloader put the image ("Main BIOS" in its BIOS map). */
  main: [number, number];
  /** Where the e820 table's low reserved region starts (the image's base below 1 MiB). */
  lowReserved: number;
  /** SeaBIOS keeps its info table in hvmloader's scratch space and has MP tables built; OVMF neither. */
  seabios: boolean;
}

const BIOSES: Record<Firmware, BiosImage> = {
  seabios: { name: 'SeaBIOS', main: [0xc0000, 0xfffff], lowReserved: 0xc0000, seabios: true },
  // Debian's 2 MiB OVMF.fd, placed to end at 4 GiB (ovmf_load); it reserves from LOWCHUNK_BEGIN.
  ovmf: { name: 'OVMF', main: [0xffe00000, 0xffffffff], lowReserved: 0xf0000, seabios: false },
};

/** What SeaBIOS prints on the debug port once invoked; a release OVMF prints nothing there. */
const SEABIOS_LINES = [
  'SeaBIOS (version 1.16.2-1)',
  'BUILD: gcc: (Debian 12.2.0-14) 12.2.0 binutils: (GNU Binutils for Debian) 2.40',
  '',
  'Found Xen hypervisor signature at 40000000',
  'Running on QEMU (i440fx)',
  'xen: copy e820...',
  'Searching bootorder for: HALT',
  'Booting from Hard Disk...',
  'Booting from 0000:7c00',
];

/** What hvmloader, then the firmware it invokes, print on the debug port before the guest's boot loader runs. */
export function firmwareLog(o: { memMiB: number; cpuMhz: number; firmware: Firmware }): string[] {
  const bios = BIOSES[o.firmware];
  const lowTop = Math.min(o.memMiB, 0xf0000000 / 2 ** 20) * 2 ** 20;
  const hex = (n: number) => n.toString(16).padStart(8, '0');
  return [
    'HVM Loader',
    'Detected Xen v4.17.7',
    'Xenbus rings @0xfeffc000, event channel 1',
    `System requested ${bios.name}`,
    `CPU speed is ${Math.round(o.cpuMhz)} MHz`,
    'Relocating guest memory for lowmem MMIO space disabled',
    'PCI-ISA link 0 routed to IRQ5',
    'PCI-ISA link 1 routed to IRQ10',
    'PCI-ISA link 2 routed to IRQ11',
    'PCI-ISA link 3 routed to IRQ5',
    'pci dev 01:3 INTA->IRQ10',
    'pci dev 02:0 INTA->IRQ11',
    'pci dev 04:0 INTA->IRQ5',
    'Multiprocessor initialisation:',
    'Writing SMBIOS tables ...',
    `Loading ${bios.name} ...`,
    ...(bios.seabios ? ['Creating MP tables ...'] : []),
    'Loading ACPI ...',
    'vm86 TSS at fc100300',
    'BIOS map:',
    ...(bios.seabios ? [' 10000-100e3: Scratch space'] : []),
    ` ${bios.main[0].toString(16).padStart(5, '0')}-${bios.main[1].toString(16).padStart(5, '0')}: Main BIOS`,
    'E820 table:',
    ' [00]: 00000000:00000000 - 00000000:000a0000: RAM',
    ` HOLE: 00000000:000a0000 - 00000000:${hex(bios.lowReserved)}`,
    ` [01]: 00000000:${hex(bios.lowReserved)} - 00000000:00100000: RESERVED`,
    ` [02]: 00000000:00100000 - 00000000:${hex(lowTop)}: RAM`,
    ' HOLE: 00000000:' + hex(lowTop) + ' - 00000000:fc000000',
    ' [03]: 00000000:fc000000 - 00000001:00000000: RESERVED',
    `Invoking ${bios.name} ...`,
    ...(bios.seabios ? SEABIOS_LINES : []),
  ];
}

/** A deterministic filesystem UUID for the guest's root partition. */
function rootUuid(domainUuid: string): string {
  const h = domainUuid.replace(/-/g, '').split('').reverse().join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Kernel lines that differ by kind of guest: how Linux finds it is on Xen, and its disks. */
function platformLines(o: BootOptions, root: string): [number, string][] {
  if (o.type !== 'hvm') {
    return [
      [0.0, `Command line: ${o.cmdline ?? `root=/dev/${root}1 ro console=hvc0`}`],
      ...(o.type === 'pvh'
        ? [[0.0, 'Hypervisor detected: Xen PVH'], [0.0, 'Xen version 4.17.'], [0.0, 'Booting paravirtualized kernel on Xen PVH']] as [number, string][]
        : [[0.0, 'Booting paravirtualized kernel on Xen'], [0.0, 'Xen version: 4.17.7 (preserve-AD)']] as [number, string][]),
    ];
  }
  return [
    [0.0, `Command line: BOOT_IMAGE=/boot/vmlinuz-${GUEST_UTS.release} root=UUID=${rootUuid(o.uuid)} ro console=tty0 console=ttyS0,115200n8`],
    ...(o.firmware === 'ovmf' ? [[0.0, 'efi: EFI v2.70 by EDK II']] as [number, string][] : []),
    [0.0, 'DMI: Xen HVM domU, BIOS 4.17.7 11/03/2025'],
    [0.0, 'Hypervisor detected: Xen HVM'],
    [0.0, 'Xen version 4.17.'],
    // The PV drivers ask QEMU (through the platform device's I/O port) to unplug the emulated disks and NICs.
    ...(o.pvDisks ? [
      [0.0, 'Xen Platform PCI: I/O protocol version 1'],
      [0.0, 'Netfront and the Xen platform PCI driver have been compiled for this kernel: unplug emulated NICs.'],
      [0.0, 'Blkfront and the Xen platform PCI driver have been compiled for this kernel: unplug emulated disks.'],
      [0.0, 'You might have to change the root device'], [0.0, 'from /dev/hd[a-d] to /dev/xvd[a-d]'],
      [0.0, 'in your root= kernel command line option'],
    ] as [number, string][] : []),
    [0.0, 'Booting paravirtualized kernel on Xen HVM'],
  ];
}

/** How the guest's disks come up: blkfront for PV drivers, ata_piix for QEMU's emulated IDE (disks and CD-ROM drives). */
function diskLines(o: BootOptions): [number, string][] {
  const lines: [number, string][] = [];
  const cdroms = o.cdroms ?? [];
  if (o.pvDisks) {
    for (const { name: d } of o.disks) {
      lines.push([0.6, `blkfront: ${d}: flush diskcache: enabled; persistent grants: enabled; indirect descriptors: enabled; bounce buffer: disabled;`],
        [0.6, ` ${d}: ${d}1`]);
    }
  }
  const ide = o.pvDisks ? [] : o.disks;
  if (!o.pvDisks || cdroms.length) {
    lines.push([0.5, 'ata_piix 0000:00:01.1: version 2.13'], [0.5, 'scsi host0: ata_piix'], [0.5, 'scsi host1: ata_piix'],
      [0.5, 'ata1: PATA max MWDMA2 cmd 0x1f0 ctl 0x3f6 bmdma 0xc120 irq 14'],
      [0.5, 'ata2: PATA max MWDMA2 cmd 0x170 ctl 0x376 bmdma 0xc128 irq 15']);
  }
  // ataN.0M: channel (host) N-1, device M; the SCSI address follows.
  const scsi = (i: number) => `${i >> 1}:0:${i & 1}:0`;
  for (const { name: d, ideSlot: i = 0 } of ide) {
    lines.push([0.6, `ata${(i >> 1) + 1}.0${i & 1}: ATA-7: QEMU HARDDISK, 2.5+, max UDMA/100`],
      [0.6, `scsi ${scsi(i)}: Direct-Access     ATA      QEMU HARDDISK    2.5+ PQ: 0 ANSI: 5`],
      [0.6, `sd ${scsi(i)}: [${d}] Attached SCSI disk`], [0.6, ` ${d}: ${d}1`]);
  }
  for (const [n, { name: d, ideSlot: i = 0 }] of cdroms.entries()) {
    lines.push([0.6, `ata${(i >> 1) + 1}.0${i & 1}: ATAPI: QEMU DVD-ROM, 2.5+, max UDMA/100`],
      [0.6, `scsi ${scsi(i)}: CD-ROM            QEMU     QEMU DVD-ROM     2.5+ PQ: 0 ANSI: 5`],
      [0.6, `sr ${scsi(i)}: [${d}] scsi3-mmc drive: 4x/4x cd/rw xa/form2 tray`],
      ...(n === 0 ? [[0.6, 'cdrom: Uniform CD-ROM driver Revision: 3.20']] as [number, string][] : []),
      [0.6, `sr ${scsi(i)}: Attached scsi CD-ROM ${d}`]);
  }
  if (o.pvDisks) lines.push([0.8, 'xen_netfront: Initialising Xen virtual ethernet driver']);
  return lines;
}

/** The kernel's console log of one boot, each line stamped as printk does. */
export function bootLog(o: BootOptions): [number, string][] {
  const root = o.disks[0]?.name ?? 'xvda';
  const lines: [number, string][] = [
    [0.0, LINUX_BANNER],
    ...platformLines(o, root),
    [0.0, `Memory: ${o.memMiB * 1024}K available`],
    [0.01, 'smp: Bringing up secondary CPUs ...'],
    [0.02, `smp: Brought up 1 node, ${o.vcpus} CPU${o.vcpus === 1 ? '' : 's'}`],
    ...(o.type === 'hvm' ? [[0.1, 'Serial: 8250/16550 driver, 4 ports, IRQ sharing enabled'], [0.1, '00:05: ttyS0 at I/O 0x3f8 (irq = 4, base_baud = 115200) is a 16550A']] as [number, string][] : []),
    [0.2, 'xen:balloon: Initialising balloon driver'],
    [0.3, 'xen:grant_table: Grant tables using version 1 layout'],
    ...diskLines(o),
    [1.0, `EXT4-fs (${root}1): mounted filesystem with ordered data mode. Quota mode: none.`],
    [1.2, 'Run /sbin/init as init process'],
    [1.5, `systemd[1]: Hostname set to <${o.name}>.`],
    [1.9, 'systemd[1]: Reached target Multi-User System.'],
  ];
  return lines.map(([s, l]) => [s, `${kernelStamp(s)} ${l}`]);
}
