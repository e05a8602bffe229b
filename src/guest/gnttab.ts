// The guest kernel's side of its grant table (Linux's grant-table.c): grant references come
// from a free list above the reserved entries, the table grows a frame when it runs out, and
// an entry still mapped by its peer is freed later (the deferred list) rather than reused.
import { GTF_permit_access, GTF_readonly, type GrantTable } from '../hypervisor/grant-table.ts';

/** Refs below this are the toolstack's (console, xenstore) and never handed out. */
export const GNTTAB_NR_RESERVED_ENTRIES = 8;

export class GuestGnttab {
  private free: number[] = [];
  private deferred: number[] = [];
  private next = GNTTAB_NR_RESERVED_ENTRIES;

  constructor(private readonly table: GrantTable) {}

  /** gnttab_grant_foreign_access: let `domid` map `frame`; the new ref. */
  grantForeignAccess(domid: number, frame: number, readonly = false): number {
    this.retryDeferred();
    let ref = this.free.pop();
    if (ref === undefined) {
      if (this.next >= this.table.nrEntries && !this.table.grow(this.table.nrFrames + 1)) throw new Error('grant table full (ENOSPC)');
      ref = this.next++;
    }
    this.table.setEntry(ref, { flags: GTF_permit_access | (readonly ? GTF_readonly : 0), domid, frame });
    return ref;
  }

  /** A ref this kernel never handed out (its table's last entry, or the next one past its allocator). */
  neverGranted(): number { return Math.max(this.table.nrEntries - 1, this.next); }

  /** gnttab_end_foreign_access: revoke now, or once the peer has unmapped. */
  endForeignAccess(ref: number): void {
    if (this.table.endAccess(ref)) this.free.push(ref); else this.deferred.push(ref);
  }

  private retryDeferred(): void {
    this.deferred = this.deferred.filter(ref => {
      if (!this.table.endAccess(ref)) return true;
      this.free.push(ref);
      return false;
    });
  }
}
