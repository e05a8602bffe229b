// The block hotplug script's `phy` case (/etc/xen/scripts/block add) for a device of Dom0's
// /dev: the device must exist; its sharing is checked (check_sharing: a device Dom0 has mounted,
// or one a guest already uses, in a way the requested mode does not allow); then the device's
// numbers are written for blkback (physical-device as `%x:%x`, physical-device-path the node).
import type { XsClient } from '../../formats/xenstore-client.ts';
import type { HostBlockDevices, BlockDevice } from './host-block.ts';

export type ScriptFailure = (status: 'error' | 'busy', reason: string) => Promise<never>;

const hex = (d: BlockDevice) => `${d.major.toString(16)}:${d.minor.toString(16)}`;

async function readOr(xs: XsClient, path: string): Promise<string> { try { return await xs.read(path); } catch { return ''; } }

/** What check_sharing reports: ok, or who holds the device in a way the mode does not allow. */
async function checkSharing(xs: XsClient, devs: HostBlockDevices, dev: BlockDevice, mode: 'w' | 'r', frontendId: string): Promise<'ok' | 'local' | 'guest'> {
  if (devs.mounts().some(m => m.path === dev.path && (mode === 'w' || m.readWrite))) return 'local';
  const base = '/local/domain/0/backend/vbd';
  const myVm = await readOr(xs, `/local/domain/${frontendId}/vm`);
  for (const dom of await xs.directory(base).catch(() => [] as string[])) {
    // same_vm: another device of the same guest may share it.
    if (dom === frontendId || (myVm && await readOr(xs, `/local/domain/${dom}/vm`) === myVm)) continue;
    for (const devid of await xs.directory(`${base}/${dom}`).catch(() => [] as string[])) {
      if (await readOr(xs, `${base}/${dom}/${devid}/physical-device`) !== hex(dev)) continue;
      if (mode === 'w' || (await readOr(xs, `${base}/${dom}/${devid}/mode`)).includes('w')) return 'guest';
    }
  }
  return 'ok';
}

/** do_ebusy's sentence for a refused device. */
function busyReason(dev: BlockDevice, mode: 'w' | 'r', holder: 'local' | 'guest'): string {
  const [m1, m2] = mode === 'w' ? ['', ''] : ['read-write ', 'read-only '];
  return holder === 'guest'
    ? `Device ${dev.path} is mounted ${m1}in a guest domain,\nand so cannot be mounted ${m2}now.`
    : `Device ${dev.path} is mounted ${m1}in the privileged domain,\nand so cannot be mounted ${m2}by a guest.`;
}

export async function blockScriptPhy(xs: XsClient, devs: HostBlockDevices, be: string, back: Record<string, string>, fail: ScriptFailure): Promise<void> {
  const params = back.params ?? '';
  const dev = devs.lookup(params);
  // Neither a block device nor a file (a character device): the script has nothing to set up.
  if (!dev && devs.isCharDevice(params)) { await xs.write(`${be}/hotplug-status`, 'connected'); return; }
  if (!dev) return fail('error', `${params} does not exist.`);
  const mode = (back.mode ?? 'r').includes('w') ? 'w' : 'r';
  const holder = await checkSharing(xs, devs, dev, mode, back['frontend-id'] ?? be.split('/')[6] ?? '');
  if (holder !== 'ok') return fail('busy', busyReason(dev, mode, holder));
  await xs.transaction(async tx => {
    await xs.write(`${be}/physical-device`, hex(dev), tx);
    await xs.write(`${be}/physical-device-path`, dev.path, tx);
    await xs.write(`${be}/hotplug-status`, 'connected', tx);
  });
}
