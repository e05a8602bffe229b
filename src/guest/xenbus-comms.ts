// The guest kernel's xenbus transport (Linux's xenbus_comms): requests go into the req ring of
// the xenstore page start_info names, a chunk at a time as room appears, each chunk followed by
// a notification on the store event channel; replies and watch events are read from the rsp
// ring when xenstored notifies. A request larger than the free space waits, in order, behind
// what is already in the ring.
import type { Hypervisor } from '../hypervisor/hypervisor.ts';
import type { XenstoreRing } from '../hypervisor/console-page.ts';
import { XS_REQ_RING, XS_RSP_RING, byteRingRead, byteRingUsed, byteRingWrite } from '../formats/xen-ring/index.ts';

export class XenbusComms implements XenstoreRing {
  private readonly out: Buffer[] = [];
  private deliver: (buf: Buffer) => void = () => {};
  private closed = false;
  private busy = false;
  private again = false;

  constructor(private readonly hv: Hypervisor, private readonly domid: number, private readonly page: Buffer, private readonly port: number) {
    hv.evtchn.setHandler(domid, port, () => this.event());
  }

  write(buf: Buffer): void {
    if (this.closed) return;
    this.out.push(buf);
    if (this.out.length === 1) this.push();
  }

  onData(cb: (buf: Buffer) => void): void { this.deliver = cb; }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.out.length = 0;
    // The domain may already be gone, and its ports with it.
    try { this.hv.evtchn.setHandler(this.domid, this.port, null); } catch {}
  }

  /** xb_write: as much of the waiting requests as fits, then tell xenstored. */
  private push(): void {
    let moved = false;
    while (this.out.length) {
      const head = this.out[0]!;
      const n = byteRingWrite(this.page, XS_REQ_RING, head);
      if (n <= 0) break;
      moved = true;
      if (n < head.length) { this.out[0] = head.subarray(n); break; }
      this.out.shift();
    }
    if (moved) this.hv.evtchn.send(this.domid, this.port);
  }

  /**
   * The store event: take the replies (telling xenstored when the ring had been full, so that
   * it writes the rest), then write what waited for room. An event that comes while replies are
   * being handed on (a watch callback wrote at once) is taken by the same loop, in order.
   */
  private event(): void {
    if (this.closed) return;
    if (this.busy) { this.again = true; return; }
    this.busy = true;
    try {
      do {
        this.again = false;
        const wasFull = byteRingUsed(this.page, XS_RSP_RING) === XS_RSP_RING.size;
        const data = byteRingRead(this.page, XS_RSP_RING);
        if (data?.length) {
          if (wasFull) this.hv.evtchn.send(this.domid, this.port);
          this.deliver(data);
        }
        if (this.out.length) this.push();
      } while (this.again && !this.closed);
    } finally {
      this.busy = false;
    }
  }
}
