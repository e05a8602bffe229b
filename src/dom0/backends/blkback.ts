// blkback: the vbd backend. On connect it reports the disk's geometry from the image file or
// device behind `params` (a file's apparent size; 10 GiB for a device it cannot size) and in
// `info` whether the vbd is read-only (its `mode`) or a CD-ROM. A read-only device asked for
// writing cannot be opened: the vbd fails as xen_vbd_create's failure makes Linux's fail.
import { statSync } from 'node:fs';
import type { XsClient } from '../../formats/xenstore-client.ts';
import { BackendDriver, type BackendOps } from './backend-driver.ts';
import type { XenDevices } from '../xen-devices.ts';


function sectorsOf(params: string): number {
  try {
    const st = statSync(params);
    if (st.isFile()) return Math.floor(st.size / 512);
  } catch {}
  return 20971520;
}

/** VDISK_* flags blkfront reads from `info`. */
const VDISK_CDROM = 0x1, VDISK_READONLY = 0x4;

/** As Linux blkback: the vbd is read-only unless its mode has a `w`, a CD-ROM if the frontend says so. */
function vdiskInfo(mode: string, deviceType: string): number {
  return (deviceType === 'cdrom' ? VDISK_CDROM : 0) | (mode.includes('w') ? 0 : VDISK_READONLY);
}

/**
 * The driver's hooks; `backing` finds the file behind a device name of Dom0's /dev (a plain file
 * is itself), `readOnly` says whether such a device is read-only.
 */
export type BlkbackHooks = Pick<BackendOps, 'connected' | 'closed'> & { backing?: (params: string) => string; readOnly?: (params: string) => boolean };

/** ENOENT: xen_vbd_create's answer when it cannot open the device (a read-only one for writing). */
const ENOENT = 2;

export function blkbackOps({ backing = p => p, readOnly = () => false, ...hooks }: BlkbackHooks = {}): BackendOps {
  return {
    features: () => ({ 'feature-max-indirect-segments': '256', 'max-ring-page-order': '4', 'multi-queue-max-queues': '4' }),
    ready: async (xs, dev) => (await xs.read(`${dev.path}/hotplug-status`).catch(() => '')) === 'connected',
    open: async (xs, dev) => {
      const [params, mode] = await Promise.all([xs.read(`${dev.path}/params`).catch(() => ''), xs.read(`${dev.path}/mode`).catch(() => '')]);
      return mode.includes('w') && readOnly(params) ? { err: ENOENT, message: 'creating vbd structure' } : undefined;
    },
    connect: async (xs, dev) => {
      const params = await xs.read(`${dev.path}/params`).catch(() => '');
      const mode = await xs.read(`${dev.path}/mode`).catch(() => '');
      const deviceType = await xs.read(`${dev.frontend}/device-type`).catch(() => '');
      return {
        'feature-flush-cache': '1', 'feature-discard': '1', 'discard-granularity': '4096', 'discard-alignment': '0',
        'discard-secure': '0', 'feature-barrier': '1', 'feature-persistent': '1',
        sectors: String(sectorsOf(backing(params))), info: String(vdiskInfo(mode, deviceType)), 'sector-size': '512', 'physical-sector-size': '512',
      };
    },
    ...hooks,
  };
}

export function blkback(xs: XsClient, xen: XenDevices, hooks?: BlkbackHooks, self = 0): BackendDriver {
  return new BackendDriver(xs, 'vbd', blkbackOps(hooks), xen, self);
}
