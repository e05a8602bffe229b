// `xl qemu-monitor-command`: libxl sends QMP human-monitor-command to the domain's QEMU, which
// answers an HMP command line with text. xenlab's QEMU answers a subset — `info pci`,
// `info block`, `info usb` — from the devices it emulates for the domain (an i440FX machine
// with PIIX3 IDE, the Xen platform device, Cirrus VGA, emulated NICs, USB controllers), in
// QEMU 7's formats; HMP's lines end in CRLF. A domain without QEMU has no QMP socket to reach.
import type { Toolstack } from './toolstack.ts';
import { LibxlError } from './errors.ts';
import { hostUsbDevices } from './usb.ts';
import type { UsbDevice } from '../../machine/usb.ts';

interface Bar { bar: number; io: boolean; addr: number; size: number; prefetch?: boolean }
interface EmulatedPci { slot: number; fn: number; desc: string; vendor: number; device: number; irq?: number; bars: Bar[]; id?: string }

const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');

/** hvmloader routes INTA of slot N to PCI link (N & 3), each link to an ISA IRQ (5, 10, 11). */
const intaIrq = (slot: number) => [5, 10, 11, 5][slot & 3]!;

/** QEMU's xenfv machine for an HVM config: the fixed i440FX devices, then VGA, NICs, USB. */
function hvmPciDevices(c: Record<string, any>): EmulatedPci[] {
  const devs: EmulatedPci[] = [
    { slot: 0, fn: 0, desc: 'Host bridge', vendor: 0x8086, device: 0x1237, bars: [] },
    { slot: 1, fn: 0, desc: 'ISA bridge', vendor: 0x8086, device: 0x7000, bars: [] },
    { slot: 1, fn: 1, desc: 'IDE controller', vendor: 0x8086, device: 0x7010, bars: [{ bar: 4, io: true, addr: 0xc200, size: 16 }] },
    { slot: 1, fn: 3, desc: 'Bridge', vendor: 0x8086, device: 0x7113, irq: 9, bars: [] },
    // the Xen platform device: class ff80 has no name in QEMU's table
    { slot: 2, fn: 0, desc: 'Class ff80', vendor: 0x5853, device: 0x0001, irq: intaIrq(2), bars: [
      { bar: 0, io: true, addr: 0xc000, size: 256 }, { bar: 1, io: false, addr: 0xf0000000, size: 0x1000000, prefetch: true }] },
    { slot: 3, fn: 0, desc: 'VGA controller', vendor: 0x1013, device: 0x00b8, bars: [
      { bar: 0, io: false, addr: 0xf1000000, size: 0x2000000, prefetch: true }, { bar: 1, io: false, addr: 0xf3050000, size: 0x1000 },
      { bar: 6, io: false, addr: 0xffff0000, size: 0x10000 }] },
  ];
  let slot = 4;
  (c.nics ?? []).forEach((n: Record<string, any>, i: number) => {
    const e1000 = n.model === 'e1000';
    devs.push({ slot, fn: 0, desc: 'Ethernet controller', vendor: e1000 ? 0x8086 : 0x10ec, device: e1000 ? 0x100e : 0x8139, irq: intaIrq(slot++),
      bars: [{ bar: 0, io: true, addr: 0xc100 + 0x100 * i, size: 256 }, { bar: 1, io: false, addr: 0xf3051000 + 0x1000 * i, size: 256 }], id: `nic${i}` });
  });
  for (const u of (c.usbctrls ?? []) as Record<string, any>[]) {
    if (u.type !== 'devicemodel') continue;
    // piix3-usb-uhci, usb-ehci (ICH4) or qemu-xhci
    const device = u.version === 1 ? 0x7020 : u.version === 2 ? 0x24cd : 0x000d;
    const desc = 'USB controller';
    devs.push({ slot, fn: 0, desc, vendor: u.version === 3 ? 0x1b36 : 0x8086, device, irq: intaIrq(slot++), id: `xenusb-${u.devid}`,
      bars: [{ bar: 0, io: false, addr: 0xf3060000 + 0x4000 * u.devid, size: 0x4000 }] });
  }
  return devs;
}

function infoPci(c: Record<string, any>): string {
  return hvmPciDevices(c).map(d => {
    let t = `  Bus  0, device ${String(d.slot).padStart(3)}, function ${d.fn}:\n    ${d.desc}: PCI device ${hex(d.vendor, 4)}:${hex(d.device, 4)}\n`;
    t += '      PCI subsystem 5853:0001\n';
    if (d.irq !== undefined) t += `      IRQ ${d.irq}, pin A\n`;
    for (const b of d.bars) {
      t += b.io ? `      BAR${b.bar}: I/O at 0x${hex(b.addr, 4)} [0x${hex(b.addr + b.size - 1, 4)}].\n`
        : `      BAR${b.bar}: 32 bit${b.prefetch ? ' prefetchable' : ''} memory at 0x${hex(b.addr, 8)} [0x${hex(b.addr + b.size - 1, 8)}].\n`;
    }
    return t + `      id "${d.id ?? ''}"\n`;
  }).join('');
}

/** The IDE drive a disk is given to QEMU as (libxl: if=ide, index = the disk's number). */
function ideName(vdev: string, cdrom: boolean): string | null {
  const m = /^(?:hd|xvd|sd)([a-d])$/.exec(vdev);
  if (!m) return null;
  const index = m[1]!.charCodeAt(0) - 97;
  return `ide${index >> 1}-${cdrom ? 'cd' : 'hd'}${index & 1}`;
}

function infoBlock(c: Record<string, any>): string {
  const blocks: string[] = [];
  (c.disks ?? []).forEach((d: Record<string, any>, i: number) => {
    const name = ideName(d.vdev ?? '', !!d.is_cdrom);
    if (!name) return;
    const attached = `    Attached to:      /machine/unattached/device[${23 + i}]\n`;
    const removable = d.is_cdrom ? '    Removable device: not locked, tray closed\n' : '';
    if (!d.pdev_path) { blocks.push(`${name}: [not inserted]\n${attached}${removable}`); return; }
    const ro = d.readwrite ? '' : ', read-only';
    blocks.push(`${name} (#block${100 + 20 * i}): ${d.pdev_path} (${d.format ?? 'raw'}${ro})\n${attached}${removable}    Cache mode:       writeback\n`);
  });
  return blocks.join('\n');
}

function infoUsb(c: Record<string, any>, usb: readonly UsbDevice[]): string {
  const ctrls = ((c.usbctrls ?? []) as Record<string, any>[]).filter(u => u.type === 'devicemodel');
  if (!ctrls.length) return 'USB support not enabled\n';
  let addr = 0;
  return ((c.usbdevs ?? []) as Record<string, any>[]).map(u => {
    const host = usb.find(d => d.bus === u['type.hostdev']?.hostbus && d.device === u['type.hostdev']?.hostaddr);
    const ctrl = ctrls.find(x => x.devid === u.ctrl);
    if (!host || !ctrl) return '';
    const speed = ctrl.version === 1 ? '12' : ctrl.version === 2 ? '480' : '5000';
    // usb-host reports the device's own product string
    return `  Device ${ctrls.indexOf(ctrl)}.${++addr}, Port ${u.port}, Speed ${speed} Mb/s, Product ${host.productName}, ID: xenusb-${u.ctrl}-${u.port}\n`;
  }).join('');
}

const HMP: Record<string, (c: Record<string, any>, usb: readonly UsbDevice[]) => string> = { 'info pci': infoPci, 'info block': infoBlock, 'info usb': infoUsb };

/** libxl_qemu_monitor_command: the HMP output (CRLF line ends, as QEMU's monitor writes them). */
export async function qemuMonitorCommand(ts: Toolstack, domid: number, command: string): Promise<string> {
  const rec = ts.records.get(domid);
  const pid = await ts.xs.read(`/local/domain/${domid}/image/device-model-pid`).catch(() => null);
  if (!rec || pid === null) {
    throw new LibxlError('ENOENT', `libxl: error: libxl_qmp.c:1334:qmp_ev_lock_aquired: Domain ${domid}:Failed to connect to QMP socket /var/run/xen/qmp-libxl-${domid}: No such file or directory`, 1);
  }
  const words = command.trim().split(/\s+/);
  const known = HMP[words.join(' ')];
  // a PV guest's QEMU (the xenpv machine) only serves backends: no PCI, IDE or USB to show
  const text = known ? (rec.type === 'hvm' ? known(rec.config, hostUsbDevices(ts)) : '')
    : `unknown command: '${words[0] === 'info' ? words.slice(0, 2).join(' ') : words[0]}'\n`;
  return text.replace(/\n/g, '\r\n');
}
