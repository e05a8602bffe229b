// What libxl's domcreate adds after the disks and nics: the device model when one is needed,
// the channels (its consoles), then vtpm, vkb, vdispl and vsnd devices, then USB controllers
// and devices. A daemon restart adds them again, so that both ends reconnect.
import { startDeviceModel } from './device-model.ts';
import { plugChannels } from './channel.ts';
import { plugConfigVdevs } from './vdev.ts';
import { plugConfigUsb } from './usb.ts';
import type { Toolstack } from './toolstack.ts';

export async function plugPvDevices(ts: Toolstack, domid: number, config: Record<string, any>, hvm: boolean): Promise<void> {
  await startDeviceModel(ts, domid, config, hvm);
  await plugChannels(ts, domid, config);
  await plugConfigVdevs(ts, domid, config);
  await plugConfigUsb(ts, domid, config);
}
