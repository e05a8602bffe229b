// Device hot-plug requests: network-attach/-detach/-list, block-attach/-detach/-list.
import type { Handler } from './context.ts';
import { ToolError } from '../../protocol/wire.ts';

function guest(host: Parameters<Handler>[0], q: string, failure: string): number {
  const domid = host.toolstack.resolve(q);
  if (!host.toolstack.records.has(domid)) throw new ToolError('ENODOM', failure, 1);
  return domid;
}

export const deviceHandlers: Record<string, Handler> = {
  'device.list': async (host, a: { dom: string; kind: 'vif' | 'vbd' }) => {
    const domid = host.toolstack.resolve(a.dom);
    if (!host.toolstack.records.has(domid)) return [];
    return host.toolstack.deviceInfo(domid, a.kind);
  },
  'device.attach': async (host, a: { dom: string; kind: 'vif' | 'vbd'; device: Record<string, unknown>; cwd?: string }) => {
    if (a.kind === 'vif') await host.toolstack.attachNic(guest(host, a.dom, 'libxl_device_nic_add failed.'), a.device);
    else await host.toolstack.attachDisk(guest(host, a.dom, 'libxl_device_disk_add failed.'), a.device, a.cwd);
    return {};
  },
  'device.detach': async (host, a: { dom: string; kind: 'vif' | 'vbd'; id: string }) => {
    if (a.kind === 'vif') await host.toolstack.detachNic(guest(host, a.dom, 'libxl_device_nic_del failed.'), a.id);
    else await host.toolstack.detachDisk(guest(host, a.dom, `Error: Device ${a.id} not connected.`), a.id);
    return {};
  },
};
