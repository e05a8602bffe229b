// blkback's data path: each vbd's ring is a queue of Dom0's backend work (backend-work.ts) on
// the machine's disk, served with real reads and writes on the image file behind it (writes
// allocate blocks in a sparse file); every request is answered on the ring, and the counters
// xentop shows are kept: OO (ring found full), RD, WR, RSECT, WSECT. Each request's pages are
// mapped first (blkback-grants.ts, persistent grants).
import { closeSync, openSync, readSync, writeSync, statSync } from 'node:fs';
import { queueCeiling, type DeviceModel } from '../../machine/devices.ts';
import { BLKIF_RSP_ERROR, BLKIF_RSP_OKAY, type BlkRequest, type BlkResponse, type BlkRings } from '../../hypervisor/io-ring.ts';
import type { VbdStats } from '../io-stats.ts';
import type { BackendWork, IoQueue, Served, WorkCost } from './backend-work.ts';
import type { BlkbackGrants } from './blkback-grants.ts';
import type { FaultTable } from '../../machine/faults.ts';

/** A copy between the persistent grants and the bio's pages, the block layer; an interrupt. */
const BLKBACK_COST: WorkCost = { perRequest: 5_000, perByte: 1.5, perNotify: 2_000 };
/** The largest request blkfront makes here (128 sectors), to size a batch. */
const MAX_REQUEST_BYTES = 128 * 512;

/** An open image file; null for a block device, which is left alone; undefined when the file could not be opened. */
type Image = number | null | undefined;

interface Vbd { domid: number; devid: number; rings: BlkRings; writable: boolean; image: Image; stats: VbdStats; buf: Buffer; queue: IoQueue }

/** The file behind a vbd, opened for writing only when the vbd is writable (mode `w`). */
function openImage(params: string, writable: boolean): Image {
  try {
    if (!statSync(params).isFile()) return null;
    return openSync(params, writable ? 'r+' : 'r');
  } catch { return undefined; }
}

export class BlkDataplane {
  private vbds = new Map<string, Vbd>();
  /** The fault plane (vbd-error, vbd-latency), when the daemon wires one in. */
  faults: Pick<FaultTable, 'value'> | undefined;
  /** Sees each write to an image file as it is made (Remus's DRBD replication). */
  onWrite: ((domid: number, devid: number, offset: number, data: Buffer) => void) | undefined;

  /** `irq`: the disk raises its interrupt for completed requests. */
  constructor(private readonly work: BackendWork, private readonly disk: DeviceModel, private readonly grants: BlkbackGrants, private readonly irq: () => void = () => {}) {}

  attach(domid: number, devid: number, rings: BlkRings, params: string, writable: boolean): void {
    this.detach(domid, devid);
    const v: Vbd = {
      domid, devid, rings, writable, image: openImage(params, writable), buf: Buffer.alloc(MAX_REQUEST_BYTES),
      stats: { dev: devid, backType: 1, ooReqs: 0, rdReqs: 0, wrReqs: 0, rdSects: 0, wrSects: 0 },
      queue: {
        device: this.disk, direction: 'both', cost: BLKBACK_COST,
        pending: () => rings.ring.pending > 0,
        ceiling: (seconds, sharers) => queueCeiling(this.slowed(domid, devid), rings.ring.size, MAX_REQUEST_BYTES, sharers, seconds),
        serve: max => this.serveRing(v, max),
      },
    };
    this.vbds.set(`${domid}/${devid}`, v);
    this.work.add(v.queue);
  }

  detach(domid: number, devid?: number): void {
    for (const [k, v] of this.vbds) {
      if (v.domid !== domid || (devid !== undefined && v.devid !== devid)) continue;
      this.work.remove(v.queue);
      if (typeof v.image === 'number') closeSync(v.image);
      this.vbds.delete(k);
    }
    this.grants.release(domid, devid);
  }

  stats(domid: number): VbdStats[] {
    return [...this.vbds.values()].filter(v => v.domid === domid).sort((a, b) => a.devid - b.devid)
      .map(v => ({ ...v.stats, ooReqs: v.rings.ring.overflows }));
  }

  /** The disk as one vbd sees it: a vbd-latency fault adds to each request's time, so fewer complete in a tick. */
  private slowed(domid: number, devid: number): DeviceModel {
    const ms = this.faults?.value('vbd-latency', domid, devid);
    return ms ? { ...this.disk, latencyNs: this.disk.latencyNs + ms * 1e6 } : this.disk;
  }

  /** Requests worth about `max` bytes, in batches answered at once (one notification each, which lets the guest queue more). */
  private serveRing(v: Vbd, max: number): Served {
    const shared = v.rings.ring.shared, n0 = shared.notifiedFrontend;
    let bytes = 0, requests = 0;
    // A ring the frontend broke stops here (the device is taken down).
    if (!this.grants.ringSane(v.domid, v.devid, v.rings)) return { bytes, requests, notifications: 0 };
    while (bytes < max) {
      const reqs = v.rings.ring.take(Math.max(1, Math.ceil((max - bytes) / MAX_REQUEST_BYTES)));
      if (!reqs.length) break;
      const rsps: BlkResponse[] = reqs.map(req => ({ id: req.id, status: this.serve(v, req) }));
      for (const req of reqs) bytes += req.sectors * 512;
      requests += reqs.length;
      v.rings.responses.pushAll(rsps);
    }
    if (requests) this.irq();
    return { bytes, requests, notifications: shared.notifiedFrontend - n0 };
  }

  /** One request in Linux blkback's order: counted, checked against the vbd, its grants mapped, then done. */
  private serve(v: Vbd, req: BlkRequest): BlkResponse['status'] {
    if (req.write) v.stats.wrReqs++; else v.stats.rdReqs++;
    // A write to a read-only vbd is refused before any page is mapped or any byte moves.
    if ((req.write && !v.writable) || v.image === undefined) return BLKIF_RSP_ERROR;
    // An injected vbd-error fails every request, as a dying disk under blkback does.
    if (this.faults?.value('vbd-error', v.domid, v.devid) !== undefined) return BLKIF_RSP_ERROR;
    if (!this.grants.mapRequest(v.domid, v.devid, req)) return BLKIF_RSP_ERROR;
    const len = req.sectors * 512;
    const buf = len <= v.buf.length ? v.buf.subarray(0, len) : Buffer.alloc(len);
    try {
      if (req.write) {
        // Recognisable, non-zero contents, so the blocks are really allocated.
        buf.fill(0x5a);
        buf.writeUInt32LE(req.sector >>> 0, 0);
        if (v.image !== null) { writeSync(v.image, buf, 0, len, req.sector * 512); this.onWrite?.(v.domid, v.devid, req.sector * 512, buf); }
      } else if (v.image !== null) {
        readSync(v.image, buf, 0, len, req.sector * 512);
      }
    } catch { return BLKIF_RSP_ERROR; }
    if (req.write) v.stats.wrSects += req.sectors; else v.stats.rdSects += req.sectors;
    return BLKIF_RSP_OKAY;
  }
}
