// PVUSB (libxl_usb.c): virtual USB controllers and host USB devices passed through to them.
// A controller is one of three kinds: `pv` (Linux usbback in Dom0: backend/vusb), `qusb`
// (QEMU's PV USB backend: backend/qusb) or `devicemodel` (an emulated UHCI/EHCI/XHCI inside
// an HVM guest's QEMU, known to xenstore only under /libxl). Dom0's kernel here is Debian's,
// which has no usbback, so a PV or PVH guest's controller defaults to qusb (as libxl picks it
// when usbback is not loaded) and an HVM guest's to devicemodel. A device is given to a
// controller by writing its host bus id into the controller's port/N key.
import type { UsbctrlInfo } from './device-info.ts';
import { LibxlError } from './errors.ts';
import { backendPath, frontendPath, removeDevice, waitXs, writeDevice } from './devices.ts';
import { dmCheckStart } from './device-model.ts';
import { nextDevid } from './vdev.ts';
import type { Toolstack } from './toolstack.ts';
import { busDevices, USB_CLASS_HUB, type UsbDevice } from '../../machine/usb.ts';

/** usbif.h */
const USBIF_MAX_PORTNR = 31;

type Ctrl = Record<string, any>;
type Usbdev = Record<string, any>;

const log = (line: number, fn: string, msg: string, domid?: number) =>
  `libxl: error: libxl_usb.c:${line}:${fn}: ${domid === undefined ? '' : `Domain ${domid}:`}${msg}`;
const fail = (lines: string) => new LibxlError('EINVAL', lines, 1);

/** Where a controller's ports are: its backend directory, or /libxl's for a devicemodel one. */
function portsDir(domid: number, c: Ctrl): string {
  return c.type === 'devicemodel' ? `/libxl/${domid}/device/vusb/${c.devid}` : backendPath(c.type === 'pv' ? 'vusb' : 'qusb', domid, c.devid);
}

/** libxl__device_usbctrl_setdefault. */
function setDefaultCtrl(ts: Toolstack, domid: number, c: Ctrl): void {
  const fn = 'libxl__device_usbctrl_setdefault';
  c.type ??= ts.records.get(domid)?.type === 'hvm' ? 'devicemodel' : 'qusb';
  if (c.type !== 'devicemodel') {
    c.version ||= 2;
    if (c.version < 1 || c.version > 2) throw fail(log(67, fn, 'USB version for paravirtualized devices must be 1 or 2'));
    c.ports ||= 8;
    if (c.ports < 1 || c.ports > USBIF_MAX_PORTNR) throw fail(log(75, fn, `Number of ports for USB controller is limited to ${USBIF_MAX_PORTNR}`));
    return;
  }
  c.version ||= 2;
  if (c.version === 1 || c.version === 2) {
    const fixed = c.version === 1 ? 2 : 6;
    if (c.ports && c.ports !== fixed) throw fail(log(c.version === 1 ? 88 : 98, fn, `Number of ports for USB controller of version ${c.version} is always ${fixed}`));
    c.ports = fixed;
  } else if (c.version === 3) {
    c.ports ||= 8;
    if (c.ports > 15) throw fail(log(110, fn, 'Number of ports for USB controller of version 3 is limited to 15'));
  } else throw fail(log(117, fn, 'Illegal USB version'));
}

/** libxl__device_usbctrl_add_xenstore: the controller's keys, and its frontend unless QEMU emulates it. */
async function addCtrlXenstore(ts: Toolstack, domid: number, c: Ctrl): Promise<void> {
  const keys: Record<string, string> = { type: c.type, 'usb-ver': String(c.version), 'num-ports': String(c.ports), port: '' };
  for (let i = 1; i <= c.ports; i++) keys[`port/${i}`] = '';
  if (c.type !== 'devicemodel') { await writeDevice(ts.xs, 'vusb', domid, c.devid, keys, {}, {}, c.type === 'pv' ? 'vusb' : 'qusb'); return; }
  const lx = `/libxl/${domid}/device/vusb/${c.devid}`;
  await ts.xs.transaction(async tx => {
    await ts.xs.mkdir(lx, tx);
    await ts.xs.setPerms(lx, ['n0'], tx);
    for (const [k, v] of Object.entries(keys)) await ts.xs.write(`${lx}/${k}`, v, tx);
  });
}

/** libxl__device_usbctrl_add: defaults, a devid, xenstore, and the wait for usbback (a PV controller only). */
async function addCtrl(ts: Toolstack, domid: number, c: Ctrl): Promise<void> {
  const rec = ts.records.get(domid)!;
  setDefaultCtrl(ts, domid, c);
  const ctrls: Ctrl[] = (rec.config.usbctrls ??= []);
  c.devid ??= nextDevid(ctrls);
  await dmCheckStart(ts, domid, { ...rec.config, usbctrls: [...ctrls, c] });
  await addCtrlXenstore(ts, domid, c);
  if (!ctrls.includes(c)) ctrls.push(c);
  if (c.type === 'pv') await waitXs(ts.xs, ts.hv.clock, `${backendPath('vusb', domid, c.devid)}/state`, v => v === '2' || v === '4', 'backend did not reach InitWait');
}

/** The host's USB devices, as sysfs lists them under /sys/bus/usb/devices: the machine's. */
export const hostUsbDevices = (ts: Toolstack): UsbDevice[] => busDevices(ts.hv.machine.usb);

const hostDevice = (ts: Toolstack, bus: number, addr: number) =>
  bus >= 1 && addr >= 1 ? hostUsbDevices(ts).find(d => d.bus === bus && d.device === addr) : undefined;

async function readPort(ts: Toolstack, domid: number, c: Ctrl, port: number): Promise<string | null> {
  return ts.xs.read(`${portsDir(domid, c)}/port/${port}`).catch(() => null);
}

/** libxl__device_usbdev_setdefault: the controller and port the device goes to (a new controller if none is free). */
async function setDefaultUsbdev(ts: Toolstack, domid: number, u: Usbdev): Promise<Ctrl> {
  const fn = 'libxl__device_usbdev_setdefault';
  const ctrls: Ctrl[] = ts.records.get(domid)!.config.usbctrls ?? [];
  if (u.ctrl === undefined || u.ctrl === -1) {
    if (u.port) throw fail(log(1166, fn, 'USB controller must be specified if you specify port', domid));
    for (const c of ctrls) {
      for (let p = 1; p <= c.ports; p++) if (await readPort(ts, domid, c, p) === '') { u.ctrl = c.devid; u.port = p; return c; }
    }
    const c: Ctrl = {};
    await addCtrl(ts, domid, c);
    u.ctrl = c.devid; u.port = 1;
    return c;
  }
  const c = ctrls.find(x => x.devid === u.ctrl);
  if (!c) throw fail('');
  if (u.port) {
    const v = await readPort(ts, domid, c, u.port);
    if (v !== null && v !== '') throw fail(log(1214, fn, "The controller port isn't available", domid));
    return c;
  }
  for (let p = 1; p <= c.ports; p++) if (await readPort(ts, domid, c, p) === '') { u.port = p; return c; }
  throw fail(log(1241, fn, 'No available port under specified controller', domid));
}

/** Every host device some domain's controller holds (get_assigned_devices). */
function assigned(ts: Toolstack): Usbdev[] {
  return [...ts.records.values()].flatMap(r => r.config.usbdevs ?? []);
}

/** libxl__device_usbdev_add. */
async function addUsbdev(ts: Toolstack, domid: number, u: Usbdev): Promise<void> {
  const fn = 'libxl__device_usbdev_add';
  const rec = ts.records.get(domid)!;
  const host = u['type.hostdev'] ?? {};
  const dev = hostDevice(ts, host.hostbus ?? 0, host.hostaddr ?? 0);
  if (!dev || dev.deviceClass === USB_CLASS_HUB) throw fail(log(1732, fn, 'USB device is not assignable.', domid));
  if (assigned(ts).some(a => a['type.hostdev']?.hostbus === dev.bus && a['type.hostdev']?.hostaddr === dev.device)) {
    throw fail(log(1746, fn, 'USB device already attached to a domain', domid));
  }
  const c = await setDefaultUsbdev(ts, domid, u);
  // pv would also take the device from its Dom0 driver for usbback, which this Dom0 lacks
  await ts.xs.write(`${portsDir(domid, c)}/port/${u.port}`, dev.busid);
  (rec.config.usbdevs ??= []).push({ ctrl: u.ctrl, port: u.port, 'type.hostdev': { hostbus: dev.bus, hostaddr: dev.device } });
}

/** The usbctrl= and usbdev= of xl.cfg, plugged at creation. */
export async function plugConfigUsb(ts: Toolstack, domid: number, config: Record<string, any>): Promise<void> {
  const devs: Usbdev[] = config.usbdevs ?? [];
  config.usbdevs = [];
  for (const c of [...config.usbctrls ?? []]) await addCtrl(ts, domid, c);
  for (const u of devs) await addUsbdev(ts, domid, { ...u });
}

/** Run `op` and commit; on a refusal, xl's line after libxl's. */
async function changing(ts: Toolstack, domid: number, what: string, op: () => Promise<void>): Promise<void> {
  const rec = ts.records.get(domid);
  if (!rec) throw fail(`${what} failed.`);
  const before = JSON.stringify({ c: rec.config.usbctrls, d: rec.config.usbdevs });
  try { await op(); } catch (e) {
    if (!(e instanceof LibxlError)) throw e;
    throw fail(`${e.message ? `${e.message}\n` : ''}${what} failed.`);
  }
  ts.commitOrUndo(domid, () => { const b = JSON.parse(before); rec.config.usbctrls = b.c; rec.config.usbdevs = b.d; });
}

export function attachUsbctrl(ts: Toolstack, domid: number, c: Ctrl): Promise<void> {
  return changing(ts, domid, 'libxl_device_usbctrl_add', () => addCtrl(ts, domid, { ...c, devid: undefined }));
}

export function attachUsbdev(ts: Toolstack, domid: number, u: Usbdev): Promise<void> {
  return changing(ts, domid, 'libxl_device_usbdev_add', () => addUsbdev(ts, domid, u));
}

/** libxl_device_usbdev_remove: the port emptied. */
export async function detachUsbdev(ts: Toolstack, domid: number, ctrl: number, port: number): Promise<void> {
  const rec = ts.records.get(domid);
  const devs: Usbdev[] = rec?.config.usbdevs ?? [];
  const u = devs.find(d => d.ctrl === ctrl && d.port === port);
  const c = (rec?.config.usbctrls ?? []).find((x: Ctrl) => x.devid === ctrl);
  if (!rec || !u || !c) throw fail(`Unknown device at controller ${ctrl} port ${port}.`);
  await ts.xs.write(`${portsDir(domid, c)}/port/${port}`, '');
  rec.config.usbdevs = devs.filter(d => d !== u);
  ts.commitOrUndo(domid, () => { rec.config.usbdevs = devs; });
}

/** libxl_device_usbctrl_remove: its devices first, then the controller. */
export async function detachUsbctrl(ts: Toolstack, domid: number, devid: number, id: string): Promise<void> {
  const rec = ts.records.get(domid);
  const ctrls: Ctrl[] = rec?.config.usbctrls ?? [];
  const c = ctrls.find(x => x.devid === devid);
  if (!rec || !c) throw fail(`Unknown device ${id}.`);
  for (const u of (rec.config.usbdevs ?? []).filter((d: Usbdev) => d.ctrl === devid)) await detachUsbdev(ts, domid, devid, u.port);
  if (c.type === 'devicemodel') await ts.xs.rm(`/libxl/${domid}/device/vusb/${devid}`).catch(() => {});
  else await removeDevice(ts.xs, ts.hv.clock, 'vusb', domid, devid, c.type === 'pv' ? 'vusb' : 'qusb');
  rec.config.usbctrls = ctrls.filter(x => x !== c);
  ts.commitOrUndo(domid, () => { rec.config.usbctrls = ctrls; });
}

/** libxl_device_usbctrl_list + getinfo, and each port's device (libxl_ctrlport_to_device_usbdev). */
export async function listUsb(ts: Toolstack, domid: number): Promise<UsbctrlInfo[]> {
  const rec = ts.records.get(domid);
  const out: UsbctrlInfo[] = [];
  for (const c of (rec?.config.usbctrls ?? []) as Ctrl[]) {
    const state = c.type === 'devicemodel' ? 0 : Number(await ts.xs.read(`${frontendPath('vusb', domid, c.devid)}/state`).catch(() => '-1'));
    const devices: UsbctrlInfo['devices'] = [];
    for (let p = 1; p <= c.ports; p++) {
      const busid = await readPort(ts, domid, c, p);
      const dev = hostUsbDevices(ts).find(d => d.busid === busid);
      devices.push(dev ? { hostbus: dev.bus, hostaddr: dev.device } : null);
    }
    out.push({ devid: c.devid, type: c.type, backendId: 0, state, version: c.version, ports: c.ports, devices });
  }
  return out;
}
