// The grant table operations between two domains, with Xen's checks in Xen's order and its
// status codes: GNTTABOP_map_grant_ref, unmap_grant_ref, copy, and gnttab_release_mappings
// (a dying domain gives back every foreign grant it still maps).
import {
  GNTMAP_readonly, GNTST_bad_copy_arg, GNTST_bad_domain, GNTST_bad_gntref,
  GNTST_bad_handle, GNTST_bad_page, GNTST_general_error, GNTST_no_space, GNTST_okay, GNTST_permission_denied,
  GTF_permit_access, GTF_readonly, GTF_sub_page, GTF_type_mask, PAGE_SIZE, pinIncrement, type GrantTable,
} from './grant-table.ts';
import { PAGE_HEADER_SIZE, type GuestMemory } from './guest-memory.ts';

export interface GrantWorld {
  /** A domain's grant table; a dying domain's too while foreign mappings keep it. */
  table(domid: number): GrantTable | undefined;
  /** Whether `gfn` is a populated frame of the domain (get_paged_frame). */
  frameValid(domid: number, gfn: number): boolean;
  /** The machine frame behind a guest frame. */
  mfn(domid: number, gfn: number): number;
  /** The domain's memory, when its bytes are modelled. */
  memory(domid: number): GuestMemory | null;
  traceMap(mapper: number, granter: number): void;
  traceUnmap(mapper: number, granter: number): void;
  /** The granter's table lost its last pin (a dying domain can now go). */
  released(granter: number): void;
}

export interface MapResult { status: number; handle: number; mfn: number }

/** One end of a GNTTABOP_copy: a grant of `domid`, or (the caller's own) a frame; `buffer` stands for the caller's page when its memory is not modelled. */
export interface CopySide { domid: number; ref?: number; gmfn?: number; offset: number; buffer?: Buffer }
export const GNTCOPY_source_gref = 1, GNTCOPY_dest_gref = 2;

export class GrantOps {
  constructor(private readonly w: GrantWorld) {}

  /** GNTTABOP_map_grant_ref issued by `mapper` for `ref` of domain `dom`. */
  map(mapper: number, op: { dom: number; ref: number; flags: number }): MapResult {
    const fail = (status: number): MapResult => ({ status, handle: -1, mfn: 0 });
    const incr = pinIncrement(op.flags);
    if (!incr) return fail(GNTST_bad_gntref);
    const rgt = this.w.table(op.dom), lgt = this.w.table(mapper);
    if (!rgt || !lgt) return fail(GNTST_bad_domain);
    const handle = lgt.allocHandle();
    if (handle < 0) return fail(GNTST_no_space);
    const undo = (status: number): MapResult => { lgt.freeHandle(handle); return fail(status); };
    if (op.ref >= rgt.nrEntries) return undo(GNTST_bad_gntref);
    const readonly = (op.flags & GNTMAP_readonly) !== 0;
    const act = rgt.activeEntry(op.ref);
    if (act && act.domid !== mapper) return undo(GNTST_general_error);
    const sha = rgt.entry(op.ref);
    if (!act && ((sha.flags & (GTF_type_mask | GTF_sub_page)) !== GTF_permit_access || sha.domid !== mapper)) return undo(GNTST_general_error);
    if (!readonly && (sha.flags & GTF_readonly)) return undo(GNTST_general_error);
    // A frame the granter no longer has (or a dying granter's): bad page at the first pin, a pin that cannot be taken after.
    if (!this.w.frameValid(op.dom, sha.frame)) return undo(act ? GNTST_general_error : GNTST_bad_page);
    const mfn = act?.mfn ?? this.w.mfn(op.dom, sha.frame);
    if (act) act.pin += incr; else rgt.setActive(op.ref, { pin: incr, domid: mapper, mfn });
    rgt.markBusy(op.ref, readonly);
    this.w.traceMap(mapper, op.dom);
    lgt.setMapping(handle, { domid: op.dom, ref: op.ref, flags: op.flags });
    return { status: GNTST_okay, handle, mfn };
  }

  /** GNTTABOP_unmap_grant_ref of one of `mapper`'s handles. */
  unmap(mapper: number, handle: number): number {
    const lgt = this.w.table(mapper);
    if (!lgt || handle < 0 || handle >= lgt.maptrackLimit) return GNTST_bad_handle;
    const map = lgt.mapping(handle)!;
    if (!map.flags) return GNTST_bad_handle;
    const rgt = this.w.table(map.domid);
    if (!rgt) return GNTST_bad_domain;
    this.w.traceUnmap(mapper, map.domid);
    this.drop(rgt, map.ref, map.flags);
    lgt.freeHandle(handle);
    return GNTST_okay;
  }

  /** gnttab_release_mappings: a dying domain's maptrack, walked from the top, each mapping dropped. */
  releaseMappings(domid: number): void {
    const lgt = this.w.table(domid);
    if (!lgt) return;
    for (const handle of lgt.liveHandles()) {
      const map = lgt.mapping(handle)!;
      const rgt = this.w.table(map.domid);
      if (rgt) this.drop(rgt, map.ref, map.flags);
      lgt.freeHandle(handle);
    }
  }

  private drop(rgt: GrantTable, ref: number, flags: number): void {
    const act = rgt.activeEntry(ref);
    if (act) { act.pin -= pinIncrement(flags); rgt.setActive(ref, act); }
    rgt.reduceStatus(ref);
    if (!rgt.anyPinned()) this.w.released(rgt.domid);
  }

  /** GNTTABOP_copy of `len` bytes for `caller` (netback's way of moving packets). */
  copy(caller: number, op: { source: CopySide; dest: CopySide; len: number; flags: number }): number {
    const sides = [[op.source, (op.flags & GNTCOPY_source_gref) !== 0, true], [op.dest, (op.flags & GNTCOPY_dest_gref) !== 0, false]] as const;
    const pages: { mem: GuestMemory | null; gfn: number; side: CopySide }[] = [];
    for (const [side, isGref, readonly] of sides) {
      // Only DOMID_SELF (the caller) may be named by frame.
      if (!isGref && side.domid !== caller) return GNTST_permission_denied;
      if (!this.w.table(side.domid)) return GNTST_bad_domain;
      if (side.offset + op.len > PAGE_SIZE) return GNTST_bad_copy_arg;
      let gfn = side.gmfn ?? 0;
      if (isGref) {
        const gt = this.w.table(side.domid)!;
        const ref = side.ref ?? -1;
        if (ref < 0 || ref >= gt.nrEntries) return GNTST_bad_gntref;
        const e = gt.entry(ref);
        if ((e.flags & GTF_type_mask) !== GTF_permit_access || e.domid !== caller) return GNTST_general_error;
        if (!readonly && (e.flags & GTF_readonly)) return GNTST_general_error;
        gfn = e.frame;
      }
      if (!side.buffer && !this.w.frameValid(side.domid, gfn)) return GNTST_bad_page;
      pages.push({ mem: this.w.memory(side.domid), gfn, side });
    }
    const [src, dst] = pages as [typeof pages[0], typeof pages[0]];
    const bytes = src.side.buffer ? src.side.buffer.subarray(src.side.offset, src.side.offset + op.len)
      : src.mem ? readFrame(src.mem, src.gfn, src.side.offset, op.len) : Buffer.alloc(op.len);
    if (dst.side.buffer) bytes.copy(dst.side.buffer, dst.side.offset);
    else if (dst.mem) writeFrame(dst.mem, dst.gfn, dst.side.offset, bytes);
    return GNTST_okay;
  }
}

/** Where a page the kernel does not share is read for a copy (one at a time: the copy is synchronous). */
const scratch = Buffer.alloc(PAGE_SIZE);

/** `len` bytes at `offset` of a guest frame: a page the kernel shares is read in place. */
function readFrame(mem: GuestMemory, gfn: number, offset: number, len: number): Buffer {
  if (mem.isKernelPage(gfn)) return mem.sharedPage(gfn).subarray(offset, offset + len);
  mem.copyPage(gfn, scratch, 0);
  return scratch.subarray(offset, offset + len);
}

/**
 * Store bytes at `offset` of a guest frame. The first bytes of a page the kernel does not share
 * are the memory model's header (the page's identity in a save stream), not the guest's data:
 * a copy reaching into them leaves them.
 */
function writeFrame(mem: GuestMemory, gfn: number, offset: number, bytes: Buffer): void {
  if (mem.isKernelPage(gfn)) { bytes.copy(mem.sharedPage(gfn), offset); mem.touch(gfn); return; }
  const skip = Math.max(0, PAGE_HEADER_SIZE - offset);
  if (skip < bytes.length) mem.poke(gfn, offset + skip, Buffer.from(bytes.subarray(skip)));
}
