// Dom0's DRBD model: the resources this host defines, the secondary side its peers replicate
// to, and the primaries Remus set up on this host's vbds (remus_device_drbd_disk), which see
// every write blkback makes to those vbds.
import { DrbdResources } from './resources.ts';
import { DrbdPrimary } from './primary.ts';
import { DrbdSecondary } from './secondary.ts';

export class Drbd {
  readonly resources: DrbdResources;
  readonly secondary: DrbdSecondary;
  private primaries = new Map<string, DrbdPrimary>();

  constructor(dir: string, peerSocket: (home: string) => string, private readonly log: (line: string) => void) {
    this.resources = new DrbdResources(dir, peerSocket);
    this.secondary = new DrbdSecondary(this.resources, log);
  }

  listen(path: string): Promise<void> { return this.secondary.listen(path); }

  close(): void {
    for (const p of this.primaries.values()) p.close();
    this.primaries.clear();
    this.secondary.close();
  }

  /** blkback wrote to a vbd: replicated if Remus made it a DRBD primary. */
  write(domid: number, devid: number, offset: number, data: Buffer): void { this.primaries.get(`${domid}/${devid}`)?.write(offset, data); }

  /**
   * drbd_setup for one vbd: block-drbd-probe on its target; when it matches, the peer is synced
   * and the vbd's writes are replicated from then on. Returns the probe's exit status otherwise.
   */
  async setup(domid: number, devid: number, target: string): Promise<DrbdPrimary | number> {
    const p = await DrbdPrimary.probe(this.resources, target);
    if (!(p instanceof DrbdPrimary)) { this.log(`block-drbd-probe ${target}: ${p.why}`); return p.status; }
    const key = `${domid}/${devid}`;
    this.primaries.get(key)?.close();
    this.primaries.set(key, p);
    try { await p.sync(); } catch (e) { this.teardown(domid, devid); throw e; }
    return p;
  }

  /** drbd_teardown. */
  teardown(domid: number, devid: number): void {
    const key = `${domid}/${devid}`;
    this.primaries.get(key)?.close();
    this.primaries.delete(key);
  }
}
