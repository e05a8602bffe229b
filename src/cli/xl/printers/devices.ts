// network-list and block-list rows (xl_nic.c, xl_block.c), pure. Rows come from the daemon's
// 'device.list' (libxl_device_*_getinfo values, -1 where xenstore has none).
import type { DeviceInfo } from '../../../protocol/requests.ts';

const l = (v: unknown, w: number) => String(v).padEnd(w);
const r = (v: unknown, w: number) => String(v).padStart(w);

export const NETWORK_LIST_HEADER =
  `${l('Idx', 3)} ${l('BE', 2)} ${l('Mac Addr.', 17)} ${l('handle', 6)} ${l('state', 5)} ${l('evt-ch', 6)} ${r('tx-', 5)}/${l('rx-ring-ref', 5)} ${l('BE-path', 30)}\n`;

export function formatNetworkRow(d: DeviceInfo): string {
  return `${l(d.devid, 3)} ${l(d.backendId, 2)} ${String(d.mac).toLowerCase()}${r(d.devid, 6)} ${r(d.state, 5)} ${r(d.evtchn, 6)} ${r(d.txRef, 5)}/${l(d.rxRef, 11)} ${l(d.bePath, 30)}\n`;
}

export const BLOCK_LIST_HEADER =
  `${l('Vdev', 5)} ${l('BE', 3)} ${l('handle', 6)} ${l('state', 5)} ${l('evt-ch', 6)} ${l('ring-ref', 8)} ${l('BE-path', 30)}\n`;

/** The "handle" column holds the frontend domid, as in real xl. */
export function formatBlockRow(d: DeviceInfo): string {
  return `${l(d.devid, 5)} ${l(d.backendId, 3)} ${l(d.frontendId, 6)} ${l(d.state, 5)} ${l(d.evtchn, 6)} ${l(d.ringRef, 8)} ${l(d.bePath, 30)}\n`;
}
