// A page the guest shares with Dom0 holding two byte rings, with the event channel start_info
// names for it: the transport of the guest's xenbus and hvc drivers.
import type { Hypervisor } from '../hypervisor/hypervisor.ts';
import { ByteRingChannel, type ByteRing } from '../formats/xen-ring/index.ts';

/** The channel, bound to the port's upcall; close() unbinds it. */
export function guestRingChannel(hv: Hypervisor, domid: number, page: Buffer, port: number, rings: { out: ByteRing; in: ByteRing }): { channel: ByteRingChannel; close(): void } {
  const channel = new ByteRingChannel(page, rings, () => hv.evtchn.send(domid, port));
  hv.evtchn.setHandler(domid, port, () => channel.event());
  return {
    channel,
    close: () => {
      channel.close();
      // The domain may already be gone, and its ports with it.
      try { hv.evtchn.setHandler(domid, port, null); } catch {}
    },
  };
}
