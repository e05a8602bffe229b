// Remus's checkpoints after the first (libxl_remus.c, xg_sr_save.c in a checkpointed stream):
// every `interval` after the previous checkpoint was committed, the guest is suspended as for a
// save (control/shutdown, libxl_dom_suspend.c), the pages it dirtied and its state go out as one
// checkpoint (CHECKPOINT, then CHECKPOINT_END), and it is resumed with a fast (cancelled)
// suspend. Its network output is held meanwhile (devices.plug at the suspend) and released once
// the checkpoint is written to the backup (devices.release at the commit).
//
// Under the virtual clock the checkpoint is taken at its timer's instant (the guest's
// acknowledgement is a reaction), the pause lasts the checkpoint's bytes over the modelled link,
// and simulated time does not pass the pause until the bytes have really gone into the
// transport: the checkpoints depend on simulated time alone.
import type { Toolstack } from './toolstack.ts';
import { LibxlError } from './errors.ts';
import { diskDevid, type DiskSpec } from './devices.ts';

import { resumeDomain, suspendDomain, type SaveSink } from './save.ts';
import type { StreamWriter } from '../../formats/save-stream/index.ts';
import type { GuestMemory } from '../../hypervisor/guest-memory.ts';

/** block-drbd-probe's status for a device that is not a DRBD one. */
const PROBE_NOT_DRBD = 1;

/** The checkpointed devices: libxl's checkpoint_device ops for the network buffers. */
export interface CheckpointDevices {
  /** postsuspend: a new epoch of output starts; what came before belongs to this checkpoint. */
  plug(): void;
  /** preresume: resolves once the backup holds what the devices sent for this checkpoint. */
  preresume(): Promise<void>;
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

/** remus_device_drbd_disk's ops as Dom0's DRBD model provides them. */
export interface DrbdDisks {
  /** drbd_setup: block-drbd-probe on the target and, if it matches, the replication; else the probe's exit status. */
  setup(domid: number, devid: number, target: string): Promise<DrbdDisk | number>;
  teardown(domid: number, devid: number): void;
}

export interface DrbdDisk {
  /** drbd_postsuspend: the writes since the last checkpoint go to the backup as this checkpoint's. */
  barrier(): void;
  /** drbd_preresume: the backup has them. */
  ackwait(): Promise<void>;
}

/** The vbds' checkpoint devices, set up; teardown ends their replication. */
export interface CheckpointDisks { devices: CheckpointDevices[]; teardown(): void }

/**
 * libxl__remus_setup's device matching for the vbds, with disk replication on (no -d): the only
 * vbd ops are DRBD's, which run block-drbd-probe on each disk's target. A disk the probe does
 * not match is refused in libxl's words, before any stream is sent, and what was set up for the
 * others is torn down. A disk served by a driver domain is never Dom0's DRBD device.
 */
export async function checkpointDisksSetup(ts: Toolstack, domid: number, drbd: DrbdDisks): Promise<CheckpointDisks> {
  const disks: (DiskSpec & { backend_domid?: number })[] = ts.records.get(domid)?.config.disks ?? [];
  const matched: number[] = [];
  const devices: CheckpointDevices[] = [];
  const teardown = () => { for (const devid of matched) drbd.teardown(domid, devid); };
  const refused: string[] = [];
  try {
    for (const disk of disks) {
      const backend = disk.backend_domid ?? 0;
      const devid = diskDevid(disk);
      const target = disk.pdev_path ?? '';
      const r = backend === 0 ? await drbd.setup(domid, devid, target) : PROBE_NOT_DRBD;
      if (typeof r !== 'number') {
        matched.push(devid);
        devices.push({ plug: () => r.barrier(), preresume: () => r.ackwait(), release: () => {} });
        continue;
      }
      refused.push(`libxl: error: libxl_exec.c:117:libxl_report_child_exitstatus: /etc/xen/scripts/block-drbd-probe ${target} [${process.pid}] exited with error status ${r}\n` +
        `libxl: error: libxl_checkpoint_device.c:153:device_setup_iterate: Domain ${backend}:device not handled by checkpoint (device=vbd:${backend}/${devid})\n`);
    }
  } catch (e) { teardown(); throw e; }
  if (refused.length) {
    teardown();
    throw new LibxlError('ECHECKPOINTDEV', `${refused.join('')}libxl: error: libxl_remus.c:134:remus_setup_done: Domain ${domid}:Remus: failed to setup device, rc -19`, 1);
  }
  return { devices, teardown };
}

/** libxl__checkpoint_devices_*: each op on every device. */
export function allDevices(devs: CheckpointDevices[]): CheckpointDevices {
  return {
    plug: () => { for (const d of devs) d.plug(); },
    preresume: async () => { await Promise.all(devs.map(d => d.preresume())); },
    release: () => { for (const d of devs) d.release(); },
  };
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
    // libxl__domain_resume_deprecated with fast suspend: the guest's suspend hypercall returns
    // as cancelled, so it carries on where it stopped, its devices left connected.
    const resume = () => { if (ts.hv.domains.has(domid)) resumeDomain(ts, domid, { keepLogDirty: true }); };
    const schedule = () => { clock.after(intervalNs, take); };

    /**
     * The checkpoint (libxl__remus_domain_suspend_callback, then xc's pass over the dirty pages):
     * the guest is asked to suspend as for a save and suspends itself; what it dirtied is taken
     * whole at that instant, so it may run again before the bytes are all sent.
     */
    const take = () => {
      if (!ts.hv.domains.has(domid)) { resolve(); return; }
      n++;
      const suspendedAt = clock.now();
      const g = ts.hv.get(domid);
      // Only a guest that runs can acknowledge: one that cannot is left to libxl's timeout.
      const acks = !g.paused && !g.shutdown;
      const written = (async () => {
        await suspendDomain(ts, domid);
        const dirty = mem.cleanDirtyBitmap();
        const bufs: Buffer[] = [];
        for (const slice of w.pages(mem, dirty)) for (const b of slice) bufs.push(Buffer.from(b));
        devices.plug();
        for (const b of bufs) await sink.write(b);
        // The disks' epoch must be at the backup before the checkpoint may end (drbd_preresume).
        await devices.preresume();
        const tail = w.checkpoint({ tsc: { nsec: suspendedAt }, vcpuContexts: r.vcpuContexts() });
        await sink.write(tail);
        return { pages: dirty.length, bytes: bufs.reduce((a, b) => a + b.length, tail.length) };
      })();
      const commit = (pages: number, bytes: number) => {
        const pauseNs = clock.now() - suspendedAt;
        resume();
        devices.release();
        r.committed({ n, pages, bytes, suspendedAtNs: suspendedAt, pauseNs });
        schedule();
      };
      written.then(({ pages, bytes }) => {
        if (virtual) clock.at(suspendedAt + r.linkNs(bytes), () => commit(pages, bytes));
        else commit(pages, bytes);
      }, e => {
        // A guest destroyed under the checkpoint ends Remus as its death does.
        if (!ts.hv.domains.has(domid)) { resolve(); return; }
        resume();
        reject(e);
      });
      if (virtual && acks) clock.hold(written);
    };
    schedule();
  });
}
