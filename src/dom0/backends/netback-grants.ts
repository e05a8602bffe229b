// netback's grant operations on a vif's data, as Linux's netback does them. A packet the guest
// sends has its first bytes copied out of the guest's page (GNTTABOP_copy) and the rest mapped
// read-only while it is sent; a buffer the guest posts for receiving is filled by a copy into
// its page. A frontend that publishes more requests than its tx ring holds, or names a page it
// never granted, gets the request answered with an error and the vif taken down (`fatal`,
// which closes it in xenstore), as xenvif_fatal_tx_err disables it.
import { GNTCOPY_dest_gref, GNTCOPY_source_gref, type GrantOps } from '../../hypervisor/grant-ops.ts';
import { GNTMAP_host_map, GNTMAP_readonly, GNTST_okay, PAGE_SIZE } from '../../hypervisor/grant-table.ts';
import type { NetRequest, NetRings } from '../../hypervisor/io-ring.ts';
import { NETIF_RSP_ERROR, NETIF_RSP_OKAY } from '../../formats/xen-ring/index.ts';
import type { BackendFatal } from './backend-driver.ts';

/** XEN_NETBACK_TX_COPY_LEN: what is copied into the packet's head; the rest is mapped. */
const TX_COPY_LEN = 128;
const EINVAL = 22;

export class NetbackGrants {
  /** The vifs disabled by a fatal error (vif->disabled), until they go. */
  private readonly disabled = new Set<string>();
  /** Dom0's pages a packet's head is copied into and received data is copied from. */
  private readonly head = Buffer.alloc(TX_COPY_LEN);
  private readonly page = Buffer.alloc(PAGE_SIZE);

  /** `self`: the domain netback runs in. */
  constructor(private readonly gnttab: GrantOps, private readonly fatal: BackendFatal, private readonly self = 0) {}

  private disable(domid: number, devid: number, err: number, message: string): false {
    this.disabled.add(`${domid}/${devid}`);
    this.fatal(domid, devid, err, message);
    return false;
  }

  /** xenvif_tx_build_gops' check of the tx ring: false once the vif is disabled. */
  txRingSane(domid: number, devid: number, rings: NetRings): boolean {
    if (this.disabled.has(`${domid}/${devid}`)) return false;
    const { reqProd, reqCons } = rings.tx.shared.backendIndexes;
    if (((reqProd - reqCons) >>> 0) <= rings.tx.size) return true;
    return this.disable(domid, devid, EINVAL, `Impossible number of requests. req_prod ${reqProd | 0}, req_cons ${reqCons | 0}, size ${rings.tx.size}`);
  }

  /** A packet's grants, once per request (its status says it was done): false when they failed. */
  tx(domid: number, devid: number, req: NetRequest): boolean {
    if (req.status !== undefined) return req.status === NETIF_RSP_OKAY;
    const ref = req.gref ?? 0;
    const len = Math.min(TX_COPY_LEN, req.bytes);
    let status = this.gnttab.copy(this.self, {
      source: { domid, ref, offset: 0 }, dest: { domid: this.self, offset: 0, buffer: this.head }, len, flags: GNTCOPY_source_gref,
    });
    if (status === GNTST_okay && req.bytes > TX_COPY_LEN) {
      const m = this.gnttab.map(this.self, { dom: domid, ref, flags: GNTMAP_host_map | GNTMAP_readonly });
      status = m.status;
      if (status === GNTST_okay) this.gnttab.unmap(this.self, m.handle);
    }
    req.status = status === GNTST_okay ? NETIF_RSP_OKAY : NETIF_RSP_ERROR;
    return status === GNTST_okay || this.disable(domid, devid, EINVAL, `Grant copy of header failed! status: ${status} ref: ${ref}`);
  }

  /** A receive buffer filled by a copy into the guest's page: false when the copy failed. */
  rx(domid: number, devid: number, req: NetRequest): boolean {
    const status = this.gnttab.copy(this.self, {
      source: { domid: this.self, offset: 0, buffer: this.page }, dest: { domid, ref: req.gref ?? 0, offset: 0 },
      len: Math.min(req.bytes, PAGE_SIZE), flags: GNTCOPY_dest_gref,
    });
    if (status === GNTST_okay) return true;
    req.status = NETIF_RSP_ERROR;
    return this.disable(domid, devid, EINVAL, `Bad status ${status} from copy to DOM${domid}.`);
  }

  /** The vif (or every vif of the guest) goes. */
  release(domid: number, devid?: number): void {
    for (const k of this.disabled) {
      const [d, n] = k.split('/').map(Number);
      if (d === domid && (devid === undefined || n === devid)) this.disabled.delete(k);
    }
  }
}
