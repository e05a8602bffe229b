// Devices as libxl handles them (libxl_device.c, libxl_nic.c, libxl_disk.c): the plumbing — the
// backend and frontend directories written in one transaction (state 1), a wait for the backend
// driver (state 2), the hotplug script, and the wait for the handshake to reach Connected; unplug
// through Closing/Closed — and the operations on a running guest: hot-plug, unplug, getinfo.
import type { XsClient } from '../../formats/xenstore-client.ts';
import type { Clock } from '../../machine/clock.ts';
import { isAbsolute, join } from 'node:path';
import { LibxlError } from './errors.ts';
import { vdevToDevid } from './device-ids.ts';
import { runHotplug } from '../hotplug.ts';
import type { DrbdResources } from '../drbd/resources.ts';
import { fillDeviceDefaults } from './create.ts';
import type { Toolstack } from './toolstack.ts';
import type { DeviceInfo } from './types.ts';
import type { HostBlockDevices } from '../lvm/host-block.ts';
import { addEmulatedCdrom, removeEmulatedCdrom } from './cdrom.ts';
import { resolveBackend } from './driver-domain.ts';

export type DeviceKind = 'vif' | 'vbd';

const DEVICE_TIMEOUT_NS = 10_000_000_000n;

/** `backendDomid`: the domain running the backend, Dom0 or a driver domain (its home holds the directory). */
export function backendPath(kind: string, domid: number, devid: number, backendDomid = 0): string { return `/local/domain/${backendDomid}/backend/${kind}/${domid}/${devid}`; }
export function frontendPath(kind: string, domid: number, devid: number): string { return `/local/domain/${domid}/device/${kind}/${devid}`; }

/**
 * libxl__device_generic_add; `backendKind` names the backend's directory where it is not `kind`'s
 * (vkb's vinput; an HVM guest's CD-ROM: qdisk for a vbd). The backend's domain owns the backend
 * directory and may read the frontend's; the guest owns its frontend and may read the backend.
 */
export async function writeDevice(xs: XsClient, kind: string, domid: number, devid: number, back: Record<string, string>, front: Record<string, string>, frontRo: Record<string, string> = {}, backendKind = kind, backendDomid = 0): Promise<void> {
  const be = backendPath(backendKind, domid, devid, backendDomid);
  const bd = String(backendDomid);
  // console 0 is the primary console, outside device/ and read-only to the guest; the others (channels) are devices
  const primary = kind === 'console' && devid === 0;
  const fe = primary ? `/local/domain/${domid}/console` : frontendPath(kind, domid, devid);
  const lx = `/libxl/${domid}/device/${kind}/${devid}`;
  await xs.transaction(async tx => {
    const b = { frontend: fe, 'frontend-id': String(domid), online: '1', state: '1', ...back };
    await xs.mkdir(be, tx);
    await xs.setPerms(be, [`n${bd}`, `r${domid}`], tx);
    for (const [k, v] of Object.entries(b)) await xs.write(`${be}/${k}`, v, tx);
    await xs.mkdir(fe, tx);
    await xs.setPerms(fe, primary ? [`n${bd}`, `r${domid}`] : [`n${domid}`, `r${bd}`], tx);
    const f = { backend: be, 'backend-id': bd, ...(primary ? {} : { state: '1' }), ...front };
    for (const [k, v] of Object.entries(f)) await xs.write(`${fe}/${k}`, v, tx);
    if (primary) await xs.setPerms(`${fe}/backend-id`, [`n${domid}`, `r${bd}`], tx);
    for (const [k, v] of Object.entries(frontRo)) { await xs.write(`${fe}/${k}`, v, tx); await xs.setPerms(`${fe}/${k}`, [`n${bd}`, `r${domid}`], tx); }
    await xs.mkdir(lx, tx);
    await xs.setPerms(lx, ['n0'], tx);
    for (const [k, v] of Object.entries({ ...b, backend: be })) await xs.write(`${lx}/${k}`, v, tx);
  });
}

/** Resolve when `path` satisfies `ok`, or fail after the simulated timeout. */
export async function waitXs(xs: XsClient, clock: Clock, path: string, ok: (v: string | null) => boolean, what: string): Promise<string | null> {
  const token = `wait-${path}-${Math.random().toString(36).slice(2)}`;
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (v: string | null, e?: Error) => {
      if (done) return; done = true;
      off(); clock.cancel(timer); void xs.unwatch(path, token).catch(() => {});
      e ? reject(e) : resolve(v);
    };
    const check = async () => {
      let v: string | null;
      try { v = await xs.read(path); } catch { v = null; }
      if (ok(v)) finish(v);
    };
    const off = xs.onWatchEvent((_p, t) => { if (t === token) void check(); });
    const timer = clock.after(DEVICE_TIMEOUT_NS, () => finish(null, new LibxlError('ETIMEDOUT', `libxl: error: libxl_device.c:1138:device_backend_callback: Domain ${path.split('/')[5] ?? '?'}:unable to add device with path ${path.replace(/\/state$/, '')}: ${what}`, 3)));
    void xs.watch(path, token).catch(e => finish(null, e));
  });
}

export interface NicSpec { devid: number; mac: string; backend_domid?: number; bridge?: string; rate_bytes_per_interval?: number; rate_interval_usecs?: number; mtu?: number; ip?: string; script?: string; vifname?: string }
export interface DiskSpec { backend_domid?: number; pdev_path?: string; vdev: string; format?: string; readwrite?: number; is_cdrom?: number; backend?: string; removable?: number; script?: string }

/** A disk DRBD's block-drbd script attaches: its target is a resource name. */
export const isDrbdDisk = (disk: DiskSpec): boolean => disk.script === 'block-drbd';

export async function addVif(xs: XsClient, clock: Clock, domid: number, nic: NicSpec): Promise<void> {
  const back: Record<string, string> = { script: nic.script ?? '/etc/xen/scripts/vif-bridge' };
  if (nic.vifname) back.vifname = nic.vifname;
  back.mac = nic.mac;
  if (nic.ip) back.ip = nic.ip;
  if (nic.rate_bytes_per_interval) back.rate = `${nic.rate_bytes_per_interval},${nic.rate_interval_usecs ?? 50000}`;
  if (nic.mtu && nic.mtu !== 1500) back.mtu = String(nic.mtu);
  Object.assign(back, { bridge: nic.bridge ?? 'xenbr0', handle: String(nic.devid), type: 'vif', 'hotplug-status': '' });
  await writeDevice(xs, 'vif', domid, nic.devid, back, { handle: String(nic.devid), mac: nic.mac, trusted: '1' }, { mtu: String(nic.mtu ?? 1500) }, 'vif', nic.backend_domid);
  await connect(xs, clock, 'vif', domid, nic.devid, back, undefined, nic.backend_domid);
}

export function diskDevid(disk: DiskSpec): number {
  const id = vdevToDevid(disk.vdev);
  if (id === undefined) throw new LibxlError('EINVAL', `libxl: error: libxl_disk.c:179:libxl__device_disk_setdefault: Invalid or unsupported virtual disk identifier ${disk.vdev}`, 3);
  return id;
}

/**
 * libxl__device_disk_set_backend's stat of the target, for a phy: (or unknown) backend: a name
 * under /dev is looked up in Dom0's /dev. `then`: what the caller reports after libxl's line.
 */
export function checkDiskTarget(ts: Toolstack, domid: number, disk: DiskSpec & { script?: string }, then: string, exitCode: number): void {
  const p = disk.pdev_path ?? '';
  // A storage driver domain's disk is in its file systems, not Dom0's: libxl does not look.
  if (disk.format === 'empty' || disk.backend === 'qdisk' || disk.script || (disk.backend_domid ?? 0) !== 0 || (disk.is_cdrom && ts.records.get(domid)?.type === 'hvm')) return;
  if (p.startsWith('/dev/') && !ts.platform.blockDevices.exists(p)) {
    throw new LibxlError('ENOENT', `libxl: error: libxl_device.c:455:libxl__device_disk_set_backend: Disk vdev=${disk.vdev} failed to stat: ${p}: No such file or directory\n${then}`, exitCode);
  }
}

export async function addVbd(ts: Toolstack, domid: number, disk: DiskSpec, cwd?: string): Promise<number> {
  const { xs } = ts, clock = ts.hv.clock;
  const devid = diskDevid(disk);
  if (disk.is_cdrom && ts.records.get(domid)?.type === 'hvm') { await addEmulatedCdrom(ts, domid, devid, disk); return devid; }
  // An absent readwrite is 0, as in libxl's JSON (which omits zeros): the disk is read-only.
  // The hotplug script runs where xl runs: a relative target is relative to xl's directory.
  // A DRBD disk's target is a resource name, which its script (block-drbd) resolves.
  const drbd = isDrbdDisk(disk);
  const params = disk.pdev_path && cwd && !drbd && !isAbsolute(disk.pdev_path) ? join(cwd, disk.pdev_path) : disk.pdev_path ?? '';
  const back: Record<string, string> = {
    params, script: `/etc/xen/scripts/${drbd ? 'block-drbd' : 'block'}`, removable: String(disk.removable ?? 0), bootable: '1',
    dev: disk.vdev, type: disk.backend === 'qdisk' ? 'qdisk' : 'phy', mode: disk.readwrite ? 'w' : 'r',
    'device-type': disk.is_cdrom ? 'cdrom' : 'disk', 'discard-enable': '1', specification: 'xen',
  };
  await writeDevice(xs, 'vbd', domid, devid, back, { 'virtual-device': String(devid), 'device-type': back['device-type']!, trusted: '1' }, {}, 'vbd', disk.backend_domid);
  await connect(xs, clock, 'vbd', domid, devid, back, ts.platform.blockDevices, disk.backend_domid, ts.platform.drbd);
  return devid;
}

/** libxl__wait_device_connection: InitWait, then the hotplug script, which a driver domain's `xl devd` runs for its own backends. */
async function connect(xs: XsClient, clock: Clock, kind: DeviceKind, domid: number, devid: number, back: Record<string, string>, devs?: HostBlockDevices, backendDomid = 0, drbd?: DrbdResources): Promise<void> {
  const be = backendPath(kind, domid, devid, backendDomid);
  await waitXs(xs, clock, `${be}/state`, v => v === '2' || v === '4', 'backend did not reach InitWait');
  if (backendDomid === 0) await runHotplug(xs, kind, be, back, devs, drbd);
}

export async function addConsole(xs: XsClient, domid: number, o: { port: number; ringRef: number }): Promise<void> {
  await writeDevice(xs, 'console', domid, 0, { protocol: 'vt100' }, {
    limit: '1048576', type: 'xenconsoled', output: 'pty', tty: '', port: String(o.port), 'ring-ref': String(o.ringRef),
  });
}

/** What libxl writes once QEMU names the pty of an HVM guest's serial port (QMP query-chardev): xl console -t serial's tty. */
export async function writeSerialTty(xs: XsClient, domid: number, tty: string | undefined): Promise<void> {
  if (tty !== undefined) await xs.write(`/local/domain/${domid}/serial/0/tty`, tty);
}

/** libxl_primary_console_exec's choice: an HVM guest's primary console is its serial port. */
export function primaryConsole(ts: Toolstack, domid: number): 'pv' | 'serial' {
  return ts.records.get(domid)?.type === 'hvm' ? 'serial' : 'pv';
}

/**
 * libxl__device_destroy after a clean unplug: backend online=0, Closing; wait for Closed; remove.
 * A driver domain's backend is removed by its `xl devd`, which libxl waits for; one whose driver
 * domain is gone leaves only the frontend to clean up.
 */
export async function removeDevice(xs: XsClient, clock: Clock, kind: string, domid: number, devid: number, backendKind = kind, backendDomid = 0): Promise<void> {
  const be = backendPath(backendKind, domid, devid, backendDomid);
  const gone = backendDomid !== 0 && await xs.read(`${be}/state`).then(() => false, () => true);
  if (!gone) {
    await xs.transaction(async tx => { await xs.write(`${be}/online`, '0', tx); await xs.write(`${be}/state`, '5', tx); });
    await waitXs(xs, clock, `${be}/state`, v => v === '6' || v === null, 'backend did not close').catch(() => {});
    if (backendDomid !== 0) await waitXs(xs, clock, be, v => v === null, 'removal of backend path').catch(() => {});
  }
  await removeDeviceNodes(xs, domid, devid, kind, backendKind, backendDomid);
}

/** A device's frontend, backend and libxl directories, gone in one transaction. */
export async function removeDeviceNodes(xs: XsClient, domid: number, devid: number, kind: string, backendKind: string, backendDomid = 0): Promise<void> {
  await xs.transaction(async tx => {
    for (const p of [frontendPath(kind, domid, devid), backendPath(backendKind, domid, devid, backendDomid), `/libxl/${domid}/device/${kind}/${devid}`]) {
      try { await xs.rm(p, tx); } catch (e: any) { if (e.code !== 'ENOENT') throw e; }
    }
  });
}

/** A device recorded in the stored config is committed; if it cannot be recorded, it is unplugged again. */
async function commitOrDetach(ts: Toolstack, domid: number, unrecord: () => void, kind: DeviceKind, devid: number, backendDomid = 0): Promise<void> {
  try { ts.platform.commit(domid); } catch (e) {
    unrecord();
    await removeDevice(ts.xs, ts.hv.clock, kind, domid, devid, kind, backendDomid).catch(() => {});
    ts.hv.rings.drop(domid, kind, devid);
    throw e;
  }
}

/** libxl_device_nic_add. */
export async function attachNic(ts: Toolstack, domid: number, nic: Record<string, any>): Promise<void> {
  const rec = ts.records.get(domid);
  if (!rec) throw new LibxlError('ENODOM', 'libxl_device_nic_add failed.', 1);
  const nics: any[] = (rec.config.nics ??= []);
  nic.devid ??= nics.reduce((m, n) => Math.max(m, n.devid + 1), 0);
  const holder: Record<string, any> = { nics: [nic] };
  fillDeviceDefaults(holder, domid + nics.length);
  resolveBackend(ts, holder.nics[0], 'libxl_device_nic_add failed.');
  await addVif(ts.xs, ts.hv.clock, domid, holder.nics[0]);
  nics.push(holder.nics[0]);
  await commitOrDetach(ts, domid, () => nics.pop(), 'vif', holder.nics[0].devid, holder.nics[0].backend_domid);
}

/** libxl_device_nic_remove, the nic named by devid or MAC. */
export async function detachNic(ts: Toolstack, domid: number, q: string): Promise<void> {
  const rec = ts.records.get(domid);
  if (!rec) throw new LibxlError('ENODOM', 'libxl_device_nic_del failed.', 1);
  const nics: any[] = rec.config.nics ?? [];
  const nic = nics.find(n => String(n.devid) === q || n.mac === q.toLowerCase());
  if (!nic) throw new LibxlError('ENODEV', `Unknown device ${q}.`, 1);
  rec.config.nics = nics.filter(n => n !== nic);
  ts.commitOrUndo(domid, () => { rec.config.nics = nics; });
  await removeDevice(ts.xs, ts.hv.clock, 'vif', domid, nic.devid, 'vif', nic.backend_domid);
  ts.hv.rings.drop(domid, 'vif', nic.devid);
}

/** libxl_device_disk_add; a relative target is relative to `cwd` (xl's), else to the creating xl's. */
export async function attachDisk(ts: Toolstack, domid: number, disk: Record<string, any>, cwd?: string): Promise<void> {
  const rec = ts.records.get(domid);
  if (!rec) throw new LibxlError('ENODOM', 'libxl_device_disk_add failed.', 1);
  const disks: any[] = (rec.config.disks ??= []);
  if (disks.some(dk => dk.vdev === disk.vdev)) throw new LibxlError('EEXIST', `libxl: error: libxl_device.c:331:libxl__device_disk_set_backend: Disk vdev=${disk.vdev} already exists
libxl_device_disk_add failed.`, 1);
  const holder: Record<string, any> = { disks: [disk] };
  fillDeviceDefaults(holder, domid);
  resolveBackend(ts, holder.disks[0], 'libxl_device_disk_add failed.');
  checkDiskTarget(ts, domid, holder.disks[0], 'libxl_device_disk_add failed.', 1);
  await addVbd(ts, domid, holder.disks[0], cwd ?? rec.cwd);
  disks.push(holder.disks[0]);
  await commitOrDetach(ts, domid, () => disks.pop(), 'vbd', diskDevid(holder.disks[0]), holder.disks[0].backend_domid);
}

/** libxl_device_disk_remove, the disk named by vdev or devid. */
export async function detachDisk(ts: Toolstack, domid: number, q: string): Promise<void> {
  const rec = ts.records.get(domid);
  const disks: any[] = rec?.config.disks ?? [];
  const disk = disks.find(dk => dk.vdev === q || String(diskDevid(dk)) === q);
  if (!rec || !disk) throw new LibxlError('ENODEV', `Error: Device ${q} not connected.`, 1);
  const devid = diskDevid(disk);
  rec.config.disks = disks.filter(dk => dk !== disk);
  ts.commitOrUndo(domid, () => { rec.config.disks = disks; });
  if (disk.is_cdrom && rec.type === 'hvm') { await removeEmulatedCdrom(ts, domid, devid); return; }
  await removeDevice(ts.xs, ts.hv.clock, 'vbd', domid, devid, 'vbd', disk.backend_domid);
  ts.hv.rings.drop(domid, 'vbd', devid);
}

/** What libxl_device_{nic,disk}_getinfo read from xenstore (-1 where a key is missing); none for a domain without devices (Domain-0). */
export async function deviceInfo(ts: Toolstack, domid: number, kind: DeviceKind): Promise<DeviceInfo[]> {
  const rec = ts.records.get(domid);
  const xs = ts.xs;
  const devs: { devid: number; backendId: number }[] = kind === 'vif'
    ? (rec?.config.nics ?? []).map((n: any) => ({ devid: n.devid as number, backendId: n.backend_domid ?? 0 }))
    : (rec?.config.disks ?? []).map((dk: any) => ({ devid: diskDevid(dk), backendId: dk.backend_domid ?? 0 }));
  const num = async (p: string) => { try { const v = await xs.read(p); return v === '' ? -1 : Number(v); } catch { return -1; } };
  const out: DeviceInfo[] = [];
  for (const { devid, backendId } of devs) {
    const fe = frontendPath(kind, domid, devid), be = backendPath(kind, domid, devid, backendId);
    if (kind === 'vif') {
      const mac = await xs.read(`${fe}/mac`).catch(() => '00:00:00:00:00:00');
      out.push({ devid, backendId, mac, state: await num(`${fe}/state`), evtchn: await num(`${fe}/event-channel`), txRef: await num(`${fe}/tx-ring-ref`), rxRef: await num(`${fe}/rx-ring-ref`), bePath: be });
    } else {
      // A CD-ROM of an HVM guest has its backend elsewhere (qdisk): the frontend names it.
      const bePath = await xs.read(`${fe}/backend`).catch(() => be);
      out.push({ devid, backendId, frontendId: domid, state: await num(`${fe}/state`), evtchn: await num(`${fe}/event-channel`), ringRef: await num(`${fe}/ring-ref`), bePath });
    }
  }
  return out;
}
