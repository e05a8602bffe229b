// usbctrl-attach/-detach, usbdev-attach/-detach, usb-list.
import type { Handlers } from './context.ts';

export const usbHandlers: Handlers = {
  'usb.ctrlAttach': async (host, a) => { await host.toolstack.attachUsbctrl(host.toolstack.resolve(a.dom), a.usbctrl); return {}; },
  'usb.ctrlDetach': async (host, a) => { await host.toolstack.detachUsbctrl(host.toolstack.resolve(a.dom), a.devid, a.id); return {}; },
  'usb.devAttach': async (host, a) => { await host.toolstack.attachUsbdev(host.toolstack.resolve(a.dom), a.usbdev); return {}; },
  'usb.devDetach': async (host, a) => { await host.toolstack.detachUsbdev(host.toolstack.resolve(a.dom), a.ctrl, a.port); return {}; },
  'usb.list': (host, a) => host.toolstack.listUsb(host.toolstack.resolve(a.dom)),
};
