// The hotplug scripts (/etc/xen/scripts/vif-bridge and block), emulated: they run once the
// backend reached InitWait, check what they attach, and report through hotplug-status.
import { existsSync, statSync } from 'node:fs';
import type { XsClient } from '../formats/xenstore-client.ts';
import { ToolError } from '../protocol/wire.ts';

let nextLoop = 0;

export async function runHotplug(xs: XsClient, kind: 'vif' | 'vbd', be: string, back: Record<string, string>): Promise<void> {
  if (kind === 'vif') { await xs.write(`${be}/hotplug-status`, 'connected'); return; }
  const params = back.params ?? '';
  if (!params || !existsSync(params)) {
    await xs.write(`${be}/hotplug-status`, 'error');
    await xs.write(`${be}/hotplug-error`, `${params} does not exist.`);
    throw new ToolError('EHOTPLUG', `libxl: error: libxl_exec.c:117:libxl_report_child_exitstatus: /etc/xen/scripts/block add [${process.pid}] exited with error status 1\n` +
      `libxl: error: libxl_device.c:1286:device_hotplug_child_death_cb: script: ${params} does not exist.\n` +
      `libxl: error: libxl_create.c:1920:domcreate_attach_devices: Domain ${be.split('/')[6]}:unable to add disk devices`, 3);
  }
  // A block device is used as it is; a file is attached through a loop device (major 7).
  const isBlock = statSync(params).isBlockDevice();
  const phys = isBlock ? 'fe:1' : `7:${nextLoop++}`;
  await xs.transaction(async tx => {
    await xs.write(`${be}/physical-device`, phys, tx);
    await xs.write(`${be}/physical-device-path`, params, tx);
    await xs.write(`${be}/hotplug-status`, 'connected', tx);
  });
}
