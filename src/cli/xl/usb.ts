// PVUSB commands (xl_usb.c): usbctrl-attach/-detach, usbdev-attach/-detach and usb-list. xl
// parses the controller or device; the daemon's libxl places it and answers the real refusals.
import { findDomain, parseArgs, type CommandRun } from './command.ts';
import { atoi } from '../../formats/libc/strtol.ts';
import { left as l } from './printf.ts';
import type { UsbctrlInfo } from '../../protocol/usb.ts';

const usbctrlAttach: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: '' }, 1);
  const domid = await findDomain(ctx, p.positionals[0]!);
  const { applyUsbctrlToken } = await import('../../formats/domain-config/devices-extra.ts');
  const usbctrl: Record<string, unknown> = {};
  for (const t of p.positionals.slice(1)) {
    const refused = applyUsbctrlToken(usbctrl, t);
    if (refused !== null) { ctx.io.err(`${refused}\n`); return 1; }
  }
  await (await ctx.daemon()).request('usb.ctrlAttach', { dom: String(domid), usbctrl });
  return 0;
};

const usbctrlDetach: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: '' }, 2);
  const domid = await findDomain(ctx, p.positionals[0]!);
  await (await ctx.daemon()).request('usb.ctrlDetach', { dom: String(domid), devid: atoi(p.positionals[1]!), id: p.positionals[1]! });
  return 0;
};

const usbdevAttach: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: '' }, 2);
  const domid = await findDomain(ctx, p.positionals[0]!);
  const { applyUsbdevToken, usbdevJson } = await import('../../formats/domain-config/devices-extra.ts');
  const usbdev: Record<string, unknown> = { ctrl: -1 };
  const host: Record<string, unknown> = {};
  for (const t of p.positionals.slice(1)) {
    const refused = applyUsbdevToken(usbdev, host, t);
    if (refused !== null) { ctx.io.err(`${refused}\n`); return 1; }
  }
  await (await ctx.daemon()).request('usb.devAttach', { dom: String(domid), usbdev: usbdevJson(usbdev, host) });
  return 0;
};

const usbdevDetach: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: '' }, 3);
  const domid = await findDomain(ctx, p.positionals[0]!);
  const ctrl = atoi(p.positionals[1]!), port = atoi(p.positionals[2]!);
  if (p.positionals.length > 3) { ctx.io.err('Invalid arguments.\n'); return 1; }
  await (await ctx.daemon()).request('usb.devDetach', { dom: String(domid), ctrl, port });
  return 0;
};

/** One controller: its header and row, then each port (a device as its bus and address in hex). */
export function formatUsbctrl(c: UsbctrlInfo): string {
  let t = `${l('Devid', 6)} ${l('Type', 12)} ${l('BE', 3)} ${l('state', 5)} ${l('usb-ver', 7)} ${l('ports', 5)}\n`;
  t += `${l(String(c.devid), 6)} ${l(c.type, 12)} ${l(String(c.backendId), 3)} ${l(String(c.state), 5)} ${l(String(c.version), 7)} ${l(String(c.ports), 5)}\n`;
  const hex = (n: number) => n.toString(16).padStart(3, '0');
  c.devices.forEach((d, i) => { t += `  Port ${i + 1}:${d ? ` Bus ${hex(d.hostbus)} Device ${hex(d.hostaddr)}` : ''}\n`; });
  return t;
}

const usbList: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: '' }, 1);
  const domid = await findDomain(ctx, p.positionals[0]!);
  // exit(-1)
  if (p.positionals.length > 1) { ctx.io.err('Invalid arguments.\n'); return 255; }
  const ctrls = await (await ctx.daemon()).request('usb.list', { dom: String(domid) });
  ctx.io.out(ctrls.map(formatUsbctrl).join(''));
  return 0;
};

export const usbCommands: Record<string, CommandRun> = {
  'usbctrl-attach': usbctrlAttach, 'usbctrl-detach': usbctrlDetach,
  'usbdev-attach': usbdevAttach, 'usbdev-detach': usbdevDetach, 'usb-list': usbList,
};
