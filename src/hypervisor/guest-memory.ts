// A guest's physical memory: real bytes that cost almost nothing until read. Every page starts
// with a 32-byte header the guest kernel keeps there (magic, seed, pfn, generation, flags, body
// CRC, header CRC); the rest of the page is a 4-byte pattern derived from (seed, pfn,
// generation), or explicit bytes once something wrote them. A page never written since the
// domain was built (generation 0) is zero past its header, as Xen scrubs the memory it hands
// out. A workload dirtying memory bumps generations, so the bytes change without being stored.
// The header makes each page self-checking: a receiver rebuilding memory from a stream detects
// a corrupted page.
// Log-dirty mode and the populated set are those of Xen's p2m (shadow op CLEAN, ballooning).
// Pages the kernel shares with a backend (rings) are the exception: their layout is Xen's and
// starts at byte 0, so the kernel keeps their check words in a trailer in the last 32 bytes,
// which no shared-ring layout uses.
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import {
  LITTLE_ENDIAN, LibxcRec, PAGE_SIZE, PageType, pageTypeHasData, type PageData, type StreamRecord,
} from '../formats/save-stream/index.ts';

export const PAGE_MAGIC = 0x47504c58; // "XLPG"
export const PAGE_HEADER_SIZE = 32;
const FLAG_EXPLICIT = 1;
/** The check words sit at the end of the page (a ring page), not at its start. */
const FLAG_TRAILER = 2;
const TRAILER_AT = PAGE_SIZE - PAGE_HEADER_SIZE;
/** Where the kernel looks for a free page to share: above the first MiB (start info, page tables). */
const KERNEL_PAGE_HINT = 0x100;

export class PageCorruptError extends Error {}

/** copyPages' notes on a reused buffer's page slots: nothing known, or zero past the header. */
const SLOT_UNKNOWN = 0;
const SLOT_ZERO_BODY = 1;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The body pattern word of a page: a hash of (seed, pfn, generation); zero when never written. */
function patternWord(seed: number, pfn: number, gen: number): number {
  if (gen === 0) return 0;
  return fmix32(seed ^ fmix32((pfn >>> 0) ^ fmix32(gen + 0x9e3779b9) ^ Math.floor(pfn / 0x100000000)));
}

function fillBody(into: Buffer, offset: number, seed: number, pfn: number, gen: number): void {
  const word = patternWord(seed, pfn, gen);
  const at = into.byteOffset + offset + PAGE_HEADER_SIZE;
  // A typed-array fill is a native word fill; Buffer.fill with a pattern is several times slower.
  if (at % 4 === 0 && LITTLE_ENDIAN) new Uint32Array(into.buffer, at, (PAGE_SIZE - PAGE_HEADER_SIZE) / 4).fill(word);
  else {
    const w = Buffer.alloc(4);
    w.writeUInt32LE(word, 0);
    into.fill(w, offset + PAGE_HEADER_SIZE, offset + PAGE_SIZE);
  }
}

/** Checksum of a header's first seven words, from word `i` of `w` (cheaper than a CRC for 28 bytes). */
function headerSum(w: Uint32Array, i: number): number {
  let h = 0x2545f491;
  for (let j = 0; j < 7; j++) h = fmix32(h ^ w[i + j]!);
  return h;
}

/** The eight header words of a page, from word `i` of `w`: magic, seed, pfn (lo, hi), generation, flags, body CRC, checksum. */
function putHeader(w: Uint32Array, i: number, seed: number, pfn: number, gen: number, flags: number, bodyCrc: number): void {
  w[i] = PAGE_MAGIC;
  w[i + 1] = seed;
  w[i + 2] = pfn >>> 0;
  w[i + 3] = Math.floor(pfn / 0x100000000);
  w[i + 4] = gen;
  w[i + 5] = flags;
  w[i + 6] = bodyCrc;
  w[i + 7] = headerSum(w, i);
}

/** A page header's words, for buffers that have no word view (any offset, any host). */
const HEADER = new Uint32Array(PAGE_HEADER_SIZE / 4);

function writeHeader(into: Buffer, o: number, seed: number, pfn: number, gen: number, flags: number, bodyCrc: number): void {
  putHeader(HEADER, 0, seed, pfn, gen, flags, bodyCrc);
  for (let j = 0; j < HEADER.length; j++) into.writeUInt32LE(HEADER[j]!, o + 4 * j);
}

/**
 * Why the 4096 bytes at `o` are not a sound page for `pfn` (no header, header or body not
 * matching its checksum, wrong pfn), or null when they are.
 */
export function checkPage(pfn: number, bytes: Buffer, at?: number): string | null {
  const bad = checkHeaderPage(pfn, bytes, at);
  return bad && trailerSound(pfn, bytes, at ?? 0) ? null : bad;
}

/** checkPage for a page with its check words at its start. */
function checkHeaderPage(pfn: number, bytes: Buffer, at?: number): string | null {
  // Without an offset the buffer is the page; with one, the page is inside a larger buffer.
  const o = at ?? 0;
  if (at === undefined ? bytes.length !== PAGE_SIZE : bytes.length - o < PAGE_SIZE) {
    return `page is ${bytes.length - o} bytes, not ${PAGE_SIZE}`;
  }
  for (let j = 0; j < HEADER.length; j++) HEADER[j] = bytes.readUInt32LE(o + 4 * j);
  return checkWords(pfn, bytes, o, HEADER, 0);
}

/** Whether the 4096 bytes at `o` are a sound ring page for `pfn`: its trailer checks, and the bytes before it. */
function trailerSound(pfn: number, bytes: Buffer, o: number): boolean {
  if (bytes.length - o < PAGE_SIZE) return false;
  for (let j = 0; j < HEADER.length; j++) HEADER[j] = bytes.readUInt32LE(o + TRAILER_AT + 4 * j);
  return HEADER[0] === PAGE_MAGIC && headerSum(HEADER, 0) === HEADER[7] && HEADER[5] === (FLAG_EXPLICIT | FLAG_TRAILER)
    && HEADER[3]! * 0x100000000 + HEADER[2]! === pfn && crc32(bytes.subarray(o, o + TRAILER_AT)) === HEADER[6];
}

/** checkPage with the header's words at word `i` of `w` (a word view of `bytes`, or a copy of the header). */
function checkWords(pfn: number, bytes: Buffer, o: number, w: Uint32Array, i: number): string | null {
  if (w[i] !== PAGE_MAGIC) return 'page header magic is wrong';
  if (headerSum(w, i) !== w[i + 7]) return 'page header checksum mismatch';
  const hdrPfn = w[i + 3]! * 0x100000000 + w[i + 2]!;
  if (hdrPfn !== pfn) return `page header names pfn 0x${hdrPfn.toString(16)}`;
  return checkBody(pfn, bytes, o, w[i + 1]!, w[i + 4]!, w[i + 5]!, w[i + 6]!);
}

function checkBody(pfn: number, bytes: Buffer, o: number, seed: number, gen: number, flags: number, bodyCrc: number): string | null {
  const body = o + PAGE_HEADER_SIZE;
  if (flags & FLAG_EXPLICIT) {
    return crc32(bytes.subarray(body, o + PAGE_SIZE)) === bodyCrc ? null : 'page body checksum mismatch';
  }
  // A pattern body is one word repeated: its first word must be the pattern word, and the body
  // must equal itself shifted by one word (a single native compare, no expected page built).
  if (bytes.readUInt32LE(body) !== patternWord(seed, pfn, gen)
      || bytes.compare(bytes, body, o + PAGE_SIZE - 4, body + 4, o + PAGE_SIZE) !== 0) {
    return 'page body checksum mismatch';
  }
  return null;
}

/**
 * A pattern page's bytes from word `o` of `w`: its header, then its body word repeated. With
 * `notes` (copyPages'), a slot already zero past its header is not filled again.
 */
function writePatternPage(w: Uint32Array, o: number, seed: number, pfn: number, gen: number, notes: Uint8Array | undefined, slot: number): void {
  putHeader(w, o, seed, pfn, gen, 0, 0);
  const word = patternWord(seed, pfn, gen);
  if (word !== 0 || !notes || notes[slot] !== SLOT_ZERO_BODY) w.fill(word, o + PAGE_HEADER_SIZE / 4, o + PAGE_SIZE / 4);
  if (notes) notes[slot] = word === 0 ? SLOT_ZERO_BODY : SLOT_UNKNOWN;
}

/** A word view of `b` when its words can be read natively (aligned, little-endian host). */
function wordView(b: Buffer): Uint32Array | null {
  return LITTLE_ENDIAN && b.byteOffset % 4 === 0 ? new Uint32Array(b.buffer, b.byteOffset, b.length >>> 2) : null;
}

export interface GuestMemoryOptions {
  /** Seeds every page's pattern; two guests with different seeds have different memory. */
  seed?: number;
  /** Start with every pfn populated (a booted guest) or none (a receiver filling from a stream). */
  populated?: boolean;
}

export class GuestMemory {
  /** Size of the physical address space in pages (p2m size). */
  readonly nrPages: number;
  private seed: number;
  private readonly generation: Uint32Array;
  private readonly populatedMap: Uint8Array;
  private nrPopulated: number;
  private readonly explicit = new Map<number, Buffer>();
  /** Explicit pages whose bytes are all the guest's (ring pages), checked by a trailer. */
  private readonly raw = new Set<number>();
  /** Pages the kernel holds for sharing (live rings): workloads and the balloon leave them alone. */
  private readonly kernel = new Set<number>();
  private readonly types = new Map<number, number>();
  private dirtyMap: Uint8Array | null = null;
  /** Pages the workload has written since the domain was built (the memory traffic cache monitoring sees). */
  pagesWritten = 0;
  private nrDirty = 0;

  constructor(nrPages: number, opts: GuestMemoryOptions = {}) {
    this.nrPages = nrPages;
    this.seed = (opts.seed ?? 1) >>> 0;
    this.generation = new Uint32Array(nrPages);
    this.populatedMap = new Uint8Array(nrPages).fill(opts.populated === false ? 0 : 1);
    this.nrPopulated = opts.populated === false ? 0 : nrPages;
  }

  /** Pages backed by memory (Xen's tot_pages for this guest). */
  get populatedCount(): number { return this.nrPopulated; }
  populated(pfn: number): boolean { return this.populatedMap[pfn] === 1; }

  /** The populated pfns, ascending (what a save's first round and a core dump cover). */
  populatedPfns(): Uint32Array {
    const out = new Uint32Array(this.nrPopulated);
    for (let pfn = 0, k = 0; k < out.length; pfn++) if (this.populatedMap[pfn]) out[k++] = pfn;
    return out;
  }

  private checkPfn(pfn: number): void {
    if (!Number.isInteger(pfn) || pfn < 0 || pfn >= this.nrPages) {
      throw new RangeError(`pfn 0x${pfn.toString(16)} outside the guest's ${this.nrPages} pages`);
    }
  }

  private markDirty(pfn: number): void {
    if (this.dirtyMap && this.dirtyMap[pfn] === 0) {
      this.dirtyMap[pfn] = 1;
      this.nrDirty++;
    }
  }

  /** XENMEM_populate_physmap: back these pfns with fresh memory, scrubbed (never written). */
  populate(pfns: Iterable<number>): void {
    for (const pfn of pfns) {
      this.checkPfn(pfn);
      if (this.populatedMap[pfn]) continue;
      this.populatedMap[pfn] = 1;
      this.nrPopulated++;
      this.generation[pfn] = 0;
      this.markDirty(pfn);
    }
  }

  /** XENMEM_decrease_reservation: give these pfns' memory back (the balloon inflates). */
  decreaseReservation(pfns: Iterable<number>): void {
    for (const pfn of pfns) {
      this.checkPfn(pfn);
      if (!this.populatedMap[pfn]) continue;
      this.populatedMap[pfn] = 0;
      this.nrPopulated--;
      this.explicit.delete(pfn);
      this.raw.delete(pfn);
      this.kernel.delete(pfn);
      this.types.delete(pfn);
      this.markDirty(pfn);
    }
  }

  /**
   * A workload writes `nPages` pages chosen by `rng` (uniform in [0,1)) among the first `span`
   * pfns (its working set; default all). Returns how many populated pages were written.
   */
  dirty(nPages: number, rng: () => number, span = this.nrPages): number {
    let written = 0;
    const range = Math.min(span, this.nrPages);
    for (let i = 0; i < nPages; i++) {
      const pfn = Math.floor(rng() * range);
      if (!this.populatedMap[pfn] || (this.kernel.size && this.kernel.has(pfn))) continue;
      this.generation[pfn]++;
      if (this.explicit.delete(pfn)) this.raw.delete(pfn);
      this.markDirty(pfn);
      written++;
    }
    this.pagesWritten += written;
    return written;
  }

  /** The guest stores `data` at `offset` (past the page header) of a page. */
  poke(pfn: number, offset: number, data: Buffer): void {
    this.checkPfn(pfn);
    if (!this.populatedMap[pfn]) throw new RangeError(`pfn 0x${pfn.toString(16)} is not populated`);
    if (this.kernel.has(pfn)) throw new RangeError(`pfn 0x${pfn.toString(16)} is a shared kernel page`);
    if (offset < PAGE_HEADER_SIZE || offset + data.length > PAGE_SIZE) {
      throw new RangeError(`poke must stay within bytes ${PAGE_HEADER_SIZE}..${PAGE_SIZE} of the page`);
    }
    const page = this.readPage(pfn);
    data.copy(page, offset);
    const gen = ++this.generation[pfn];
    writeHeader(page, 0, this.seed, pfn, gen, FLAG_EXPLICIT, crc32(page.subarray(PAGE_HEADER_SIZE)));
    this.explicit.set(pfn, page);
    this.raw.delete(pfn);
    this.markDirty(pfn);
  }

  // ---- pages the kernel shares (rings) --------------------------------------------------

  /**
   * get_free_page for a page to share with a backend: the lowest populated pfn above the first
   * MiB (below it when the guest is that small) that the kernel does not hold yet, scrubbed;
   * pages that held rings before (freed, or carried by a restore) only when no other is left.
   * Its bytes are the Buffer `sharedPage` returns, written in place by the ring's two ends.
   * Null when no page is free (a memory still being restored from a stream).
   */
  allocKernelPage(): number | null {
    for (const [from, reuse] of [[Math.min(KERNEL_PAGE_HINT, this.nrPages), false], [0, true]] as const) {
      for (let pfn = from; pfn < this.nrPages; pfn++) {
        if (!this.populatedMap[pfn] || this.kernel.has(pfn) || (!reuse && this.raw.has(pfn))) continue;
        this.kernel.add(pfn);
        this.raw.add(pfn);
        this.explicit.set(pfn, Buffer.alloc(PAGE_SIZE));
        this.generation[pfn]++;
        this.markDirty(pfn);
        return pfn;
      }
    }
    return null;
  }

  /** The live bytes of a page the kernel holds (the last 32 are the page's trailer, kept on copy). */
  sharedPage(pfn: number): Buffer {
    const page = this.kernel.has(pfn) ? this.explicit.get(pfn) : undefined;
    if (!page) throw new RangeError(`pfn 0x${pfn.toString(16)} is not a shared kernel page`);
    return page;
  }

  isKernelPage(pfn: number): boolean { return this.kernel.has(pfn); }

  /** free_page: the kernel stops sharing the page; its bytes stay until it is written again. */
  freeKernelPage(pfn: number): void { this.kernel.delete(pfn); }

  /** A shared page was written in place (log-dirty must send it again). */
  touch(pfn: number): void { this.markDirty(pfn); }

  // ---- log-dirty mode (XEN_DOMCTL_SHADOW_OP_*) ------------------------------------------

  get logDirtyEnabled(): boolean { return this.dirtyMap !== null; }

  /** SHADOW_OP_ENABLE_LOGDIRTY: from now on every write is recorded; the bitmap starts clean. */
  enableLogDirty(): void {
    this.dirtyMap = new Uint8Array(this.nrPages);
    this.nrDirty = 0;
  }

  /** SHADOW_OP_OFF. */
  disableLogDirty(): void {
    this.dirtyMap = null;
    this.nrDirty = 0;
  }

  /** SHADOW_OP_PEEK's count: pages written since the last clean. */
  get dirtyCount(): number { return this.nrDirty; }

  /** SHADOW_OP_CLEAN: the pfns written since the last clean, ascending; the bitmap is cleared. */
  cleanDirtyBitmap(): Uint32Array {
    if (!this.dirtyMap) throw new Error('log-dirty mode is not enabled');
    const out = new Uint32Array(this.nrDirty);
    let k = 0;
    const map = this.dirtyMap;
    for (let pfn = 0; pfn < map.length && k < out.length; pfn++) {
      if (map[pfn]) {
        out[k++] = pfn;
        map[pfn] = 0;
      }
    }
    this.nrDirty = 0;
    return out;
  }

  // ---- page contents --------------------------------------------------------------------

  /** Stream page type: XTAB for an unpopulated pfn, a page-table type where set, else NOTAB. */
  pageType(pfn: number): number {
    if (!this.populatedMap[pfn]) return PageType.XTAB;
    return this.types.get(pfn) ?? PageType.NOTAB;
  }

  /** A PV guest's page-table pages travel with their L1..L4 (pinned) type. */
  setPageType(pfn: number, type: number): void {
    this.checkPfn(pfn);
    if (type === PageType.NOTAB) this.types.delete(pfn);
    else this.types.set(pfn, type);
  }

  copyPage(pfn: number, into: Buffer, offset: number): void {
    if (!this.populatedMap[pfn]) throw new RangeError(`pfn 0x${pfn.toString(16)} is not populated`);
    const page = this.explicit.get(pfn);
    if (page) {
      page.copy(into, offset);
      if (this.raw.has(pfn)) {
        writeHeader(into, offset + TRAILER_AT, this.seed, pfn, this.generation[pfn]!, FLAG_EXPLICIT | FLAG_TRAILER, crc32(page.subarray(0, TRAILER_AT)));
      }
      return;
    }
    const gen = this.generation[pfn];
    writeHeader(into, offset, this.seed, pfn, gen, 0, 0);
    fillBody(into, offset, this.seed, pfn, gen);
  }

  /**
   * copyPage for a batch of pfns into consecutive pages of `into` (one word view for all).
   * With `notes` (one per page slot of `into`, kept by a caller that reuses `into`), a slot
   * noted as zero past its header gets only the header of a never-written page.
   */
  copyPages(pfns: ArrayLike<number>, into: Buffer, offset = 0, notes?: Uint8Array): void {
    const at = into.byteOffset + offset;
    const slot0 = offset / PAGE_SIZE;
    if (at % 4 !== 0 || !LITTLE_ENDIAN) {
      for (let i = 0; i < pfns.length; i++) this.copyPage(pfns[i], into, offset + i * PAGE_SIZE);
      notes?.fill(SLOT_UNKNOWN, slot0, slot0 + pfns.length);
      return;
    }
    const w = new Uint32Array(into.buffer, at, (pfns.length * PAGE_SIZE) / 4);
    const seed = this.seed;
    for (let i = 0; i < pfns.length; i++) {
      const pfn = pfns[i];
      if (!this.populatedMap[pfn] || this.explicit.has(pfn)) {
        this.copyPage(pfn, into, offset + i * PAGE_SIZE);
        if (notes) notes[slot0 + i] = SLOT_UNKNOWN;
        continue;
      }
      writePatternPage(w, i * (PAGE_SIZE / 4), seed, pfn, this.generation[pfn], notes, slot0 + i);
    }
  }

  readPage(pfn: number): Buffer {
    this.checkPfn(pfn);
    const b = Buffer.allocUnsafe(PAGE_SIZE);
    this.copyPage(pfn, b, 0);
    return b;
  }

  /**
   * Store a page received from a stream (populating it). Throws PageCorruptError when the bytes
   * are not a sound page for this pfn (`at`: the page's offset inside a larger `bytes`;
   * `words`: wordView(bytes), to check a run of pages without reading them byte-wise;
   * `patternChecked`: the bytes are known to be exactly the pattern page their header names,
   * so only a page with other flags is checked here). A
   * pattern page is kept as its generation, not its bytes; an empty memory adopts the seed of
   * the first such page, so a receiver stays cheap too.
   */
  writePage(pfn: number, bytes: Buffer, type: number = PageType.NOTAB, at?: number, words?: Uint32Array | null, patternChecked = false): void {
    if (!(pfn >= 0 && pfn < this.nrPages)) this.checkPfn(pfn); // throws; integer pfns from a stream are the rule
    const offset = at ?? 0;
    const fast = words && offset % 4 === 0 && bytes.length - offset >= PAGE_SIZE;
    const i = offset >>> 2;
    const flags = fast ? words[i + 5] : bytes.readUInt32LE(offset + 20);
    if (!patternChecked || flags !== 0) {
      const bad = fast ? checkWords(pfn, bytes, offset, words, i) : checkHeaderPage(pfn, bytes, at);
      if (bad && !trailerSound(pfn, bytes, offset)) throw new PageCorruptError(`pfn 0x${pfn.toString(16)}: ${bad}`);
      if (bad) { this.writeRawPage(pfn, bytes, offset, type); return; }
    }
    const seed = fast ? words[i + 1] : bytes.readUInt32LE(offset + 4);
    const gen = fast ? words[i + 4] : bytes.readUInt32LE(offset + 16);
    if (this.nrPopulated === 0 && this.explicit.size === 0) this.seed = seed;
    if (!this.populatedMap[pfn]) {
      this.populatedMap[pfn] = 1;
      this.nrPopulated++;
    }
    this.generation[pfn] = gen;
    if (this.raw.size) this.raw.delete(pfn);
    if ((flags & FLAG_EXPLICIT) === 0 && seed === this.seed) {
      if (this.explicit.size) this.explicit.delete(pfn);
    } else {
      this.explicit.set(pfn, Buffer.from(bytes.subarray(offset, offset + PAGE_SIZE)));
    }
    if (type !== PageType.NOTAB) this.types.set(pfn, type);
    else if (this.types.size) this.types.delete(pfn);
    this.markDirty(pfn);
  }

  /** writePage for a ring page that came with its trailer (HEADER holds the trailer's words). */
  private writeRawPage(pfn: number, bytes: Buffer, offset: number, type: number): void {
    if (this.nrPopulated === 0 && this.explicit.size === 0) this.seed = HEADER[1]!;
    if (!this.populatedMap[pfn]) {
      this.populatedMap[pfn] = 1;
      this.nrPopulated++;
    }
    this.generation[pfn] = HEADER[4]!;
    this.explicit.set(pfn, Buffer.from(bytes.subarray(offset, offset + PAGE_SIZE)));
    this.raw.add(pfn);
    if (type !== PageType.NOTAB) this.types.set(pfn, type);
    else if (this.types.size) this.types.delete(pfn);
    this.markDirty(pfn);
  }

  /** sha256 over every populated pfn and its bytes, for comparing two memories. */
  digest(): string {
    const h = createHash('sha256');
    const batch = 1024;
    const buf = Buffer.allocUnsafe(batch * (8 + PAGE_SIZE));
    let at = 0;
    for (let pfn = 0; pfn < this.nrPages; pfn++) {
      if (!this.populatedMap[pfn]) continue;
      buf.writeUInt32LE(pfn >>> 0, at);
      buf.writeUInt32LE(Math.floor(pfn / 0x100000000), at + 4);
      this.copyPage(pfn, buf, at + 8);
      at += 8 + PAGE_SIZE;
      if (at === buf.length) {
        h.update(buf);
        at = 0;
      }
    }
    h.update(buf.subarray(0, at));
    return h.digest('hex');
  }
}

/**
 * Rebuilds memory from a stream's PAGE_DATA records, round after round: data pages are written
 * (and checked), XTAB entries drop the pfn. Other records are left to the toolstack.
 */
export class MemoryRestorer {
  readonly memory: GuestMemory;
  pagesWritten = 0;
  /** What a fragment's pages must hold, rebuilt for each; notes as copyPages keeps them. */
  private expected = Buffer.alloc(0);
  private expectedNotes = new Uint8Array(0);

  constructor(memory: GuestMemory) { this.memory = memory; }

  apply(rec: StreamRecord): void {
    if (rec.layer !== 'libxc' || rec.type !== LibxcRec.PAGE_DATA || !rec.pageData) return;
    const { pfns, types, data, dataIndex, dataBase } = rec.pageData;
    const words = wordView(data);
    const sound = words !== null && this.patternPagesSound(rec.pageData, words);
    for (let i = 0; i < pfns.length; i++) {
      const k = dataIndex[i];
      if (k >= 0) {
        this.memory.writePage(pfns[i], data, types[i], (k - dataBase) * PAGE_SIZE, words, sound);
        this.pagesWritten++;
      } else if (types[i] === PageType.XTAB) {
        this.memory.decreaseReservation([pfns[i]]);
      } else if (!pageTypeHasData(types[i])) {
        this.memory.populate([pfns[i]]); // XALLOC/BROKEN: backed, contents unknown
      }
    }
  }

  /**
   * Whether every pattern page (flags 0) of a fragment is exactly the page its header's seed and
   * generation give for its pfn: one native compare of the fragment with the pages rebuilt,
   * instead of one per page. Other pages are copied as they are, to be checked one by one; when
   * anything differs, every page is checked one by one, which names the first bad one.
   */
  private patternPagesSound(pd: PageData, w: Uint32Array): boolean {
    const { pfns, data, dataIndex, dataBase } = pd;
    const pages = data.length / PAGE_SIZE;
    if (this.expected.length < data.length) {
      this.expected = Buffer.alloc(data.length);
      this.expectedNotes = new Uint8Array(pages);
    }
    const e = new Uint32Array(this.expected.buffer, this.expected.byteOffset, data.length >>> 2);
    for (let i = 0; i < pfns.length; i++) {
      const k = dataIndex[i];
      if (k < 0) continue;
      const slot = k - dataBase;
      const o = slot * (PAGE_SIZE / 4);
      if (w[o + 5] !== 0) {
        data.copy(this.expected, slot * PAGE_SIZE, slot * PAGE_SIZE, (slot + 1) * PAGE_SIZE);
        this.expectedNotes[slot] = SLOT_UNKNOWN;
        continue;
      }
      writePatternPage(e, o, w[o + 1], pfns[i], w[o + 4], this.expectedNotes, slot);
    }
    return this.expected.compare(data, 0, data.length, 0, data.length) === 0;
  }
}

/** A whole restore in one go: a fresh memory of `nrPages` filled from `records`. */
export function restoreMemory(records: Iterable<StreamRecord>, nrPages: number): GuestMemory {
  const r = new MemoryRestorer(new GuestMemory(nrPages, { populated: false }));
  for (const rec of records) r.apply(rec);
  return r.memory;
}
