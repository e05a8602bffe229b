// blkback's data path: serves each vbd's ring every tick with real reads and writes on the
// image file behind it (writes allocate blocks in a sparse file), answers every request on the
// ring, and keeps the counters xentop shows: OO (ring found full), RD, WR, RSECT, WSECT. With
// feature-persistent, the pages a frontend grants for its data stay mapped: the first requests
// map new ones, up to the pool blkfront keeps per ring, and all are unmapped when the device goes.
import { closeSync, openSync, readSync, writeSync, statSync } from 'node:fs';
import type { Clock, Timer } from '../../machine/clock.ts';
import { BLKIF_RSP_ERROR, BLKIF_RSP_OKAY, type BlkRequest, type BlkResponse, type BlkRings } from '../../hypervisor/io-ring.ts';
import type { VbdStats } from '../../protocol/stats.ts';

const TICK_NS = 100_000_000n;
/** Persistent grants blkfront keeps per ring: 32 requests of 11 segments. */
const PERSISTENT_GRANTS = 32 * 11;
/** Segments per request without indirect descriptors, and sectors per 4 KiB segment. */
const SEGMENTS = 11, SECTORS_PER_PAGE = 8;

/** Grant-table operations of the Dom0 kernel, as the data path needs them. */
export interface GrantOps { map(granter: number, pages: number): void; unmap(granter: number, pages: number): void }

/** An open image file; null for a block device, which is left alone; undefined when the file could not be opened. */
type Image = number | null | undefined;

interface Vbd { domid: number; devid: number; rings: BlkRings; writable: boolean; image: Image; stats: VbdStats; buf: Buffer; persistent: number }

/** The file behind a vbd, opened for writing only when the vbd is writable (mode `w`). */
function openImage(params: string, writable: boolean): Image {
  try {
    if (!statSync(params).isFile()) return null;
    return openSync(params, writable ? 'r+' : 'r');
  } catch { return undefined; }
}

export class BlkDataplane {
  private vbds = new Map<string, Vbd>();
  private timer: Timer | undefined;

  /** `irq`: the disk raises its interrupt for a tick's completed requests. */
  constructor(private readonly clock: Clock, private readonly grants: GrantOps = { map: () => {}, unmap: () => {} }, private readonly irq: () => void = () => {}) {}

  attach(domid: number, devid: number, rings: BlkRings, params: string, writable: boolean): void {
    this.vbds.set(`${domid}/${devid}`, {
      domid, devid, rings, writable, image: openImage(params, writable), buf: Buffer.alloc(128 * 512), persistent: 0,
      stats: { dev: devid, backType: 1, ooReqs: 0, rdReqs: 0, wrReqs: 0, rdSects: 0, wrSects: 0 },
    });
    if (!this.timer) this.timer = this.clock.after(TICK_NS, () => this.tick());
  }

  detach(domid: number, devid?: number): void {
    for (const [k, v] of this.vbds) {
      if (v.domid !== domid || (devid !== undefined && v.devid !== devid)) continue;
      if (typeof v.image === 'number') closeSync(v.image);
      this.grants.unmap(v.domid, v.persistent);
      this.vbds.delete(k);
    }
  }

  stats(domid: number): VbdStats[] {
    return [...this.vbds.values()].filter(v => v.domid === domid).sort((a, b) => a.devid - b.devid)
      .map(v => ({ ...v.stats, ooReqs: v.rings.ring.overflows }));
  }

  private tick(): void {
    this.timer = undefined;
    let done = 0;
    for (const v of this.vbds.values()) {
      for (const req of v.rings.ring.take()) { v.rings.responses.push({ id: req.id, status: this.serve(v, req) }); done++; }
    }
    if (done) this.irq();
    if (this.vbds.size) this.timer = this.clock.after(TICK_NS, () => this.tick());
  }

  /** One request in Linux blkback's order: counted, checked against the vbd, its grants mapped, then done. */
  private serve(v: Vbd, req: BlkRequest): BlkResponse['status'] {
    if (req.write) v.stats.wrReqs++; else v.stats.rdReqs++;
    // A write to a read-only vbd is refused before any page is mapped or any byte moves.
    if ((req.write && !v.writable) || v.image === undefined) return BLKIF_RSP_ERROR;
    if (v.persistent < PERSISTENT_GRANTS) {
      const pages = Math.min(SEGMENTS, Math.ceil(req.sectors / SECTORS_PER_PAGE), PERSISTENT_GRANTS - v.persistent);
      v.persistent += pages;
      this.grants.map(v.domid, pages);
    }
    const len = req.sectors * 512;
    const buf = len <= v.buf.length ? v.buf.subarray(0, len) : Buffer.alloc(len);
    try {
      if (req.write) {
        // Recognisable, non-zero contents, so the blocks are really allocated.
        buf.fill(0x5a);
        buf.writeUInt32LE(req.sector >>> 0, 0);
        if (v.image !== null) writeSync(v.image, buf, 0, len, req.sector * 512);
      } else if (v.image !== null) {
        readSync(v.image, buf, 0, len, req.sector * 512);
      }
    } catch { return BLKIF_RSP_ERROR; }
    if (req.write) v.stats.wrSects += req.sectors; else v.stats.rdSects += req.sectors;
    return BLKIF_RSP_OKAY;
  }
}
