// blkback: the vbd backend. On connect it reports the disk's geometry from the image file or
// device behind `params` (a file's apparent size; 10 GiB for a device it cannot size).
import { statSync } from 'node:fs';
import type { XsClient } from '../../formats/xenstore-client.ts';
import { BackendDriver, type BackendOps } from './backend-driver.ts';

/** Pages blkback maps from the frontend when it connects: the ring (ring-page-order 0). */
export const BLK_RING_PAGES = 1;

function sectorsOf(params: string): number {
  try {
    const st = statSync(params);
    if (st.isFile()) return Math.floor(st.size / 512);
  } catch {}
  return 20971520;
}

export function blkbackOps(hooks: Pick<BackendOps, 'connected' | 'closed'> = {}): BackendOps {
  return {
    features: () => ({ 'feature-max-indirect-segments': '256', 'max-ring-page-order': '4', 'multi-queue-max-queues': '4' }),
    ready: async (xs, dev) => (await xs.read(`${dev.path}/hotplug-status`).catch(() => '')) === 'connected',
    connect: async (xs, dev) => {
      const params = await xs.read(`${dev.path}/params`).catch(() => '');
      const mode = await xs.read(`${dev.path}/mode`).catch(() => 'w');
      return {
        'feature-flush-cache': '1', 'feature-discard': '1', 'discard-granularity': '4096', 'discard-alignment': '0',
        'discard-secure': '0', 'feature-barrier': '1', 'feature-persistent': '1',
        sectors: String(sectorsOf(params)), info: mode === 'r' ? '4' : '0', 'sector-size': '512', 'physical-sector-size': '512',
      };
    },
    ...hooks,
  };
}

export function blkback(xs: XsClient, hooks?: Pick<BackendOps, 'connected' | 'closed'>): BackendDriver {
  return new BackendDriver(xs, 'vbd', blkbackOps(hooks));
}
