// Watches: (path, token) pairs per connection, matched against changed paths, filtered by
// what the watcher may read. Relative watches report relative paths.

export interface Watch {
  /** Canonical path or `@special` name. */
  readonly path: string;
  readonly token: string;
  /** Length of the home prefix plus '/' to strip from event paths, 0 for absolute watches. */
  readonly stripLen: number;
}

/** The path a watch reports for a change at `changed`. */
export function eventPath(w: Watch, changed: string): string {
  return w.stripLen && changed.length > w.stripLen ? changed.slice(w.stripLen) : changed;
}

/** What the connections' index needs of a connection. */
export interface Watcher { readonly domid: number; readonly watches: readonly Watch[]; watchIndex: ConnectionSet | null }

/**
 * xenstored's live connections, indexed by the paths they watch and by domain: with thousands
 * of guests, each holding a few watches of its own, an event looks up the connections watching
 * its path or a path above it instead of going through all of them. Iteration keeps the order
 * in which connections joined, and so does every lookup.
 */
export class ConnectionSet<C extends Watcher = Watcher> extends Set<C> {
  private readonly seq = new Map<C, number>();
  private nextSeq = 0;
  /** Path -> connections with a watch on it -> how many (one connection may watch a path under several tokens). */
  private readonly byPath = new Map<string, Map<C, number>>();
  private readonly byDomain = new Map<number, Set<C>>();

  override add(c: C): this {
    if (this.has(c)) return this;
    super.add(c);
    this.seq.set(c, this.nextSeq++);
    let dom = this.byDomain.get(c.domid);
    if (!dom) this.byDomain.set(c.domid, dom = new Set());
    dom.add(c);
    c.watchIndex = this as unknown as ConnectionSet;
    for (const w of c.watches) this.watchAdded(c, w.path);
    return this;
  }

  override delete(c: C): boolean {
    if (!super.delete(c)) return false;
    for (const w of c.watches) this.watchRemoved(c, w.path);
    c.watchIndex = null;
    this.seq.delete(c);
    const dom = this.byDomain.get(c.domid)!;
    dom.delete(c);
    if (!dom.size) this.byDomain.delete(c.domid);
    return true;
  }

  override clear(): void { for (const c of [...this]) this.delete(c); }

  /** The connections of one domain, in the order they joined. */
  ofDomain(domid: number): Iterable<C> { return this.byDomain.get(domid) ?? []; }

  watchAdded(c: C, path: string): void {
    let m = this.byPath.get(path);
    if (!m) this.byPath.set(path, m = new Map());
    m.set(c, (m.get(c) ?? 0) + 1);
  }

  watchRemoved(c: C, path: string): void {
    const m = this.byPath.get(path);
    const n = m?.get(c);
    if (!m || n === undefined) return;
    if (n > 1) m.set(c, n - 1);
    else { m.delete(c); if (!m.size) this.byPath.delete(path); }
  }

  /**
   * The connections with a watch on `path`, or (unless `exact`) on a path above it, in the
   * order they joined.
   */
  watching(path: string, exact: boolean): C[] {
    const found: C[] = [];
    const take = (p: string): void => { const m = this.byPath.get(p); if (m) for (const c of m.keys()) found.push(c); };
    take(path);
    if (!exact && path.startsWith('/')) {
      if (path !== '/') take('/');
      for (let i = path.indexOf('/', 1); i > 0; i = path.indexOf('/', i + 1)) take(path.slice(0, i));
    }
    if (found.length < 2) return found;
    const unique = [...new Set(found)];
    return unique.sort((a, b) => this.seq.get(a)! - this.seq.get(b)!);
  }
}
