// Grant tables (version 1): each domain's shared entries, which say which of its frames another
// domain may map, the active entries Xen keeps for the entries in use (pin counts, who maps
// them), and the maptrack: the handles a domain holds for the foreign grants it mapped.
// The operations between two tables (map, unmap, copy) are in grant-ops.ts.

/** Shared entry flags (public/grant_table.h). */
export const GTF_invalid = 0, GTF_permit_access = 1, GTF_type_mask = 3;
export const GTF_readonly = 1 << 2, GTF_reading = 1 << 3, GTF_writing = 1 << 4, GTF_sub_page = 1 << 8;

/** GNTTABOP_map_grant_ref flags. */
export const GNTMAP_device_map = 1 << 0, GNTMAP_host_map = 1 << 1, GNTMAP_readonly = 1 << 2;

/** Status codes of the grant operations (public/grant_table.h). */
export const GNTST_okay = 0, GNTST_general_error = -1, GNTST_bad_domain = -2, GNTST_bad_gntref = -3,
  GNTST_bad_handle = -4, GNTST_permission_denied = -8, GNTST_bad_page = -9, GNTST_bad_copy_arg = -10,
  GNTST_no_space = -13;

/** GNTTABOP_error_msgs, indexed by -status. */
const GNTST_MESSAGES = ['okay', 'undefined error', 'unrecognised domain id', 'invalid grant reference', 'invalid mapping handle',
  'invalid virtual address', 'invalid device address', 'no spare translation slot in the I/O MMU', 'permission denied', 'bad page',
  'copy arguments cross page boundary', 'page address size too large', 'operation not done; try again', 'out of space'];
/** The text of a grant operation's status (GNTTABOP_error_msgs). */
export function grantStatusMessage(status: number): string { return GNTST_MESSAGES[-status] ?? String(status); }

/** The entries the toolstack fills before the guest boots (xc_dom_gnttab_seed). */
export const GNTTAB_RESERVED_CONSOLE = 0, GNTTAB_RESERVED_XENSTORE = 1;

/** Xen's defaults when the domain's configuration leaves them unset (gnttab_max_frames, gnttab_max_maptrack_frames). */
export const OPT_MAX_GRANT_FRAMES = 64, OPT_MAX_MAPTRACK_FRAMES = 1024;

export const PAGE_SIZE = 4096;
/** v1 entries are 8 bytes: {u16 flags; domid_t domid; u32 frame}. */
export const GRANT_ENTRIES_PER_FRAME = PAGE_SIZE / 8;
/** struct grant_mapping is 16 bytes. */
export const MAPTRACK_PER_PAGE = PAGE_SIZE / 16;

/** Pin count fields of an active entry: host and device mappings, writable and read-only. */
export const GNTPIN_hstw_inc = 1 << 0, GNTPIN_hstr_inc = 1 << 8, GNTPIN_devw_inc = 1 << 16, GNTPIN_devr_inc = 1 << 24;

/** What one map operation adds to an entry's pin count. */
export function pinIncrement(flags: number): number {
  const ro = (flags & GNTMAP_readonly) !== 0;
  return ((flags & GNTMAP_device_map) ? (ro ? GNTPIN_devr_inc : GNTPIN_devw_inc) : 0)
    + ((flags & GNTMAP_host_map) ? (ro ? GNTPIN_hstr_inc : GNTPIN_hstw_inc) : 0);
}

export interface SharedEntry { flags: number; domid: number; frame: number }
export interface ActiveEntry { pin: number; domid: number; mfn: number }
/** A maptrack entry: the granter's domid and ref, and the GNTMAP_* flags (0: free). */
export interface Mapping { domid: number; ref: number; flags: number }

export class GrantTable {
  /** Grant frames in use: one at creation, more as the guest grows its table. */
  nrFrames = 1;
  private readonly shared: SharedEntry[] = [];
  private readonly active = new Map<number, ActiveEntry>();
  private readonly maptrack: Mapping[] = [];
  private freeHandles: number[] = [];

  constructor(readonly domid: number, readonly maxGrantFrames: number, readonly maxMaptrackFrames: number) {}

  get nrEntries(): number { return this.nrFrames * GRANT_ENTRIES_PER_FRAME; }
  /** Maptrack frames allocated so far (they grow one page at a time and are kept). */
  get nrMaptrackFrames(): number { return this.maptrack.length / MAPTRACK_PER_PAGE; }

  /** GNTTABOP_setup_table / the guest's gnttab_expand: false beyond max_grant_frames. */
  grow(frames: number): boolean {
    if (frames > this.maxGrantFrames) return false;
    this.nrFrames = Math.max(this.nrFrames, frames);
    return true;
  }

  /** The shared entry as the guest wrote it (an unused one reads as zeros). */
  entry(ref: number): SharedEntry { return this.shared[ref] ?? { flags: GTF_invalid, domid: 0, frame: 0 }; }

  /**
   * The guest writes a shared entry: frame first, then flags (gnttab_grant_foreign_access).
   * Xen owns the reading/writing bits, so a guest rewriting an entry in use keeps them.
   */
  setEntry(ref: number, e: SharedEntry): void {
    if (ref >= this.nrEntries) throw new RangeError(`grant ref ${ref} beyond d${this.domid}'s ${this.nrEntries} entries`);
    const busy = this.entry(ref).flags & (GTF_reading | GTF_writing);
    this.shared[ref] = { ...e, flags: (e.flags & ~(GTF_reading | GTF_writing)) | busy };
  }

  /** gnttab_end_foreign_access_ref: false (the entry stays) while someone still maps it. */
  endAccess(ref: number): boolean {
    if (this.entry(ref).flags & (GTF_reading | GTF_writing)) return false;
    delete this.shared[ref];
    return true;
  }

  activeEntry(ref: number): ActiveEntry | undefined { return this.active.get(ref); }
  setActive(ref: number, a: ActiveEntry | undefined): void { if (a && a.pin) this.active.set(ref, a); else this.active.delete(ref); }
  /** Refs with a non-zero pin count, in order (what the 'g' key lists). */
  pinnedRefs(): number[] { return [...this.active.keys()].sort((a, b) => a - b); }
  /** Whether any ref is pinned: asked at every unmap, where pinnedRefs' copy and sort of a busy table cost more than the I/O. */
  anyPinned(): boolean { return this.active.size > 0; }
  markBusy(ref: number, readonly: boolean): void {
    const e = this.entry(ref);
    this.shared[ref] = { ...e, flags: e.flags | GTF_reading | (readonly ? 0 : GTF_writing) };
  }
  /** Drop the reading/writing bits that no remaining pin justifies (reduce_status_for_pin). */
  reduceStatus(ref: number): void {
    const e = this.shared[ref];
    if (!e) return;
    const pin = this.active.get(ref)?.pin ?? 0;
    const writers = pin & (0xff * GNTPIN_hstw_inc | 0xff * GNTPIN_devw_inc);
    if (!writers) e.flags &= ~GTF_writing;
    if (!pin) e.flags &= ~GTF_reading;
  }

  // ---- maptrack (this domain as the mapper) ----

  /** get_maptrack_handle: a free handle, growing the maptrack by a page; -1 past max_maptrack_frames. */
  allocHandle(): number {
    const h = this.freeHandles.pop();
    if (h !== undefined) return h;
    if (this.nrMaptrackFrames >= this.maxMaptrackFrames) return -1;
    const first = this.maptrack.length;
    for (let i = 0; i < MAPTRACK_PER_PAGE; i++) this.maptrack.push({ domid: 0, ref: 0, flags: 0 });
    // Handed out lowest first: the free list is a stack.
    for (let i = MAPTRACK_PER_PAGE - 1; i > 0; i--) this.freeHandles.push(first + i);
    return first;
  }
  mapping(handle: number): Mapping | undefined { return handle >= 0 ? this.maptrack[handle] : undefined; }
  get maptrackLimit(): number { return this.maptrack.length; }
  setMapping(handle: number, m: Mapping): void { this.maptrack[handle] = m; }
  freeHandle(handle: number): void {
    this.maptrack[handle] = { domid: 0, ref: 0, flags: 0 };
    this.freeHandles.push(handle);
  }
  /** Handles in use, highest first (the order gnttab_release_mappings walks them). */
  liveHandles(): number[] {
    const out: number[] = [];
    for (let h = this.maptrack.length - 1; h >= 0; h--) if (this.maptrack[h]!.flags & (GNTMAP_device_map | GNTMAP_host_map)) out.push(h);
    return out;
  }
}
