// The node database. Nodes are immutable records keyed by absolute path; a change replaces the
// record and gives it a fresh generation from one global counter (what transaction conflict
// checks and DIRECTORY_PART compare). Children are kept in creation order, as C xenstored does.

import { childPath } from './path.ts';
import type { Perm } from './perms.ts';
import { nodeMemory } from './quota.ts';

export interface XsNode {
  readonly value: Buffer;
  readonly perms: readonly Perm[];
  readonly children: readonly string[];
  readonly generation: number;
}

/** Generation of a node that does not exist, for conflict checks. */
export const NO_GENERATION = -1;

/** What every operation reads and writes through: the live store, or a transaction. */
export interface NodeView {
  get(path: string): XsNode | undefined;
  put(path: string, node: Omit<XsNode, 'generation'>): void;
  del(path: string): void;
  /** Nodes owned by `domid` as this view sees them (for the nodes quota). */
  ownedBy(domid: number): number;
  /** Bytes of node records owned by `domid` in the store (for the memory quota). */
  memoryOf(domid: number): number;
}

/** Told of every change to the live store (the journal), in the order they are made. */
export interface StoreObserver {
  /** `old` is what the node was (undefined: it is new). */
  put(path: string, node: XsNode, old: XsNode | undefined): void;
  del(path: string, old: XsNode): void;
}

export class Store implements NodeView {
  private readonly nodes = new Map<string, XsNode>();
  private readonly owned = new Map<number, number>();
  /**
   * Bytes of node records per owner, as C xenstored accounts them (key + record), Domain-0's
   * apart: it owns the directories with a child per guest (/local/domain, /vm, the backends'),
   * whose every change would cost a pass over 10,000 names here, and no quota binds it, so its
   * figure is summed only when asked.
   */
  private readonly memory = new Map<number, number>();
  private gen = 0;
  observer: StoreObserver | null = null;

  /** `empty`: no nodes at all, for a tree to be loaded from the journal. */
  constructor(empty = false) {
    if (empty) return;
    const root = [{ id: 0, bits: 0 }];
    // The tree C xenstored starts with: / → tool → xenstored (empty), all n0.
    this.put('/', { value: Buffer.alloc(0), perms: root, children: ['tool'] });
    this.put('/tool', { value: Buffer.alloc(0), perms: root, children: ['xenstored'] });
    this.put('/tool/xenstored', { value: Buffer.alloc(0), perms: root, children: [] });
  }

  get generation(): number { return this.gen; }
  get size(): number { return this.nodes.size; }

  get(path: string): XsNode | undefined { return this.nodes.get(path); }

  put(path: string, node: Omit<XsNode, 'generation'>): void {
    const old = this.nodes.get(path);
    if (old) this.count(path, old, -1);
    this.count(path, node, 1);
    const stored = { value: node.value, perms: node.perms, children: node.children, generation: ++this.gen };
    this.nodes.set(path, stored);
    this.observer?.put(path, stored, old);
  }

  del(path: string): void {
    const old = this.nodes.get(path);
    if (!old) return;
    this.count(path, old, -1);
    this.nodes.delete(path);
    this.observer?.del(path, old);
  }

  /** Puts back what a node was (undefined: absent), unobserved: undoes a change that could not be journalled. */
  restore(path: string, node: XsNode | undefined): void {
    const cur = this.nodes.get(path);
    if (cur) this.count(path, cur, -1);
    if (node) { this.count(path, node, 1); this.nodes.set(path, node); } else this.nodes.delete(path);
  }

  /** Every node, parents before children (for a snapshot). */
  *walk(): Generator<[string, XsNode]> {
    const stack = ['/'];
    for (let path = stack.pop(); path !== undefined; path = stack.pop()) {
      const node = this.nodes.get(path);
      if (!node) continue;
      yield [path, node];
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(childPath(path, node.children[i]!));
    }
  }

  ownedBy(domid: number): number { return this.owned.get(domid) ?? 0; }

  memoryOf(domid: number): number {
    if (domid !== 0) return this.memory.get(domid) ?? 0;
    let m = 0;
    for (const [path, node] of this.nodes) if (node.perms[0]!.id === 0) m += nodeMemory(path, node);
    return m;
  }

  private count(path: string, node: Omit<XsNode, 'generation'>, d: number): void {
    const domid = node.perms[0].id;
    const n = (this.owned.get(domid) ?? 0) + d;
    if (n === 0) this.owned.delete(domid); else this.owned.set(domid, n);
    if (domid === 0) return;
    const m = (this.memory.get(domid) ?? 0) + d * nodeMemory(path, node);
    if (n === 0) this.memory.delete(domid); else this.memory.set(domid, m);
  }
}
