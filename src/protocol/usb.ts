// PVUSB as xl drives it (xl_usb.c over libxl_usb.c): virtual USB controllers and the host's USB
// devices given to them, port by port.

import type { UsbctrlInfo } from '../dom0/toolstack/device-info.ts';

export type { UsbctrlInfo } from '../dom0/toolstack/device-info.ts';

export interface UsbRequests {
  /** libxl_device_usbctrl_add of an xl-parsed libxl_device_usbctrl. */
  'usb.ctrlAttach': { args: { dom: string; usbctrl: Record<string, unknown> }; result: {} };
  'usb.ctrlDetach': { args: { dom: string; devid: number; id: string }; result: {} };
  /** libxl_device_usbdev_add of an xl-parsed libxl_device_usbdev. */
  'usb.devAttach': { args: { dom: string; usbdev: Record<string, unknown> }; result: {} };
  'usb.devDetach': { args: { dom: string; ctrl: number; port: number }; result: {} };
  'usb.list': { args: { dom: string }; result: UsbctrlInfo[] };
}
