// The device model (QEMU) libxl starts for a domain: always for HVM, and for a PV or PVH guest
// when one of its devices needs a QEMU backend (libxl__need_xenpv_qemu). Once running it is
// recorded as image/device-model-pid, which later hot-plugs check (libxl__dm_check_start), and
// its VNC server's address is published as console/vnc-listen and vnc-port (from QMP
// query-vnc), where `xl vncviewer` finds it (with the password, when there is one).
import type { Toolstack } from './toolstack.ts';
import { LibxlError } from './errors.ts';

/** The first VNC display QEMU tries (`-vnc 127.0.0.1:0,to=99`): 5900 + display, or the next free. */
const VNC_BASE_PORT = 5900;

/** Does a PV/PVH config need a QEMU? (vfbs, 9pfs, QEMU vkbs, qdisks, qusb controllers, channels) */
export function needXenpvQemu(c: Record<string, any>): boolean {
  if (c.vfbs?.length || c.p9s?.length || c.channels?.length) return true;
  return (c.vkbs ?? []).some((k: any) => (k.backend_type ?? 'qemu') === 'qemu')
    || (c.disks ?? []).some((d: any) => d.backend === 'qdisk')
    // an unset type becomes qusb on a PV guest here (Dom0 has no usbback: see usb.ts)
    || (c.usbctrls ?? []).some((u: any) => (u.type ?? 'qusb') === 'qusb');
}

/** libxl__dm_vnc: the VNC settings QEMU serves, or null when the domain has no VNC. */
function vncOf(c: Record<string, any>, hvm: boolean): Record<string, any> | null {
  // both default to enabled (libxl's setdefault of the HVM VNC and of a vfb)
  const vnc = hvm ? c.b_info?.['type.hvm']?.vnc ?? {} : c.vfbs?.length ? c.vfbs[0].vnc ?? {} : null;
  return vnc && vnc.enable !== 'False' ? vnc : null;
}

const dmPidPath = (domid: number) => `/local/domain/${domid}/image/device-model-pid`;

/** Start the domain's QEMU if it needs one, as libxl does after building it. */
export async function startDeviceModel(ts: Toolstack, domid: number, c: Record<string, any>, hvm: boolean): Promise<void> {
  if (!hvm && !needXenpvQemu(c)) return;
  const xs = ts.xs;
  // QEMU runs in Dom0 as one more process; its pid is a stand-in, stable per domain
  await xs.write(dmPidPath(domid), String(4000 + domid));
  const vnc = vncOf(c, hvm);
  if (!vnc) return;
  const taken = new Set<number>();
  for (const other of ts.records.keys()) {
    if (other === domid) continue;
    const p = await xs.read(`/local/domain/${other}/console/vnc-port`).catch(() => null);
    if (p !== null) taken.add(Number(p));
  }
  let port = VNC_BASE_PORT + (vnc.display ?? 0);
  if (vnc.findunused !== 'False') while (taken.has(port)) port++;
  await xs.write(`/local/domain/${domid}/console/vnc-listen`, vnc.listen ?? '127.0.0.1');
  await xs.write(`/local/domain/${domid}/console/vnc-port`, String(port));
  if (vnc.passwd) await xs.write(`/local/domain/${domid}/console/vnc-pass`, vnc.passwd);
}

/** What libxl_vncviewer_exec reads before it runs the viewer. */
export async function vncInfo(ts: Toolstack, domid: number, autopass: boolean): Promise<{ listen: string; port: number; password: string | null }> {
  const read = (k: string) => ts.xs.read(`/local/domain/${domid}/console/${k}`).catch(() => null);
  const port = await read('vnc-port');
  if (port === null) throw new LibxlError('ENOENT', `libxl: error: libxl_console.c:201:libxl_vncviewer_exec: Domain ${domid}:Cannot get vnc-port`, 1);
  return { listen: await read('vnc-listen') ?? 'localhost', port: Number(port), password: autopass ? await read('vnc-pass') : null };
}

/** libxl__dm_check_start: a hot-plug whose device needs QEMU, on a domain without one, fails. */
export async function dmCheckStart(ts: Toolstack, domid: number, c: Record<string, any>): Promise<void> {
  if (await ts.xs.read(dmPidPath(domid)).catch(() => null) !== null) return;
  if (ts.records.get(domid)?.type !== 'hvm' && !needXenpvQemu(c)) return;
  throw new LibxlError('EDM', `libxl: error: libxl_dm.c:3842:libxl__dm_check_start: Domain ${domid}:device model required but not running`, 1);
}
