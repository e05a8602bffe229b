// The guest kernel's PV console driver (Linux's hvc_xen): output goes into the out ring of the
// console page, waiting for room when xenconsoled has not kept up; input is read from the in
// ring when xenconsoled notifies. Text travels as its bytes.
import type { Hypervisor } from '../hypervisor/hypervisor.ts';
import type { GuestConsole } from '../hypervisor/console-page.ts';
import { XENCONS_IN_RING, XENCONS_OUT_RING } from '../formats/xen-ring/index.ts';
import { bytesFromText, textFromBytes } from '../formats/byte-text.ts';
import { guestRingChannel } from './event-ring.ts';

/** The console lives as long as the domain: its port goes when the domain is destroyed. */
export function hvcConsole(hv: Hypervisor, domid: number, page: Buffer, port: number): GuestConsole {
  const { channel } = guestRingChannel(hv, domid, page, port, { out: XENCONS_OUT_RING, in: XENCONS_IN_RING });
  return {
    guestWrite: data => channel.write(bytesFromText(data)),
    onGuestInput: cb => channel.onData(b => cb(textFromBytes(b))),
  };
}
