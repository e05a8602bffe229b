// The machine's USB devices as plain data: where each sits (bus, device number, and the port path
// Linux names it by in /sys/bus/usb/devices), its class and ids, as lsusb and sysfs show them.
// Each host controller's root hubs head their buses (the xHCI has a USB 2 and a USB 3 one, the
// EHCI one); what guests may do with the devices is the USB passthrough's.

export interface UsbDevice {
  bus: number;
  device: number;
  /** Linux's bus id: `usbN` for bus N's root hub, `N-P` for the device on its port P. */
  busid: string;
  /** bDeviceClass: 9 for a hub, 0 when each interface says its own. */
  deviceClass: number;
  vendor: number;
  product: number;
  /** The vendor and the product as usb.ids names them. */
  vendorName: string;
  productName: string;
}

/** bDeviceClass of a hub. */
export const USB_CLASS_HUB = 9;

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

const rootHub = (bus: number, usb3: boolean): UsbDevice => ({
  bus, device: 1, busid: `usb${bus}`, deviceClass: USB_CLASS_HUB, vendor: 0x1d6b, product: usb3 ? 0x0003 : 0x0002,
  vendorName: 'Linux Foundation', productName: `${usb3 ? '3.0' : '2.0'} root hub`,
});

/** The root hubs of the default machine's controllers: the xHCI's buses 1 (USB 2) and 2 (USB 3), the EHCI's bus 3. */
export const ROOT_HUBS: readonly UsbDevice[] = [rootHub(1, false), rootHub(2, true), rootHub(3, false)];

export const DEFAULT_USB: readonly UsbDevice[] = [
  { bus: 1, device: 2, busid: '1-1', deviceClass: 0, vendor: 0x046d, product: 0xc31c, vendorName: 'Logitech, Inc.', productName: 'Keyboard K120' },
  { bus: 1, device: 3, busid: '1-2', deviceClass: 0, vendor: 0x0781, product: 0x5567, vendorName: 'SanDisk Corp.', productName: 'Cruzer Blade' },
];

/** Every device on the machine's buses: the root hubs and the devices plugged in below them. */
export const busDevices = (devices: readonly UsbDevice[]): UsbDevice[] => [...ROOT_HUBS, ...devices];

/** What lsusb prints: one line a device, the highest bus and device first (libusb's order). */
export function formatLsusb(devices: readonly UsbDevice[]): string {
  return busDevices(devices)
    .sort((a, b) => b.bus - a.bus || b.device - a.device)
    .map(d => `Bus ${String(d.bus).padStart(3, '0')} Device ${String(d.device).padStart(3, '0')}: ID ${hex4(d.vendor)}:${hex4(d.product)} ${d.vendorName} ${d.productName}\n`)
    .join('');
}
