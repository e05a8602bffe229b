// The paravirtual device classes xl attaches, lists and detaches besides vif and vbd: vtpm, vkb,
// vdispl and vsnd (libxl_device_<class>_add/_list/_getinfo/_remove), and the channels' list.

import type { ChannelInfo, VdevInfo, VdevKind } from '../dom0/toolstack/device-info.ts';

export { VDEV_KINDS } from '../dom0/toolstack/device-info.ts';
export type { ChannelInfo, VdevInfo, VdevKind, VdevRing } from '../dom0/toolstack/device-info.ts';

export interface VdevRequests {
  'vdev.attach': { args: { dom: string; kind: VdevKind; device: Record<string, unknown> }; result: {} };
  'vdev.list': { args: { dom: string; kind: VdevKind }; result: VdevInfo[] };
  /** By devid (vtpm also by uuid). */
  'vdev.detach': { args: { dom: string; kind: VdevKind; id: string }; result: {} };
  'channel.list': { args: { dom: string }; result: ChannelInfo[] };
}
