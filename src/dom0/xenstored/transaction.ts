// A transaction as C xenstored 4.17 keeps it: a private copy of every node it touched (so it
// keeps seeing what it first read, or what it wrote), and for every node whose first access
// was a read, the generation it had then. Commit fails with EAGAIN if any of those
// generations moved; nodes only written are "last writer wins".

import { fail } from './errors.ts';
import { quota } from './quota.ts';
import { NO_GENERATION, type NodeView, type Store, type XsNode } from './store.ts';

/** A watch event recorded inside a transaction, fired only if it commits. */
export interface PendingEvent { path: string; exact: boolean; oldPerms?: XsNode['perms'] }

const WRITTEN_FIRST = -2;

export class Transaction implements NodeView {
  private readonly changed = new Map<string, XsNode | null>();
  /** Nodes as first read (null: absent then), so outside changes stay invisible. */
  private readonly seen = new Map<string, XsNode | null>();
  private readonly accessed = new Map<string, number>();
  private readonly ownedDelta = new Map<number, number>();
  /** One queued event per node, as C keeps a fire-watch flag per accessed node. */
  private readonly events = new Map<string, PendingEvent>();

  constructor(readonly id: number, private readonly store: Store, private readonly limited: boolean) {}

  private touch(path: string, gen: number): void {
    if (this.accessed.has(path)) return;
    if (this.limited && this.accessed.size >= quota.transactionNodes) fail('ENOSPC');
    this.accessed.set(path, gen);
  }

  get(path: string): XsNode | undefined {
    const mine = this.changed.has(path) ? this.changed.get(path) : this.seen.get(path);
    if (mine !== undefined) return mine ?? undefined;
    const node = this.store.get(path);
    this.touch(path, node ? node.generation : NO_GENERATION);
    this.seen.set(path, node ?? null);
    return node;
  }

  put(path: string, node: Omit<XsNode, 'generation'>): void {
    this.touch(path, WRITTEN_FIRST);
    const old = this.current(path);
    if (old) this.adjust(old.perms[0].id, -1);
    this.adjust(node.perms[0].id, 1);
    // Generation of a private copy: what DIRECTORY_PART reports inside the transaction.
    this.changed.set(path, { ...node, generation: this.store.generation + 1 });
  }

  del(path: string): void {
    this.touch(path, WRITTEN_FIRST);
    const old = this.current(path);
    if (old) this.adjust(old.perms[0].id, -1);
    this.changed.set(path, null);
  }

  ownedBy(domid: number): number { return this.store.ownedBy(domid) + (this.ownedDelta.get(domid) ?? 0); }

  /** The store's figure: C accounts a transaction's private copies to the connection, apart. */
  memoryOf(domid: number): number { return this.store.memoryOf(domid); }

  private current(path: string): XsNode | undefined {
    const mine = this.changed.has(path) ? this.changed.get(path) : this.seen.get(path);
    return mine !== undefined ? mine ?? undefined : this.store.get(path);
  }

  private adjust(domid: number, d: number): void {
    this.ownedDelta.set(domid, (this.ownedDelta.get(domid) ?? 0) + d);
  }

  queue(events: readonly PendingEvent[]): void {
    for (const ev of events) {
      const old = this.events.get(ev.path);
      this.events.set(ev.path, { ...ev, oldPerms: old?.oldPerms ?? ev.oldPerms });
    }
  }

  /**
   * Applies the changes to the store, or throws EAGAIN if something it read has changed.
   * Returns the watch events to fire, in the order the transaction first touched their nodes.
   */
  commit(): PendingEvent[] {
    for (const [path, gen] of this.accessed) {
      if (gen === WRITTEN_FIRST) continue;
      const now = this.store.get(path);
      if ((now ? now.generation : NO_GENERATION) !== gen) fail('EAGAIN');
    }
    for (const [path, node] of this.changed) {
      if (node) this.store.put(path, node); else this.store.del(path);
    }
    const fired: PendingEvent[] = [];
    for (const path of this.accessed.keys()) {
      const ev = this.events.get(path);
      if (ev) fired.push(ev);
    }
    return fired;
  }
}
