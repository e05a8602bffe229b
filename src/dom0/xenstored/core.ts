// xenstored's shared state: the store, the connections, the introduced domains and the
// special watch nodes' permissions; firing watches; introducing and releasing domains.

import { Connection } from './connection.ts';
import type { XsdErrorName } from './errors.ts';
import type { Journal } from './journal.ts';
import { removeTree } from './node-ops.ts';
import { childPath, isAtOrBelow, parentOf } from './path.ts';
import { PERM_READ, permFor, type Perm } from './perms.ts';
import { Store } from './store.ts';
import type { PendingEvent } from './transaction.ts';
import { ConnectionSet, eventPath } from './watches.ts';
import { quota } from './quota.ts';
import { XS_HEADER_LEN } from '../../formats/xenstore-wire.ts';
import { REAL_CLOCK, type LiveUpdate, type XenstoredClock } from './live-update.ts';

export const INTRODUCE_DOMAIN = '@introduceDomain';
export const RELEASE_DOMAIN = '@releaseDomain';

export interface DomainInfo { shutdownReported: boolean }

/** What xenstored holds of an introduced domain's page and event channel (nothing without a hypervisor). */
export interface DomainRings {
  /** map_interface and bind the domain's port: from then on it talks through its page. Throws XsdError. */
  connect(domid: number, port: number): void;
  /** A repeated XS_INTRODUCE binds the port again (a new event channel). Throws XsdError. */
  rebind(domid: number, port: number): void;
  /** domain_conn_reset: the domain's watches, transactions and queued output go, its rings restart empty. */
  reset(domid: number): void;
  /** Unmap the page and unbind the port. */
  disconnect(domid: number): void;
  /** Replies and events waiting for room in the domain's page. */
  queued(domid: number): number;
}

export class XenstoredCore {
  readonly connections = new ConnectionSet<Connection>();
  /** Introduced domains; dom0 is introduced from the start. */
  readonly domains = new Map<number, DomainInfo>([[0, { shutdownReported: false }]]);
  /** SET_TARGET: a domain (a device model's) acting for another. */
  readonly targets = new Map<number, number>();
  readonly specialPerms = new Map<string, Perm[]>([
    [INTRODUCE_DOMAIN, [{ id: 0, bits: 0 }]],
    [RELEASE_DOMAIN, [{ id: 0, bits: 0 }]],
  ]);

  /**
   * Domains C xenstored keeps a struct for (what CONTROL quota can report): dom0, introduced
   * domains, and existing domains a permission names.
   */
  readonly accounted = new Set<number>([0]);
  /**
   * C xenstored's errno as the last node lookup (or watch path check) left it. A request whose
   * path argument is malformed fails with it, as C passes a NULL name down and reports errno
   * unchanged; null is 0, on which C aborts (an assertion) and we answer EINVAL.
   */
  errno: XsdErrorName | null = 'ENOENT';
  rings: DomainRings | null = null;
  clock: XenstoredClock = REAL_CLOCK;
  /** CONTROL live-update's session (set by Xenstored). */
  liveUpdate!: LiveUpdate;

  constructor(
    readonly log: (line: string) => void,
    readonly store: Store = new Store(),
    readonly journal: Journal | null = null,
    /** Whether the hypervisor has this domain (xc_domain_getinfo). */
    readonly domainExists: (domid: number) => boolean = () => true,
  ) {}

  /** Journals the changes made since the last call; an error name if they could not be (and were undone). */
  persist(): XsdErrorName | null { return this.journal ? this.journal.flush() : null; }

  /**
   * domain_alloc_permrefs: a domain a permission names is known if xenstored keeps a struct
   * for it, or the hypervisor has it (then xenstored starts keeping one).
   */
  knowDomain(domid: number): boolean {
    if (this.accounted.has(domid)) return true;
    if (!this.domainExists(domid)) return false;
    this.accounted.add(domid);
    return true;
  }

  /** Watches of a domain's own connections (socket clients are not counted, as in C). */
  watchesOfDomain(domid: number): number {
    let n = 0;
    for (const c of this.connections.ofDomain(domid)) if (!c.isSocket) n += c.watches.length;
    return n;
  }

  /**
   * Bytes C xenstored accounts to a domain: its nodes' records, and its connections' watch
   * paths and tokens (socket clients count as dom0). Replies and events are written out
   * before the next request is read, so nothing is queued when this is asked.
   */
  memoryOf(domid: number): number {
    let n = this.store.memoryOf(domid);
    for (const c of this.connections.ofDomain(domid)) for (const w of c.watches) n += w.path.length + w.token.length;
    return n;
  }

  fire(events: readonly PendingEvent[]): void {
    for (const ev of events) this.fireOne(ev);
  }

  private fireOne(ev: PendingEvent): void {
    const special = ev.path.startsWith('@');
    for (const conn of this.connections.watching(ev.path, ev.exact || special)) {
      let allowed: boolean | undefined;
      for (const w of conn.watches) {
        if (ev.exact || special ? w.path !== ev.path : !isAtOrBelow(ev.path, w.path)) continue;
        allowed ??= this.mayWatch(conn, ev, special);
        if (!allowed) break;
        this.sendEvent(conn, eventPath(w, ev.path), w.token);
      }
    }
  }

  /**
   * A watch event for `conn`, unless it would take an unprivileged domain to its memory quota:
   * C xenstored accounts a queued event to the domain and drops one it cannot account.
   */
  sendEvent(conn: Connection, path: string, token: string): void {
    if (!conn.privileged && this.memoryOf(conn.domid) + XS_HEADER_LEN + path.length + token.length + 2 >= quota.memory) return;
    conn.sendWatchEvent(path, token);
  }

  /** An event reaches a watcher only if it could read the node (or old node) or its parent. */
  private mayWatch(conn: Connection, ev: PendingEvent, special: boolean): boolean {
    if (conn.privileged) return true;
    const readable = (perms: readonly Perm[] | undefined): boolean => !!perms && (permFor(conn, perms) & PERM_READ) !== 0;
    if (special) return readable(this.specialPerms.get(ev.path));
    if (readable(ev.oldPerms)) return true;
    const node = this.store.get(ev.path);
    if (node && readable(node.perms)) return true;
    return readable(this.store.get(parentOf(ev.path))?.perms);
  }

  /**
   * XS_INTRODUCE: a new domain is connected through its page and announced; an introduced one
   * gets its port bound again. Either way its connection starts afresh, as in C.
   */
  introduce(domid: number, port: number): void {
    if (domid === 0) return;
    if (this.domains.has(domid)) this.rings?.rebind(domid, port);
    else {
      this.rings?.connect(domid, port);
      this.domains.set(domid, { shutdownReported: false });
      this.accounted.add(domid);
      this.fire([{ path: INTRODUCE_DOMAIN, exact: true }]);
    }
    this.rings?.reset(domid);
  }

  /** A restarted xenstored takes a running domain back: its page as the domain left it, no @introduceDomain. */
  restore(domid: number, port: number): void {
    if (this.domains.has(domid)) return;
    this.rings?.connect(domid, port);
    this.domains.set(domid, { shutdownReported: false });
    this.accounted.add(domid);
  }

  /**
   * VIRQ_DOM_EXC for a domain that shut down (it still exists): fire @releaseDomain once, as C
   * xenstored's domain_cleanup does when it first sees the domain shut down, so that toolstacks
   * watching it learn of the shutdown.
   */
  shutdown(domid: number): void {
    const d = this.domains.get(domid);
    if (!d || d.shutdownReported) return;
    d.shutdownReported = true;
    this.fire([{ path: RELEASE_DOMAIN, exact: true }]);
  }

  /** Forgets a domain: drops its connections, removes the nodes it owns, fires @releaseDomain. */
  release(domid: number): void {
    if (!this.domains.delete(domid)) return;
    this.accounted.delete(domid);
    this.targets.delete(domid);
    for (const c of [...this.connections]) if (c.domid === domid && !c.privileged) c.drop();
    this.rings?.disconnect(domid);
    const events: PendingEvent[] = [];
    this.removeOwnedBy(domid, '/', events);
    this.fire(events);
    this.fire([{ path: RELEASE_DOMAIN, exact: true }]);
  }

  private removeOwnedBy(domid: number, path: string, events: PendingEvent[]): void {
    const node = this.store.get(path);
    if (!node) return;
    if (path !== '/' && node.perms[0].id === domid) { removeTree(this.store, path, node, events); return; }
    for (const c of [...node.children]) this.removeOwnedBy(domid, childPath(path, c), events);
  }
}
