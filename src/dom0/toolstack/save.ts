// libxl_domain_suspend + libxc's save (xg_sr_save.c): the libxl v2 stream of a domain written to
// a sink. A plain save suspends the guest first and sends every page; a live save (migration)
// runs the pre-copy loop of modern Xen: round 1 sends all pages with log-dirty mode on, later
// rounds the pages dirtied meanwhile, until fewer than 50 are dirty or 5 rounds are done; then
// the guest is suspended through control/shutdown and the rest goes out.
//
// Under the virtual clock a live save models the link in simulated time: each round lasts its
// bytes at `linkBitsPerSec`, and the dirty bitmap is cleaned at that instant, so the rounds
// depend on simulated time only (the bytes themselves still move at real speed).
import type { Toolstack } from './toolstack.ts';
import { ShutdownReason } from '../../hypervisor/shutdown-reason.ts';
import { LibxlError } from './errors.ts';
import { retrieveConfig } from './domain.ts';
import { PAGE_SIZE, StreamWriter } from '../../formats/save-stream/index.ts';
import { runCheckpoints, type CheckpointDevices, type CheckpointReport } from './remus.ts';

/** Where the stream goes; write resolves when more may be written, rejects if the reader is gone. */
export interface SaveSink { write(b: Buffer): Promise<void> }

export interface SaveEvents {
  /** An xc/libxl log line for the user's stderr. */
  line(text: string): void;
  /** Progress of a pass over memory (`what` is libxc's progress prefix). */
  progress(what: string, done: number, total: number): void;
  /** The guest is suspended: from here on it is down. */
  suspended(): void;
}

export interface SaveOptions {
  live: boolean;
  /** The modelled link under the virtual clock (ignored under the real clock). */
  linkBitsPerSec: number;
  events: SaveEvents;
  /** Remus: after the live phase, checkpoint the guest until it is gone or the stream breaks. */
  remus?: RemusSaveOptions;
}

export interface RemusSaveOptions {
  /** Time between a checkpoint's commit and the next one (xl remus -i). */
  intervalMs: number;
  devices: CheckpointDevices;
  committed(c: CheckpointReport): void;
}

export interface SaveSummary {
  /** Pages sent in each live round (one entry for a plain save). */
  rounds: number[];
  /** Pages sent after the guest was suspended. */
  finalPages: number;
  /** Bytes of the libxl stream. */
  bytes: number;
  /** Guest memory in bytes (populated pages). */
  memoryBytes: number;
  /** Simulated (virtual clock) downtime: the final pass at link rate plus resume; null under the real clock. */
  downtimeMs: number | null;
}

const SPP_MAX_ITERATIONS = 5;
const SPP_TARGET_DIRTY_COUNT = 50;
/** Time for the target to resume the guest once its memory is in (the NSDI paper's 9 ms). */
const RESUME_MS = 9;
/** Progress is reported every 4 MiB (one libxc batch). */
const PROGRESS_PAGES = 1024;

/** simple_precopy_policy: stop and copy when few pages are dirty or enough rounds are done. */
export function precopyShouldStop(iteration: number, dirtyCount: number): boolean {
  return (dirtyCount >= 0 && dirtyCount < SPP_TARGET_DIRTY_COUNT) || iteration >= SPP_MAX_ITERATIONS;
}

export function suspendTimeout(domid: number): LibxlError {
  return new LibxlError('EGUESTTIMEDOUT',
    `libxl: error: libxl_dom_suspend.c:231:domain_suspend_common_pvcontrol_suspending: Domain ${domid}:guest didn't acknowledge suspend, cancelling request\n` +
    `libxl: error: libxl_stream_write.c:350:libxl__xc_domain_save_done: Domain ${domid}:saving domain: domain did not respond to suspend request: Operation not permitted`, 1);
}

/** The reader of the stream went away (xl's pipe to the receiver broke). */
export function streamWriteFailed(domid: number): LibxlError {
  return new LibxlError('EPIPE',
    'xc: error: Failed to write page data to stream (32 = Broken pipe): Internal error\n' +
    'xc: error: Save failed (32 = Broken pipe): Internal error\n' +
    `libxl: error: libxl_stream_write.c:350:libxl__xc_domain_save_done: Domain ${domid}:saving domain: domain responded to suspend request: Broken pipe`, 1);
}

/** What xl save puts in its header (libxl_retrieve_domain_configuration), with xenlab's workload. */
export function saveConfig(ts: Toolstack, domid: number): { domid: number; name: string; config: Record<string, unknown>; workload: string | null } {
  const rec = ts.records.get(domid);
  if (!rec) throw new LibxlError('ENOCONFIG', 'unable to retrieve domain configuration', 1);
  return { domid, name: rec.name, config: retrieveConfig(ts, domid), workload: rec.workload };
}

/** Ask the guest to suspend and wait until it has (shutdown reason 2), as libxl does. */
export async function suspendDomain(ts: Toolstack, domid: number): Promise<void> {
  try {
    await ts.requestShutdown(domid, 'suspend');
  } catch (e) {
    if (e instanceof LibxlError && e.code === 'ETIMEDOUT') throw suspendTimeout(domid);
    throw e;
  }
  await ts.waitFor(domid, 'shutdown');
  const d = ts.hv.domains.get(domid);
  if (!d) throw new LibxlError('ESRCH', `libxl: error: libxl_dom_suspend.c:377:suspend_common_wait_guest_check: Domain ${domid}:guest we were suspending has been destroyed: No such process`, 1);
  if (d.shutdownReason !== ShutdownReason.suspend) {
    throw new LibxlError('EFAIL', `libxl: error: libxl_dom_suspend.c:391:suspend_common_wait_guest_check: Domain ${domid}:guest we were suspending has shut down with unexpected reason code ${d.shutdownReason}`, 1);
  }
}

export async function saveDomain(ts: Toolstack, domid: number, sink: SaveSink, o: SaveOptions): Promise<SaveSummary> {
  const d = ts.hv.get(domid);
  const mem = d.memory;
  if (!mem) throw new LibxlError('EINVAL', `xc: error: Unable to save domain ${domid}: no guest memory`, 1);
  const clock = ts.hv.clock;
  const paced = o.live && clock.mode === 'virtual' && o.linkBitsPerSec > 0;
  // Only a paced save has a modelled link (libvirt's and plain saves give none): crossing it takes no time otherwise.
  const transferNs = (bytes: number) => (paced ? BigInt(Math.round((bytes * 8 / o.linkBitsPerSec) * 1e9)) : 0n);
  const savingLine = `xc: info: Saving domain ${domid}, type ${d.type === 'pv' ? 'x86 PV' : 'x86 HVM'}`;
  // Paced, the line follows the first round's timer, so whoever sees it may advance the clock.
  if (!paced) o.events.line(savingLine);
  const w = new StreamWriter({ guestType: d.type, vcpus: d.onlineVcpus, p2mSize: mem.nrPages, tscKhz: ts.hv.machine.spec.cpuKhz, reusePageBuffers: true });

  const send = async (pfns: Uint32Array, what: string): Promise<void> => {
    const base = w.pagesSent;
    let told = 0;
    let toldPercent = 0;
    o.events.progress(what, 0, pfns.length);
    for (const bufs of w.pages(mem, pfns)) {
      for (const b of bufs) await sink.write(b);
      // pagesSent counts a record's pages when its head is made: at most one report per 4 MiB
      // batch, and only when the percentage moves (xl's progress logger shows no finer).
      const done = w.pagesSent - base;
      const percent = Math.floor((done * 100) / pfns.length);
      if (done - told >= PROGRESS_PAGES && percent !== toldPercent) {
        o.events.progress(what, done, pfns.length);
        told = done;
        toldPercent = percent;
      }
    }
    if (told !== pfns.length) o.events.progress(what, pfns.length, pfns.length);
  };

  const rounds: number[] = [];
  let suspension: Promise<void> | null = null;
  /** Remus, paced: simulated time waits for the first checkpoint (the suspend is a reaction, then its bytes), as for the later ones. */
  let firstWritten: (() => void) | undefined;
  const startSuspend = () => {
    const g = ts.hv.domains.get(domid);
    // Only a guest that runs can acknowledge: one that cannot must be left to libxl's timeout.
    if (o.remus && paced && g && !g.paused && !g.shutdown) clock.hold(new Promise<void>(r => { firstWritten = r; }));
    suspension = suspendDomain(ts, domid);
    suspension.catch(() => {});
  };

  /** send_memory_live with rounds that end when their pages are written (real clock). */
  const precopy = async (): Promise<number> => {
    let dirty = mem.populatedPfns();
    let dirtyCount = mem.nrPages; // round 1: the whole bitmap is set
    let iteration = 0;
    for (let x = 1; ; x++) {
      const stop = precopyShouldStop(iteration, dirtyCount);
      // A round with nothing dirty sends nothing, but it is still a round of the policy.
      if (dirty.length > 0) await send(dirty, `Frames iteration ${iteration}`);
      rounds.push(dirty.length);
      if (stop || x >= SPP_MAX_ITERATIONS) break;
      iteration = x;
      dirty = mem.cleanDirtyBitmap();
      dirtyCount = dirty.length;
    }
    startSuspend();
    return iteration;
  };

  /**
   * The same policy with the rounds scheduled in simulated time: each round lasts its bytes on
   * the link, and at its end (a timer) the bitmap is cleaned and the next round queued, or the
   * guest asked to suspend. The pages of queued rounds are written meanwhile, at real speed.
   */
  const precopyPaced = async (): Promise<number> => {
    const queue: { pfns: Uint32Array; iteration: number }[] = [];
    let wake: (() => void) | null = null;
    let done = false;
    let iteration = 0;
    let x = 1;
    let deadline = clock.now();
    const round = (pfns: Uint32Array, dirtyCount: number) => {
      const cleanAfter = !precopyShouldStop(iteration, dirtyCount) && x < SPP_MAX_ITERATIONS;
      queue.push({ pfns, iteration });
      rounds.push(pfns.length);
      wake?.();
      deadline += transferNs(pfns.length * (PAGE_SIZE + 8));
      timers.push(clock.at(deadline, () => {
        if (!cleanAfter) { done = true; startSuspend(); wake?.(); return; }
        iteration = x++;
        const d = mem.cleanDirtyBitmap();
        round(d, d.length);
      }));
    };
    round(mem.populatedPfns(), mem.nrPages);
    o.events.line(savingLine);
    for (;;) {
      const r = queue.shift();
      if (r) { if (r.pfns.length) await send(r.pfns, `Frames iteration ${r.iteration}`); continue; }
      if (done) return iteration;
      await new Promise<void>(res => { wake = res; });
      wake = null;
    }
  };
  let finalPages = 0;
  let downtimeMs: number | null = null;
  const timers: ReturnType<typeof clock.after>[] = [];
  let suspendedAt = clock.now();
  try {
    await sink.write(w.start());
    if (!o.live) {
      await suspendDomain(ts, domid);
      o.events.suspended();
      const all = mem.populatedPfns();
      await send(all, 'Frames');
      rounds.push(all.length);
    } else {
      mem.enableLogDirty();
      const iteration = paced ? await precopyPaced() : await precopy();
      await suspension!;
      o.events.suspended();
      suspendedAt = clock.now();
      o.remus?.devices.plug();
      const last = mem.cleanDirtyBitmap();
      if (!o.remus) mem.disableLogDirty();
      await send(last, `Frames iteration ${iteration}`);
      finalPages = last.length;
    }
    // The vCPUs' registers as they stopped (getvcpucontext): what xenctx shows and the target resumes from.
    const vcpuContexts = () => Array.from({ length: d.onlineVcpus }, (_, v) => ts.hv.vcpuContext(domid, v));
    if (!o.live) suspendedAt = clock.now();
    const state = { tsc: { nsec: suspendedAt }, vcpuContexts: vcpuContexts() };
    const tail = o.remus ? w.checkpoint(state) : w.finish(state);
    await o.remus?.devices.preresume();
    await sink.write(tail);
    const finalNs = transferNs(finalPages * (PAGE_SIZE + 8) + tail.length);
    if (paced) downtimeMs = Number(finalNs) / 1e6 + RESUME_MS;
    if (o.remus) {
      // The end of the live phase is the first checkpoint: once its bytes have crossed the link
      // the guest runs again (postcopy) with log-dirty mode still on, and its output so far goes out.
      firstWritten?.();
      if (paced) await new Promise<void>(r => timers.push(clock.at(suspendedAt + finalNs, r)));
      resumeDomain(ts, domid, { keepLogDirty: true });
      o.remus.devices.release();
      o.remus.committed({ n: 1, pages: w.pagesSent, bytes: w.bytes, suspendedAtNs: suspendedAt, pauseNs: clock.now() - suspendedAt });
      await runCheckpoints({
        ts, domid, writer: w, sink, memory: mem, intervalMs: o.remus.intervalMs, devices: o.remus.devices,
        linkNs: transferNs, vcpuContexts, committed: o.remus.committed,
      }, 1);
    }
  } finally {
    firstWritten?.();
    for (const t of timers) clock.cancel(t);
    if (mem.logDirtyEnabled) mem.disableLogDirty();
  }
  return { rounds, finalPages, bytes: w.bytes, memoryBytes: mem.populatedCount * PAGE_SIZE, downtimeMs };
}

/** libxl_domain_resume after a failed or checkpointing save: the guest runs again. */
export function resumeDomain(ts: Toolstack, domid: number, o: { keepLogDirty?: boolean } = {}): void {
  const d = ts.hv.domains.get(domid);
  if (!d) return;
  if (d.memory?.logDirtyEnabled && !o.keepLogDirty) d.memory.disableLogDirty();
  ts.hv.resumeDomain(domid);
  // Unrecorded, the suspend left in the database is resumed at the next start all the same.
  try { ts.platform.commit(domid); } catch (e) { ts.platform.log(`d${domid}: ${e instanceof Error ? e.message : String(e)}`); }
}
