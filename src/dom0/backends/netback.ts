// netback: the vif backend. It connects only after the hotplug script reported `connected`
// (the vif must be on its bridge first), as Linux's netback does.
import type { XsClient } from '../../formats/xenstore-client.ts';
import { BackendDriver, type BackendOps } from './backend-driver.ts';
import type { XenDevices } from '../xen-devices.ts';

export const NETBACK_MAX_QUEUES = 4;

export function netbackOps(hooks: Pick<BackendOps, 'connected' | 'closed'> = {}): BackendOps {
  return {
    features: () => ({
      'feature-sg': '1', 'feature-gso-tcpv4': '1', 'feature-gso-tcpv6': '1', 'feature-ipv6-csum-offload': '1',
      'feature-rx-copy': '1', 'feature-xdp-headroom': '1', 'feature-rx-flip': '0', 'feature-multicast-control': '1',
      'feature-dynamic-multicast-control': '1', 'feature-split-event-channels': '1',
      'multi-queue-max-queues': String(NETBACK_MAX_QUEUES), 'feature-ctrl-ring': '1',
    }),
    ready: async (xs, dev) => (await xs.read(`${dev.path}/hotplug-status`).catch(() => '')) === 'connected',
    connect: async () => ({}),
    ...hooks,
  };
}

export function netback(xs: XsClient, xen: XenDevices, hooks?: Pick<BackendOps, 'connected' | 'closed'>, self = 0): BackendDriver {
  return new BackendDriver(xs, 'vif', netbackOps(hooks), xen, self);
}
