// Remus's checkpoints after the first (libxl_remus.c, xg_sr_save.c in a checkpointed stream):
// every `interval` after the previous checkpoint was committed, the guest is paused, the pages it
// dirtied and its state go out as one checkpoint (CHECKPOINT, then CHECKPOINT_END), and it runs
// again. Its network output is held meanwhile (devices.plug at the pause) and released once the
// checkpoint is written to the backup (devices.release at the commit).
//
// Under the virtual clock the checkpoint is taken at its timer's instant, the pause lasts the
// checkpoint's bytes over the modelled link, and simulated time does not pass the pause until
// the bytes have really gone into the transport: the checkpoints depend on simulated time alone.
import type { Toolstack } from './toolstack.ts';
import { LibxlError } from './errors.ts';
import { diskDevid, type DiskSpec } from './devices.ts';
import type { SaveSink } from './save.ts';
import type { StreamWriter } from '../../formats/save-stream/index.ts';
import type { GuestMemory } from '../../hypervisor/guest-memory.ts';

/** The checkpointed devices: libxl's checkpoint_device ops for the network buffers. */
export interface CheckpointDevices {
  /** postsuspend: a new epoch of output starts; what came before belongs to this checkpoint. */
  plug(): void;
  /** commit: the backup holds the oldest plugged checkpoint. */
  release(): void;
}

/** One committed checkpoint, for xl's report. */
export interface CheckpointReport {
  /** 1 for the end of the live phase, then 2, 3, ... */
  n: number;
  pages: number;
  bytes: number;
  /** When the guest was paused and how long it stayed so, in the host's (simulated) ns. */
  suspendedAtNs: bigint;
  pauseNs: bigint;
}

export interface RemusRun {
  ts: Toolstack;
  domid: number;
  writer: StreamWriter;
  sink: SaveSink;
  memory: GuestMemory;
  intervalMs: number;
  devices: CheckpointDevices;
  /** The modelled link: how long `bytes` take on it (0 under the real clock). */
  linkNs(bytes: number): bigint;
  vcpuContexts(): Buffer[];
  committed(c: CheckpointReport): void;
}

/**
 * libxl__remus_setup's device matching: with disk replication on (no -d), each vbd must be a
 * DRBD resource (block-drbd-probe); xenlab's image-file and phy disks are not, so libxl's
 * refusal follows, before any stream is sent.
 */
export function checkpointDevicesSetup(ts: Toolstack, domid: number, diskbuf: boolean): void {
  const disk: (DiskSpec & { backend_domid?: number }) | undefined = diskbuf ? (ts.records.get(domid)?.config.disks ?? [])[0] : undefined;
  if (!disk) return;
  const backend = disk.backend_domid ?? 0;
  throw new LibxlError('ECHECKPOINTDEV',
    `libxl: error: libxl_checkpoint_device.c:153:device_setup_iterate: Domain ${backend}:device not handled by checkpoint (device=vbd:${backend}/${diskDevid(disk)})\n` +
    `libxl: error: libxl_remus.c:134:remus_setup_done: Domain ${domid}:Remus: failed to setup device, rc -19`, 1);
}

/**
 * Checkpoint until the domain is gone (resolves) or the stream breaks (rejects, with the guest
 * running again). The first checkpoint, `previous`, was committed just now.
 */
export function runCheckpoints(r: RemusRun, previous: number): Promise<void> {
  const { ts, domid, writer: w, sink, memory: mem, devices } = r;
  const clock = ts.hv.clock;
  const virtual = clock.mode === 'virtual';
  const intervalNs = BigInt(Math.round(r.intervalMs * 1e6));
  return new Promise<void>((resolve, reject) => {
    let n = previous;
    const resume = () => { if (ts.hv.domains.has(domid)) ts.hv.unpause(domid); };
    const schedule = () => { clock.after(intervalNs, take); };

    /** The checkpoint: taken whole at this instant, so the guest may run again before it is sent. */
    const take = () => {
      if (!ts.hv.domains.has(domid)) { resolve(); return; }
      n++;
      const suspendedAt = clock.now();
      ts.hv.pause(domid);
      const dirty = mem.cleanDirtyBitmap();
      const bufs: Buffer[] = [];
      for (const slice of w.pages(mem, dirty)) for (const b of slice) bufs.push(Buffer.from(b));
      bufs.push(w.checkpoint({ tsc: { nsec: suspendedAt }, vcpuContexts: r.vcpuContexts() }));
      devices.plug();
      const bytes = bufs.reduce((a, b) => a + b.length, 0);
      const commit = () => {
        const pauseNs = clock.now() - suspendedAt;
        resume();
        devices.release();
        r.committed({ n, pages: dirty.length, bytes, suspendedAtNs: suspendedAt, pauseNs });
        schedule();
      };
      const sent = (async () => { for (const b of bufs) await sink.write(b); })().then(() => {
        if (virtual) clock.at(suspendedAt + r.linkNs(bytes), commit);
        else commit();
      }, e => { resume(); reject(e); });
      if (virtual) clock.hold(sent);
    };
    schedule();
  });
}
