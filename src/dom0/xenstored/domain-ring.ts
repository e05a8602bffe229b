// xenstored's end of a domain's xenstore page (xenstored_domain.c's readchn and writechn):
// requests are taken from the req ring, replies and watch events go into the rsp ring, and the
// domain is notified after each. What does not fit in the rsp ring waits here, in order, until
// the domain has read and notifies again (C's out list).
import { ByteRingQueue, XS_REQ_RING, XS_RSP_RING, XENSTORE_DOMAIN_INTERFACE, byteRingRead } from '../../formats/xen-ring/index.ts';

export class DomainRing {
  private readonly out: ByteRingQueue;

  constructor(readonly page: Buffer, private readonly notify: () => void) {
    this.out = new ByteRingQueue(page, XS_RSP_RING);
  }

  /** Messages not yet (wholly) in the rsp ring. */
  get queued(): number { return this.out.waiting; }

  /** The request bytes waiting in the req ring, taken; null when the domain's indexes are corrupt. */
  read(): Buffer | null {
    const data = byteRingRead(this.page, XS_REQ_RING);
    if (data?.length) this.notify();
    return data;
  }

  /** Queue one encoded message; false when the domain's indexes are corrupt. */
  write(msg: Buffer): boolean {
    this.out.push(msg);
    return this.out.waiting > 1 || this.flush();
  }

  /** Move queued messages into the rsp ring as far as it has room; false on corrupt indexes. */
  flush(): boolean {
    const n = this.out.flush();
    if (n > 0) this.notify();
    return n >= 0;
  }

  /** domain_conn_reset: nothing queued, both rings empty. */
  reset(): void {
    this.out.clear();
    for (const w of ['req_cons', 'req_prod', 'rsp_cons', 'rsp_prod'] as const) this.page.writeUInt32LE(0, XENSTORE_DOMAIN_INTERFACE[w]);
  }

  /** ignore_connection: the reason goes into the page's error word. */
  setError(err: number): void { this.page.writeUInt32LE(err, XENSTORE_DOMAIN_INTERFACE.error); }
}
