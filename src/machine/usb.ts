// The machine's USB devices as plain data: which bus and device number each has and its ids, as
// lsusb shows them. Each host controller's root hubs head their buses (the xHCI has a USB 2 and
// a USB 3 one, the EHCI one); what guests may do with the devices is the USB passthrough's.

export interface UsbDevice {
  bus: number;
  device: number;
  vendor: number;
  product: number;
  /** The vendor and product as usb.ids names them. */
  name: string;
}

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

const rootHub = (bus: number, usb3: boolean): UsbDevice =>
  ({ bus, device: 1, vendor: 0x1d6b, product: usb3 ? 0x0003 : 0x0002, name: `Linux Foundation ${usb3 ? '3.0' : '2.0'} root hub` });

/** The root hubs of the default machine's controllers: the xHCI's buses 1 (USB 2) and 2 (USB 3), the EHCI's bus 3. */
export const ROOT_HUBS: readonly UsbDevice[] = [rootHub(1, false), rootHub(2, true), rootHub(3, false)];

export const DEFAULT_USB: readonly UsbDevice[] = [
  { bus: 1, device: 2, vendor: 0x046d, product: 0xc31c, name: 'Logitech, Inc. Keyboard K120' },
  { bus: 1, device: 3, vendor: 0x0781, product: 0x5581, name: 'SanDisk Corp. Ultra' },
];

/** What lsusb prints: one line a device, the highest bus and device first (libusb's order). */
export function formatLsusb(devices: readonly UsbDevice[]): string {
  return [...ROOT_HUBS, ...devices]
    .sort((a, b) => b.bus - a.bus || b.device - a.device)
    .map(d => `Bus ${String(d.bus).padStart(3, '0')} Device ${String(d.device).padStart(3, '0')}: ID ${hex4(d.vendor)}:${hex4(d.product)} ${d.name}\n`)
    .join('');
}
