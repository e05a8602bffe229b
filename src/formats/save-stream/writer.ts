// Incremental writer of a libxl v2 stream wrapping a libxc v3 stream, in the record order libxc
// and libxl 4.17 write for x86 PV and HVM/PVH guests. Memory goes out as PAGE_DATA records
// appended round after round (pre-copy), so the caller can push buffers into a pipe as it goes.
import {
  DHDR_TYPE_X86_HVM, DHDR_TYPE_X86_PV, EMULATOR_QEMU_UPSTREAM, LIBXL_IDENT, LIBXL_VERSION,
  LibxcRec, LibxlRec, MAX_BATCH_SIZE, PAGE_SHIFT, PAGE_SIZE, pageTypeHasData,
} from './constants.ts';
import { encodeHvmHwCpu } from '../hvm-hw-cpu.ts';
import { decodeVcpuContext } from '../x86-vcpu-context.ts';
import { RECORD_HEADER_SIZE, encodeRecord, recordHeader } from './framing.ts';
import {
  encodeCpuidPolicy, encodeDomainHeader, encodeHvmParams, encodeImageHeader, encodeMsrPolicy,
  encodePageDataHead, encodeTscInfo, encodeVcpuRecord, encodeX86PvInfo, encodeX86PvP2mFrames,
  type TscInfo,
} from './libxc-records.ts';
import {
  cpuidPolicy, hvmContext, hvmParams, msrPolicy, pvVcpuContext, pvVcpuExtended, qemuContext, sharedInfoPage,
} from './guest-state.ts';

/** Pages read and yielded at a time within a PAGE_DATA record (256 KiB: stays in a CPU's L2). */
const PAGES_PER_SLICE = 64;

export type SaveGuestType = 'pv' | 'pvh' | 'hvm';

export interface StreamWriterOptions {
  guestType: SaveGuestType;
  /** Online vCPUs (one set of vCPU records each for PV; one HVM CPU record each otherwise). */
  vcpus: number;
  /** Size of the guest's physical address space in pages (max pfn + 1). */
  p2mSize: number;
  xenMajor?: number;
  xenMinor?: number;
  /** The host's TSC frequency (the TSC_INFO record and HVM context): the machine's, as `xl info` shows it. */
  tscKhz: number;
  /**
   * Reuse one page-data buffer for every slice `pages()` yields instead of allocating one per
   * slice: much faster (no fresh memory to fault in, and the slice stays in cache while it is
   * written), but whatever `pages()` yields must be written out (e.g. 'drain' awaited) before
   * the generator is resumed.
   */
  reusePageBuffers?: boolean;
}

/** Where PAGE_DATA takes page types and bytes from (GuestMemory implements it). */
export interface PageSource {
  pageType(pfn: number): number;
  /** Copy the page's 4096 bytes into `into` at `offset`. */
  copyPage(pfn: number, into: Buffer, offset: number): void;
  /**
   * Optional bulk form: the pages of `pfns` back to back from `offset`. `notes` (one byte per
   * page slot of `into`, zero the first time) is the source's own record of what each slot
   * holds: a caller that reuses `into` passes the same notes every time, so the source may skip
   * writing bytes a slot already has.
   */
  copyPages?(pfns: ArrayLike<number>, into: Buffer, offset?: number, notes?: Uint8Array): void;
}

/** What follows the memory: register state, platform state, the device model. */
export interface StreamTail {
  tsc?: Partial<TscInfo>;
  sharedInfo?: Buffer;
  /** PV: one vcpu_guest_context blob per online vCPU. */
  vcpuContexts?: Buffer[];
  /** HVM/PVH: the hvm_save blob. */
  hvmContext?: Buffer;
  hvmParams?: Array<[number, bigint]>;
  /** HVM with a device model: QEMU's state (EMULATOR_CONTEXT). Not sent for PV or PVH. */
  emulatorContext?: Buffer;
}

function libxlHeader(): Buffer {
  const b = Buffer.alloc(16);
  b.writeBigUInt64BE(LIBXL_IDENT, 0);
  b.writeUInt32BE(LIBXL_VERSION, 8);
  b.writeUInt32BE(0, 12); // little endian, not converted
  return b;
}

export class StreamWriter {
  readonly opts: Required<StreamWriterOptions>;
  /** Bytes produced so far. */
  bytes = 0;
  /** Pages whose bytes went into PAGE_DATA records. */
  pagesSent = 0;
  private state: 'new' | 'memory' | 'done' = 'new';
  /** The reused slice buffer and the source's notes on its page slots. */
  private slice: { data: Buffer; notes: Uint8Array } | null = null;

  constructor(opts: StreamWriterOptions) {
    this.opts = { xenMajor: 4, xenMinor: 17, reusePageBuffers: false, ...opts };
  }

  private count(b: Buffer): Buffer {
    this.bytes += b.length;
    return b;
  }

  /** Everything before the first PAGE_DATA: the libxl header and LIBXC_CONTEXT, then libxc's static data. */
  start(): Buffer {
    if (this.state !== 'new') throw new Error('StreamWriter.start called twice');
    this.state = 'memory';
    const pv = this.opts.guestType === 'pv';
    const parts = [
      libxlHeader(),
      encodeRecord(LibxlRec.LIBXC_CONTEXT),
      encodeImageHeader(),
      encodeDomainHeader({
        type: pv ? DHDR_TYPE_X86_PV : DHDR_TYPE_X86_HVM, pageShift: PAGE_SHIFT,
        xenMajor: this.opts.xenMajor, xenMinor: this.opts.xenMinor,
      }),
    ];
    if (pv) parts.push(encodeRecord(LibxcRec.X86_PV_INFO, encodeX86PvInfo(8, 4)));
    parts.push(
      encodeRecord(LibxcRec.X86_CPUID_POLICY, encodeCpuidPolicy(cpuidPolicy())),
      encodeRecord(LibxcRec.X86_MSR_POLICY, encodeMsrPolicy(msrPolicy())),
      encodeRecord(LibxcRec.STATIC_DATA_END),
    );
    if (pv) {
      // A 64-bit guest's p2m holds 8 bytes per pfn; its frames are the guest's first pages.
      const frames = Math.max(1, Math.ceil((this.opts.p2mSize * 8) / PAGE_SIZE));
      const framePfns = Array.from({ length: frames }, (_, i) => i);
      parts.push(encodeRecord(LibxcRec.X86_PV_P2M_FRAMES,
        encodeX86PvP2mFrames(0, this.opts.p2mSize - 1, framePfns)));
    }
    return this.count(Buffer.concat(parts));
  }

  /**
   * Record header and pfn list of a PAGE_DATA record for up to MAX_BATCH_SIZE pfns, counting
   * the data pages that follow it (one buffer: one write fewer per record).
   */
  private pageDataHead(pfns: ArrayLike<number>, types: ArrayLike<number>): Buffer {
    if (this.state !== 'memory') throw new Error('PAGE_DATA outside the memory phase');
    const { head, dataPages } = encodePageDataHead(pfns, types);
    this.pagesSent += dataPages;
    // The body (8 + 8n + 4096k) is always a multiple of 8: no padding.
    this.bytes += RECORD_HEADER_SIZE + head.length + dataPages * PAGE_SIZE;
    return Buffer.concat([recordHeader(LibxcRec.PAGE_DATA, head.length + dataPages * PAGE_SIZE), head]);
  }

  /**
   * PAGE_DATA records for `pfns` read from `source`, batched as libxc does (1024 pfns a record).
   * Each yield is buffers to write in order: a record's head, then its pages in slices of
   * PAGES_PER_SLICE read just before they are yielded, so a pipe keeps flowing while the next
   * slice is read.
   */
  *pages(source: PageSource, pfns: ArrayLike<number>): Generator<Buffer[]> {
    const batch = new Float64Array(MAX_BATCH_SIZE);
    const types = new Uint8Array(MAX_BATCH_SIZE);
    const withData = new Float64Array(MAX_BATCH_SIZE);
    for (let at = 0; at < pfns.length; at += MAX_BATCH_SIZE) {
      const n = Math.min(MAX_BATCH_SIZE, pfns.length - at);
      let k = 0;
      for (let i = 0; i < n; i++) {
        const pfn = pfns[at + i];
        batch[i] = pfn;
        types[i] = source.pageType(pfn);
        if (pageTypeHasData(types[i])) withData[k++] = pfn;
      }
      yield [this.pageDataHead(batch.subarray(0, n), types.subarray(0, n))];
      for (let j = 0; j < k; j += PAGES_PER_SLICE) {
        const slice = withData.subarray(j, Math.min(k, j + PAGES_PER_SLICE));
        const { data, notes } = this.sliceBuffer(slice.length);
        if (source.copyPages) source.copyPages(slice, data, 0, notes);
        else slice.forEach((pfn, i) => source.copyPage(pfn, data, i * PAGE_SIZE));
        yield [data];
      }
    }
  }

  private sliceBuffer(pages: number): { data: Buffer; notes?: Uint8Array } {
    if (!this.opts.reusePageBuffers) return { data: Buffer.allocUnsafe(pages * PAGE_SIZE) };
    this.slice ??= { data: Buffer.alloc(PAGES_PER_SLICE * PAGE_SIZE), notes: new Uint8Array(PAGES_PER_SLICE) };
    return { data: this.slice.data.subarray(0, pages * PAGE_SIZE), notes: this.slice.notes };
  }

  /** Everything after the memory: TSC, register/platform state, libxc END, emulator, libxl END. */
  finish(tail: StreamTail = {}): Buffer {
    if (this.state !== 'memory') throw new Error('StreamWriter.finish before start or twice');
    this.state = 'done';
    return this.count(Buffer.concat([...this.endOfCheckpoint(tail), encodeRecord(LibxcRec.END), ...this.emulatorRecords(tail), encodeRecord(LibxlRec.END)]));
  }

  /**
   * A checkpointed stream (Remus): the state after this checkpoint's memory, libxc's CHECKPOINT,
   * then the records libxl writes at each checkpoint, ending with CHECKPOINT_END. The memory
   * phase goes on: the next checkpoint's PAGE_DATA follows.
   */
  checkpoint(tail: StreamTail = {}): Buffer {
    if (this.state !== 'memory') throw new Error('StreamWriter.checkpoint outside the memory phase');
    return this.count(Buffer.concat([
      ...this.endOfCheckpoint(tail), encodeRecord(LibxcRec.CHECKPOINT), ...this.emulatorRecords(tail), encodeRecord(LibxlRec.CHECKPOINT_END),
    ]));
  }

  /** libxc's end_of_checkpoint: TSC, then the PV or HVM register and platform state. */
  private endOfCheckpoint(tail: StreamTail): Buffer[] {
    const { guestType, vcpus, tscKhz } = this.opts;
    const tsc: TscInfo = { mode: 0, khz: tscKhz, nsec: 0n, incarnation: 0, ...tail.tsc };
    const parts = [encodeRecord(LibxcRec.X86_TSC_INFO, encodeTscInfo(tsc))];
    if (guestType === 'pv') {
      parts.push(encodeRecord(LibxcRec.SHARED_INFO, tail.sharedInfo ?? sharedInfoPage()));
      for (let v = 0; v < vcpus; v++) {
        parts.push(
          encodeRecord(LibxcRec.X86_PV_VCPU_BASIC, encodeVcpuRecord(v, tail.vcpuContexts?.[v] ?? pvVcpuContext())),
          encodeRecord(LibxcRec.X86_PV_VCPU_EXTENDED, encodeVcpuRecord(v, pvVcpuExtended(v))),
        );
      }
    } else {
      const top = this.opts.p2mSize;
      parts.push(
        encodeRecord(LibxcRec.HVM_CONTEXT, tail.hvmContext ?? hvmContext(vcpus, tsc.khz, tail.vcpuContexts?.map(c => encodeHvmHwCpu(decodeVcpuContext(c))))),
        encodeRecord(LibxcRec.HVM_PARAMS, encodeHvmParams(tail.hvmParams ?? hvmParams(top - 1, top - 2))),
      );
    }
    return parts;
  }

  /** What libxl adds for the device model: QEMU's state for an HVM guest, nothing otherwise. */
  private emulatorRecords(tail: StreamTail): Buffer[] {
    if (this.opts.guestType !== 'hvm') return [];
    const emu = Buffer.alloc(8);
    emu.writeUInt32LE(EMULATOR_QEMU_UPSTREAM, 0);
    return [encodeRecord(LibxlRec.EMULATOR_CONTEXT, Buffer.concat([emu, tail.emulatorContext ?? qemuContext()]))];
  }
}
