// A backend tells its frontend about new responses on the event channel it bound for that ring
// (notify_remote_via_irq after RING_PUSH_RESPONSES_AND_CHECK_NOTIFY): netback on each queue's
// tx and rx channels, blkback on the ring's one. Only the first queue's rings are modelled.
import type { BackendDevice } from './backend-driver.ts';
import type { SharedRing } from '../../hypervisor/io-ring.ts';

/** `rings`: the frontend's key naming each ring's event channel → that ring. */
export function notifyFrontendOn(dev: BackendDevice, rings: Record<string, SharedRing>, send: (port: number) => void): void {
  for (const c of dev.channels) {
    const ring = rings[c.key];
    if (!ring || (c.dir !== dev.frontend && c.dir !== `${dev.frontend}/queue-0`)) continue;
    ring.onFrontendNotify = () => { if (dev.channels.includes(c)) send(c.port); };
  }
}
