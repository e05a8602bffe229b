// libxl's generic device add/list/remove (libxl__device_add_async, libxl__device_list,
// libxl__device_remove) for vtpm, vkb, vdispl and vsnd: the device is recorded in the stored
// config, its backend and frontend written in one transaction, and libxl waits for the backend
// where the class says so. Listing reads each device's state and rings back from xenstore.
import type { VdevInfo, VdevKind } from './device-info.ts';
import { LibxlError } from './errors.ts';
import { backendPath, frontendPath, removeDevice, waitXs, writeDevice } from './devices.ts';
import type { Toolstack } from './toolstack.ts';
import { dmCheckStart } from './device-model.ts';
import type { VdevClass } from './vdev-class.ts';
import { vtpmClass } from './vtpm.ts';
import { vkbClass } from './vkb.ts';
import { vdisplClass } from './vdispl.ts';
import { vsndClass } from './vsnd.ts';

export const VDEV_CLASSES: Record<VdevKind, VdevClass> = { vtpm: vtpmClass, vkb: vkbClass, vdispl: vdisplClass, vsnd: vsndClass };

/** libxl__device_nextid: one past the highest devid in use. */
export const nextDevid = (list: Record<string, any>[]): number => list.reduce((m, d) => Math.max(m, d.devid + 1), 0);

/** Write one device and wait for its backend as libxl does; the device is filled in place. */
export async function plugVdev(ts: Toolstack, cls: VdevClass, domid: number, dev: Record<string, any>): Promise<void> {
  const { back, front, roFront } = cls.xenstore(dev);
  const bk = cls.backendKind(dev);
  await writeDevice(ts.xs, cls.xsKind, domid, dev.devid, back, front, roFront, bk);
  if (cls.waitsForBackend(dev)) {
    await waitXs(ts.xs, ts.hv.clock, `${backendPath(bk, domid, dev.devid)}/state`, v => v === '2' || v === '4', 'backend did not reach InitWait');
  }
}

/** The devices of the xl.cfg keys, plugged at creation after the disks and nics. */
export async function plugConfigVdevs(ts: Toolstack, domid: number, config: Record<string, any>): Promise<void> {
  for (const cls of Object.values(VDEV_CLASSES)) {
    for (const dev of config[cls.configKey] ?? []) { cls.setDefault?.(dev); await plugVdev(ts, cls, domid, dev); }
  }
}

/** xl's line after libxl_device_<class>_add failed; vtpm-attach exits 1, the others return ERROR_FAIL (253). */
const addFailed = (kind: VdevKind, logged = '') =>
  new LibxlError('EINVAL', `${logged}libxl_device_${kind}_add failed.`, kind === 'vtpm' ? 1 : 253);

/** libxl__resolve_domid of backend_domname: only Dom0 runs these backends here. */
function checkBackend(ts: Toolstack, kind: VdevKind, dev: Record<string, any>): void {
  if (dev.backend_domname === undefined) return;
  const id = /^\d+$/.test(dev.backend_domname) ? Number(dev.backend_domname) : ts.domidByName(dev.backend_domname);
  if (id !== 0) throw addFailed(kind);
}

/** libxl_device_<class>_add: the next free devid, plugged, then recorded (unplugged again if that fails). */
export async function attachVdev(ts: Toolstack, domid: number, kind: VdevKind, dev: Record<string, any>): Promise<void> {
  const cls = VDEV_CLASSES[kind];
  const rec = ts.records.get(domid);
  if (!rec) throw addFailed(kind);
  checkBackend(ts, kind, dev);
  const list: Record<string, any>[] = (rec.config[cls.configKey] ??= []);
  dev.devid = nextDevid(list);
  cls.setDefault?.(dev);
  await dmCheckStart(ts, domid, { ...rec.config, [cls.configKey]: [...list, dev] })
    .catch(e => { throw e instanceof LibxlError ? addFailed(kind, `${e.message}\n`) : e; });
  await plugVdev(ts, cls, domid, dev);
  list.push(dev);
  try { ts.commitOrUndo(domid, () => list.pop()); } catch (e) {
    await removeDevice(ts.xs, ts.hv.clock, cls.xsKind, domid, dev.devid, cls.backendKind(dev)).catch(() => {});
    throw e;
  }
}

/** libxl_device_<class>_remove of the device with this devid (vtpm: or uuid). */
export async function detachVdev(ts: Toolstack, domid: number, kind: VdevKind, id: string): Promise<void> {
  const cls = VDEV_CLASSES[kind];
  const rec = ts.records.get(domid);
  const list: Record<string, any>[] = rec?.config[cls.configKey] ?? [];
  const byUuid = kind === 'vtpm' && /^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(id);
  // xl reads a devid with atoi
  const devid = Number.parseInt(id, 10) || 0;
  const dev = list.find(d => byUuid ? d.uuid === id.toLowerCase() : d.devid === devid);
  // vtpm-detach returns 1; the others return ERROR_FAIL from main (exit status 253)
  if (!rec || !dev) throw kind === 'vtpm' ? new LibxlError('ENODEV', `Unknown device ${id}.`, 1) : new LibxlError('ENODEV', `Error: Device ${devid} not connected.`, 253);
  rec.config[cls.configKey] = list.filter(d => d !== dev);
  ts.commitOrUndo(domid, () => { rec.config[cls.configKey] = list; });
  await removeDevice(ts.xs, ts.hv.clock, cls.xsKind, domid, dev.devid, cls.backendKind(dev));
}

/** libxl_device_<class>_list + _getinfo. */
export async function listVdevs(ts: Toolstack, domid: number, kind: VdevKind): Promise<VdevInfo[]> {
  const cls = VDEV_CLASSES[kind];
  const read = async (p: string) => { try { const v = await ts.xs.read(p); return v === '' ? -1 : Number(v); } catch { return -1; } };
  const out: VdevInfo[] = [];
  for (const dev of (ts.records.get(domid)?.config[cls.configKey] ?? []) as Record<string, any>[]) {
    const fe = frontendPath(cls.xsKind, domid, dev.devid);
    const info: VdevInfo = {
      devid: dev.devid, backendId: 0, frontendId: domid, state: await read(`${fe}/state`), ring: { rref: -1, evtch: -1 },
      backend: backendPath(cls.backendKind(dev), domid, dev.devid), frontend: fe, device: dev,
    };
    out.push({ ...info, ...await cls.info?.(read, fe, dev, ts.xs) });
  }
  return out;
}
