// xenstored's end of a domain's xenstore page (xenstored_domain.c's readchn and writechn):
// requests are taken from the req ring, replies and watch events go into the rsp ring, and the
// domain is notified after each. What does not fit in the rsp ring waits here, in order, until
// the domain has read and notifies again (C's out list).
import { XS_REQ_RING, XS_RSP_RING, XENSTORE_DOMAIN_INTERFACE, byteRingRead, byteRingWrite } from '../../formats/xen-ring/index.ts';

export class DomainRing {
  private readonly out: Buffer[] = [];
  /** Bytes of out[0] already in the ring. */
  private written = 0;

  constructor(readonly page: Buffer, private readonly notify: () => void) {}

  /** Messages not yet (wholly) in the rsp ring. */
  get queued(): number { return this.out.length; }

  /** The request bytes waiting in the req ring, taken; null when the domain's indexes are corrupt. */
  read(): Buffer | null {
    const data = byteRingRead(this.page, XS_REQ_RING);
    if (data?.length) this.notify();
    return data;
  }

  /** Queue one encoded message; false when the domain's indexes are corrupt. */
  write(msg: Buffer): boolean {
    this.out.push(msg);
    return this.out.length > 1 || this.flush();
  }

  /** Move queued messages into the rsp ring as far as it has room; false on corrupt indexes. */
  flush(): boolean {
    let moved = false;
    while (this.out.length) {
      const head = this.out[0]!;
      const n = byteRingWrite(this.page, XS_RSP_RING, head.subarray(this.written));
      if (n < 0) return false;
      if (n > 0) moved = true;
      this.written += n;
      if (this.written < head.length) break;
      this.out.shift();
      this.written = 0;
    }
    if (moved) this.notify();
    return true;
  }

  /** domain_conn_reset: nothing queued, both rings empty. */
  reset(): void {
    this.out.length = 0;
    this.written = 0;
    for (const w of ['req_cons', 'req_prod', 'rsp_cons', 'rsp_prod'] as const) this.page.writeUInt32LE(0, XENSTORE_DOMAIN_INTERFACE[w]);
  }

  /** ignore_connection: the reason goes into the page's error word. */
  setError(err: number): void { this.page.writeUInt32LE(err, XENSTORE_DOMAIN_INTERFACE.error); }
}
