// The guest kernel's xenbus transport (Linux's xenbus_comms): requests go into the req ring of
// the xenstore page start_info names, a chunk at a time as room appears, each chunk followed by
// a notification on the store event channel; replies and watch events are read from the rsp
// ring when xenstored notifies. A request larger than the free space waits, in order, behind
// what is already in the ring.
import type { Hypervisor } from '../hypervisor/hypervisor.ts';
import type { XenstoreRing } from '../hypervisor/console-page.ts';
import { XS_REQ_RING, XS_RSP_RING } from '../formats/xen-ring/index.ts';
import { guestRingChannel } from './event-ring.ts';

export function xenbusComms(hv: Hypervisor, domid: number, page: Buffer, port: number): XenstoreRing {
  const { channel, close } = guestRingChannel(hv, domid, page, port, { out: XS_REQ_RING, in: XS_RSP_RING });
  return { write: buf => channel.write(buf), onData: cb => channel.onData(cb), close };
}
