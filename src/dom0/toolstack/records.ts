// The toolstack's domain records by domid, with an index by name: libxl looks a name up on every
// create (the duplicate check) and `xl` on every command naming a domain, and with 10,000 guests a
// scan of every record per lookup made creation quadratic.

/** What the index needs of a record. */
interface Named { domid: number; name: string }

export class DomainRecords<R extends Named> extends Map<number, R> {
  /** Name → the domids of that name (more than one only while names repeat, e.g. ''). */
  private readonly byName = new Map<string, Set<number>>();

  override set(domid: number, rec: R): this {
    const was = super.get(domid);
    if (was) this.unindex(was.name, domid);
    super.set(domid, rec);
    this.index(rec.name, domid);
    return this;
  }

  override delete(domid: number): boolean {
    const was = super.get(domid);
    if (was) this.unindex(was.name, domid);
    return super.delete(domid);
  }

  override clear(): void { super.clear(); this.byName.clear(); }

  /** A record's new name: renames go through here so that the index follows. */
  rename(rec: R, name: string): void {
    const recorded = super.get(rec.domid) === rec;
    if (recorded) this.unindex(rec.name, rec.domid);
    rec.name = name;
    if (recorded) this.index(name, rec.domid);
  }

  /** The domid of the record named `name`, if any; of several, the first recorded (a scan's answer). */
  domidOf(name: string): number | undefined {
    const ids = this.byName.get(name);
    if (!ids) return undefined;
    if (ids.size === 1) return ids.values().next().value;
    for (const r of super.values()) if (r.name === name) return r.domid;
    return undefined;
  }

  private index(name: string, domid: number): void {
    const ids = this.byName.get(name);
    if (ids) ids.add(domid); else this.byName.set(name, new Set([domid]));
  }

  private unindex(name: string, domid: number): void {
    const ids = this.byName.get(name);
    if (ids?.delete(domid) && ids.size === 0) this.byName.delete(name);
  }
}
