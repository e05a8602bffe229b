// blkback's grants of a vbd's data. Before any byte of a request moves, its segments (and its
// indirect pages) are mapped through the hypervisor. With feature-persistent the mappings stay
// in a tree per ring and serve every later request naming the same ref, up to
// max_persistent_grants (Linux's default 1056); past that a request's pages are mapped for it
// alone. The tree goes with the vbd (free_persistent_gnts). A frontend that publishes more
// requests than its ring holds, or names a page it never granted, is refused: the request is
// answered with an error and the vbd is taken down (`fatal`, which closes it in xenstore).
import type { GrantOps } from '../../hypervisor/grant-ops.ts';
import { GNTMAP_host_map, GNTST_okay } from '../../hypervisor/grant-table.ts';
import type { BlkRequest, BlkRings } from '../../hypervisor/io-ring.ts';
import { grantStatusMessage } from '../../hypervisor/grant-table.ts';
import type { BackendFatal } from './backend-driver.ts';

export const MAX_PERSISTENT_GRANTS = 1056;
const EACCES = 13, EIO = 5;

interface Tree { handles: Map<number, number>; halted: boolean }

export class BlkbackGrants {
  private readonly trees = new Map<string, Tree>();

  /** `self`: the domain blkback runs in. */
  constructor(private readonly gnttab: GrantOps, private readonly fatal: BackendFatal, private readonly self = 0) {}

  private tree(domid: number, devid: number): Tree {
    const k = `${domid}/${devid}`;
    let t = this.trees.get(k);
    if (!t) this.trees.set(k, t = { handles: new Map(), halted: false });
    return t;
  }

  /**
   * __do_block_io_op's check before it takes a request: false once the ring is halted, as it is
   * when the frontend's req_prod runs more than a ring ahead of the responses (RING_REQUEST_PROD_OVERFLOW).
   */
  ringSane(domid: number, devid: number, rings: BlkRings): boolean {
    const t = this.tree(domid, devid);
    if (t.halted) return false;
    const { reqProd, rspProdPvt } = rings.ring.shared.backendIndexes;
    const ahead = (reqProd - rspProdPvt) | 0;
    if (ahead >= 0 && ahead <= rings.ring.size) return true;
    t.halted = true;
    this.fatal(domid, devid, EACCES, `Frontend provided bogus ring requests (${reqProd | 0} - ${rspProdPvt | 0} = ${ahead}). Halting ring processing on dev=${devid.toString(16).padStart(4, '0')}`);
    return false;
  }

  /** xen_blkbk_map for one request: false when a page could not be mapped (the vbd is then taken down). */
  mapRequest(domid: number, devid: number, req: BlkRequest): boolean {
    const t = this.tree(domid, devid);
    if (t.halted) return false;
    const transient: number[] = [];
    let failed: { ref: number; status: number } | null = null;
    for (const ref of [...req.indirect ?? [], ...req.grefs ?? []]) {
      if (t.handles.has(ref)) continue;
      // Persistent grants are mapped writable: the same page serves reads and writes.
      const r = this.gnttab.map(this.self, { dom: domid, ref, flags: GNTMAP_host_map });
      if (r.status !== GNTST_okay) { failed ??= { ref, status: r.status }; continue; }
      if (t.handles.size < MAX_PERSISTENT_GRANTS) t.handles.set(ref, r.handle); else transient.push(r.handle);
    }
    // The request is served at once: what it mapped for itself alone goes now.
    for (const h of transient) this.gnttab.unmap(this.self, h);
    if (!failed) return true;
    t.halted = true;
    this.fatal(domid, devid, EIO, `invalid buffer -- could not remap it (grant ref ${failed.ref}: ${grantStatusMessage(failed.status)})`);
    return false;
  }

  /** The vbd (or every vbd of the guest) goes: its persistent grants are unmapped. */
  release(domid: number, devid?: number): void {
    for (const [k, t] of this.trees) {
      const [d, n] = k.split('/').map(Number);
      if (d !== domid || (devid !== undefined && n !== devid)) continue;
      for (const h of t.handles.values()) this.gnttab.unmap(this.self, h);
      this.trees.delete(k);
    }
  }
}
