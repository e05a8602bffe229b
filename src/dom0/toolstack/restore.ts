// libxl's restore path (domain create from a stream) with libxc's restore (xg_sr_restore.c):
// the domain is built paused from the saved config, then its memory is rebuilt from the stream's
// PAGE_DATA records alone, every page checked as it lands. Any failure destroys the new domain,
// so nothing of it is left behind. The xl header has been read by xl; the stream starts at the
// libxl header.
import type { DomainRecord, Toolstack } from './toolstack.ts';
import { LibxlError } from './errors.ts';
import { GuestMemory, MemoryRestorer, PageCorruptError } from '../../hypervisor/guest-memory.ts';
import { LibxcRec, LibxlRec, StreamError, StreamReader, hvmCpuRecords, type StreamRecord } from '../../formats/save-stream/index.ts';
import { decodeHvmHwCpu } from '../../formats/hvm-hw-cpu.ts';
import { encodeVcpuContext } from '../../formats/x86-vcpu-context.ts';

export interface RestoreOptions {
  /** libxl_domain_config as saved (or as the user's replacement config file gave it). */
  config: Record<string, any>;
  workload?: string;
  configText: string;
  configFile: string;
  /** Name to build under (only xl migrate-receive gives one: `<name>--incoming`); default the config's. */
  name?: string;
  /** Keep the saved domid (save -D / migrate -D). */
  domid?: number;
  /** Leave the domain paused once restored. */
  paused: boolean;
  /**
   * A Remus stream (xl migrate-receive -r): each checkpoint after the first is held until its
   * CHECKPOINT_END, then applied; when the stream ends, the domain is built from the last
   * complete checkpoint (the failover).
   */
  checkpointed?: boolean;
  /** A checkpoint of a Remus stream is complete (1 for the end of its live phase): its disk writes may land. */
  checkpointComplete?(n: number): void;
  /** A COLO stream (migrate-receive --colo), which this libxl, built without COLO, refuses. */
  colo?: boolean;
  /** The restoring xl's working directory: relative disk paths of the config resolve there. */
  cwd?: string;
  line(text: string): void;
}

function restoreFailed(domid: number, what: string): LibxlError {
  return new LibxlError('ERESTORE',
    `xc: error: ${what} (0 = Success): Internal error\n` +
    `xc: error: Restore failed (0 = Success): Internal error\n` +
    `libxl: error: libxl_stream_read.c:850:libxl__xc_domain_restore_done: Domain ${domid}:restoring domain: Success\n` +
    `libxl: error: libxl_create.c:1638:domcreate_rebuild_done: Domain ${domid}:cannot (re-)build domain: -3`, 3);
}

/** domcreate_bootloader_done and libxl_no_colo.c: COLO restores HVM guests only, and not here at all. */
function coloRefused(domid: number, hvm: boolean): LibxlError {
  return new LibxlError('ECOLO', hvm
    ? `libxl: error: libxl_no_colo.c:25:libxl__colo_restore_setup: Domain ${domid}:COLO is not supported\n` +
      `libxl: error: libxl_create.c:1483:libxl__colo_restore_setup_done: Domain ${domid}:colo restore setup fails: -3`
    : `libxl: error: libxl_create.c:1435:domcreate_bootloader_done: Domain ${domid}:COLO only supports HVM, unable to restore domain`, 3);
}

/**
 * The stream: bytes that came with the request, then a transport. `open` hands each chunk to
 * `data` as it arrives (a chunk's memory may be reused once `data` returns) and calls `end` when
 * the transport ends or fails; it returns the function that stops it and closes the transport.
 */
export interface RestoreInput {
  head: Buffer;
  open(data: (chunk: Buffer) => void, end: () => void): () => void;
}

export async function restoreDomain(ts: Toolstack, input: RestoreInput, o: RestoreOptions): Promise<DomainRecord> {
  const config = structuredClone(o.config);
  config.c_info ??= {};
  if (o.name !== undefined) config.c_info.name = o.name;
  delete config.c_info.domid;
  const rec = await ts.create({
    config, workload: o.workload, configText: o.configText, configFile: o.configFile, paused: true, restored: true, cwd: o.cwd,
  }, o.domid ? { domid: o.domid } : undefined);
  const domid = rec.domid;
  // Under its `--incoming` name the domain waits for the sender's go: until then it is not recorded.
  rec.incoming = o.name !== undefined;
  try {
    if (o.colo) throw coloRefused(domid, rec.type === 'hvm');
    const d = ts.hv.get(domid);
    // Memory comes from the stream alone: start from an empty p2m of the same size.
    const restorer = new MemoryRestorer(new GuestMemory(d.memoryPages || Math.ceil(rec.staticMaxKb / 4), { populated: false }));
    d.memory = restorer.memory;
    const reader = new StreamReader({ xlHeader: false, pageFragments: true, reuseBuffers: true, chunksReused: true });
    const apply = (r: StreamRecord) => {
      // setvcpucontext: the registers the stream carried (a vcpu id and padding, then the context).
      if (r.layer === 'libxc' && r.type === LibxcRec.X86_PV_VCPU_BASIC) ts.hv.setVcpuContext(domid, r.body.readUInt32LE(0), r.body.subarray(8));
      // An HVM guest's registers travel in the HVM context's CPU entries (hvm_hw_cpu).
      if (r.layer === 'libxc' && r.type === LibxcRec.HVM_CONTEXT) {
        for (const [v, cpu] of hvmCpuRecords(r.body)) ts.hv.setVcpuContext(domid, v, encodeVcpuContext(decodeHvmHwCpu(cpu)));
      }
      try { restorer.apply(r); } catch (e) {
        if (e instanceof PageCorruptError) throw restoreFailed(domid, `Failed to restore page data: ${e.message}`);
        throw e;
      }
    };
    /** Checkpoints received whole, and the records of the one arriving (after the first). */
    let checkpoints = 0;
    let buffered: StreamRecord[] | null = null;
    const take = (chunk: Buffer): boolean => {
      reader.feed(chunk);
      for (const r of reader.records()) {
        if (r.layer === 'libxc-header') {
          const t = r.domain.type === 1 ? 'x86 PV' : 'x86 HVM';
          o.line(`xc: info: Found ${t} domain from Xen ${r.domain.xenMajor}.${r.domain.xenMinor}`);
          o.line('xc: info: Restoring domain');
        }
        if (r.layer === 'libxc' && r.type === LibxcRec.CHECKPOINT && !o.checkpointed) throw restoreFailed(domid, 'Found checkpoint in non-checkpointed stream');
        if (r.layer === 'libxl' && r.type === LibxlRec.CHECKPOINT_END) {
          if (buffered) {
            o.line('xc: info: All records buffered');
            for (const b of buffered) apply(b);
            o.line('xc: info: All records processed');
          }
          buffered = [];
          o.checkpointComplete?.(++checkpoints);
        } else if (buffered) buffered.push(keep(r));
        else apply(r);
      }
      if (reader.error) throw restoreFailed(domid, reader.error.message);
      return reader.done;
    };
    // Chunks are handled as they arrive, synchronously: no promise per chunk of a large guest.
    await new Promise<void>((resolve, reject) => {
      let stop: (() => void) | null = null;
      let finished = false;
      const finish = (e?: unknown) => {
        if (finished) return;
        finished = true;
        stop?.();
        e ? reject(e) : resolve();
      };
      const onData = (c: Buffer) => { if (finished) return; try { if (take(c)) finish(); } catch (e) { finish(e); } };
      // A checkpointed stream ends when the primary dies: what came whole is the guest.
      const onEnd = () => finish(reader.done || checkpoints > 0 ? undefined : restoreFailed(domid, (reader.end() ?? new StreamError('Stream truncated')).message));
      try { if (input.head.length && take(input.head)) { finish(); return; } } catch (e) { finish(e); return; }
      stop = input.open(onData, onEnd);
      if (finished) stop();
    });
    o.line('xc: info: Restore successful');
    // The guest resumes: its frontends set their rings up again in the memory it came back with.
    ts.hv.rings.resume(domid);
    if (!o.paused) ts.unpause(domid);
    ts.platform.commit(domid);
    return rec;
  } catch (e) {
    await ts.destroy(domid).catch(() => {});
    throw e instanceof LibxlError ? e : restoreFailed(domid, e instanceof Error ? e.message : String(e));
  }
}

/** A record held past the next feed: its bytes copied out of the reader's reused buffers. */
function keep(r: StreamRecord): StreamRecord {
  if (r.layer !== 'libxc' && r.layer !== 'libxl') return r;
  const body = Buffer.from(r.body);
  if (r.layer === 'libxl' || !r.pageData) return { ...r, body };
  return { ...r, body, pageData: { ...r.pageData, data: Buffer.from(r.pageData.data) } };
}
