// The hotplug scripts (/etc/xen/scripts/vif-bridge, block and DRBD's block-drbd), emulated: they run once the
// backend reached InitWait, check what they attach, and report through hotplug-status.
import { accessSync, constants, existsSync, realpathSync, statSync } from 'node:fs';
import type { XsClient } from '../formats/xenstore-client.ts';
import { LibxlError } from './toolstack/errors.ts';
import type { HostBlockDevices } from './lvm/host-block.ts';
import { blockScriptPhy } from './lvm/block-script.ts';
import type { DrbdResources } from './drbd/resources.ts';

let nextLoop = 0;
/** DRBD's block major (147); its minors as resources are attached. */
const DRBD_MAJOR = 147;
let nextDrbdMinor = 0;

export async function runHotplug(xs: XsClient, kind: 'vif' | 'vbd', be: string, back: Record<string, string>, devs?: HostBlockDevices, drbd?: DrbdResources): Promise<void> {
  if (kind === 'vif') { await xs.write(`${be}/hotplug-status`, 'connected'); return; }
  const params = back.params ?? '';
  if (back.script?.endsWith('/block-drbd')) return blockDrbd(xs, be, params, drbd);
  // Every name under /dev is one of Dom0's devices, never the machine's.
  if (params.startsWith('/dev/') && devs) return blockScriptPhy(xs, devs, be, back, (status, reason) => scriptFailed(xs, be, status, reason));
  if (!params || !existsSync(params)) await scriptFailed(xs, be, 'error', `${params} does not exist.`);
  // A block device is used as it is; a file is attached through a loop device (major 7).
  const isBlock = statSync(params).isBlockDevice();
  if (!isBlock && back.mode === 'w' && !writable(params)) {
    await scriptFailed(xs, be, 'busy', `File ${realpathSync(params)} is read-only, and so I will not\nmount it read-write in a guest domain.`);
  }
  const phys = isBlock ? 'fe:1' : `7:${nextLoop++}`;
  await xs.transaction(async tx => {
    await xs.write(`${be}/physical-device`, phys, tx);
    await xs.write(`${be}/physical-device-path`, params, tx);
    await xs.write(`${be}/hotplug-status`, 'connected', tx);
  });
}

/**
 * The block script refuses a read-write mount of a file without write permission bits; the
 * daemon, which may not run as root, also needs to be allowed to write it.
 */
function writable(file: string): boolean {
  if ((statSync(file).mode & 0o222) === 0) return false;
  try { accessSync(file, constants.W_OK); return true; } catch { return false; }
}

/**
 * block-drbd add (the script DRBD ships for Xen): the resource is made primary here and its
 * device handed to blkback; in xenlab the device is the backing file the resource names.
 */
async function blockDrbd(xs: XsClient, be: string, resource: string, drbd?: DrbdResources): Promise<void> {
  const d = drbd?.disk(resource) ?? { error: `'${resource}' not defined in your config (for this host).` };
  if ('error' in d) return scriptFailed(xs, be, 'error', d.error, 'block-drbd');
  if (!existsSync(d.path)) return scriptFailed(xs, be, 'error', `${d.path} does not exist.`, 'block-drbd');
  await xs.transaction(async tx => {
    await xs.write(`${be}/physical-device`, `${DRBD_MAJOR.toString(16)}:${nextDrbdMinor++}`, tx);
    await xs.write(`${be}/physical-device-path`, d.path, tx);
    await xs.write(`${be}/hotplug-status`, 'connected', tx);
  });
}

/** The script exits 1 with its reason in hotplug-error; libxl reports both and gives up on the disk. */
async function scriptFailed(xs: XsClient, be: string, status: 'error' | 'busy', reason: string, script = 'block'): Promise<never> {
  await xs.write(`${be}/hotplug-error`, reason);
  await xs.write(`${be}/hotplug-status`, status);
  throw new LibxlError('EHOTPLUG', `libxl: error: libxl_exec.c:117:libxl_report_child_exitstatus: /etc/xen/scripts/${script} add [${process.pid}] exited with error status 1\n` +
    `libxl: error: libxl_device.c:1286:device_hotplug_child_death_cb: script: ${reason}\n` +
    `libxl: error: libxl_create.c:1920:domcreate_attach_devices: Domain ${be.split('/')[6]}:unable to add disk devices`, 3);
}
