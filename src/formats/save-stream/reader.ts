// Incremental reader of an xl save file / migration stream: feed it chunks as they arrive from
// a file or a pipe, take the records it has completed. It checks what libxl's and libxc's
// restore code check (and verify-stream-v2 reports), stops at the first error, and when told
// the input has ended reports a truncated stream with what it was waiting for.
import {
  LIBXC_REC_NAMES, LIBXL_IDENT, LIBXL_REC_NAMES, LIBXL_VERSION, LibxcRec, LibxlRec,
  MAX_BATCH_SIZE, PAGE_SIZE, REC_TYPE_OPTIONAL,
} from './constants.ts';
import { RECORD_HEADER_SIZE, padTo8 } from './framing.ts';
import {
  DOMAIN_HEADER_SIZE, IMAGE_HEADER_SIZE, StreamError, decodeDomainHeader, decodeImageHeader,
  checkPageDataLength, decodePageData, decodePageDataHead, type DomainHeader, type PageData, type PageDataHead,
} from './libxc-records.ts';
import {
  XL_HEADER_SIZE, XL_MANDATORY_FLAG_STREAMV2, XlHeaderError, decodeXlHeader, type XlHeader,
} from './xl-header.ts';

export { StreamError };

const EMPTY = Buffer.alloc(0);

/** libxc's REC_LENGTH_MAX: no record may be longer. */
export const REC_LENGTH_MAX = 128 << 20;

export type StreamRecord =
  | { layer: 'xl'; header: XlHeader }
  | { layer: 'libxl-header'; options: number }
  | { layer: 'libxl'; type: number; name: string; body: Buffer }
  | { layer: 'libxc-header'; version: number; domain: DomainHeader }
  | { layer: 'libxc'; type: number; name: string; body: Buffer; pageData?: PageData; partial?: boolean };

type State =
  | 'xl-fixed' | 'xl-optional' | 'libxl-header' | 'libxl-rec-header' | 'libxl-rec-body'
  | 'libxc-image-header' | 'libxc-domain-header' | 'libxc-rec-header' | 'libxc-rec-body'
  | 'page-count' | 'page-pfns' | 'page-data' | 'page-pad' | 'done';

const WAITING_FOR: Record<State, string> = {
  'xl-fixed': 'xl header',
  'xl-optional': 'xl header optional data',
  'libxl-header': 'libxl stream header',
  'libxl-rec-header': 'libxl record header',
  'libxl-rec-body': 'libxl record',
  'libxc-image-header': 'libxc image header',
  'libxc-domain-header': 'libxc domain header',
  'libxc-rec-header': 'libxc record header',
  'libxc-rec-body': 'libxc record',
  'page-count': 'libxc record Page data',
  'page-pfns': 'libxc record Page data',
  'page-data': 'libxc record Page data',
  'page-pad': 'libxc record Page data',
  done: '',
};

export interface StreamReaderOptions {
  /** The stream starts with the xl save-file header (a save file, or xl migrate's stream). */
  xlHeader?: boolean;
  /**
   * Record bodies stay valid only until the next feed(): the reader then reuses their memory
   * (much faster for PAGE_DATA than fresh 4 MiB buffers). Consumers copy what they keep.
   */
  reuseBuffers?: boolean;
  /**
   * Hand PAGE_DATA out as its pages arrive rather than once the record is whole: several
   * records per PAGE_DATA, each with the entries complete so far (`partial` on all but the
   * last; `body` empty). Pages are then mostly views of the fed chunks, not copies, and a
   * receiver works while the sender sends.
   */
  pageFragments?: boolean;
  /**
   * The caller reuses a fed chunk's memory once feed() returns and the records it completed are
   * used (a socket reading into one fixed buffer): the reader copies the bytes it keeps waiting.
   */
  chunksReused?: boolean;
}

export class StreamReader {
  /** The first error met; once set, nothing more is parsed. */
  error: StreamError | null = null;
  /** Bytes consumed by complete headers and records. */
  consumed = 0;
  /** Pages whose bytes arrived in PAGE_DATA records. */
  pagesReceived = 0;
  private state: State;
  private chunks: Buffer[] = [];
  private chunkAt = 0;
  private buffered = 0;
  private out: StreamRecord[] = [];
  private recType = 0;
  private recLength = 0;
  private xlFixed: Buffer | null = null;
  private imageVersion = 3;
  /** Between libxc's CHECKPOINT and libxl's CHECKPOINT_END: libxl's records of a checkpoint. */
  private inCheckpoint = false;
  private readonly reuse: boolean;
  private readonly fragments: boolean;
  private readonly chunksReused: boolean;
  /** The PAGE_DATA record being handed out in fragments. */
  private page: (PageDataHead & { entryAt: number; pagesAt: number }) | null = null;
  private pageCountWord: Buffer = Buffer.alloc(8);
  private pool: Buffer[] = [];
  private lent: Buffer[] = [];

  constructor(opts: StreamReaderOptions = {}) {
    this.state = opts.xlHeader === false ? 'libxl-header' : 'xl-fixed';
    this.reuse = opts.reuseBuffers ?? false;
    this.fragments = opts.pageFragments ?? false;
    this.chunksReused = opts.chunksReused ?? false;
  }

  /** The stream ended properly with the libxl END record. */
  get done(): boolean { return this.state === 'done'; }

  feed(chunk: Buffer): void {
    if (this.error || chunk.length === 0) return;
    if (this.lent.length) {
      this.pool.push(...this.lent);
      this.lent = [];
    }
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    try {
      if (this.state !== 'done') this.parse();
    } catch (e) {
      if (e instanceof StreamError) this.error = e;
      else if (e instanceof XlHeaderError) this.error = new StreamError(e.message);
      else throw e;
    }
    if (this.chunksReused) this.keepRest(chunk);
  }

  /** Copy what is left of `chunk` (only its tail can be left: earlier chunks are copies already). */
  private keepRest(chunk: Buffer): void {
    const last = this.chunks.length - 1;
    const rest = this.chunks[last];
    if (last >= this.chunkAt && rest.length && rest.buffer === chunk.buffer) this.chunks[last] = Buffer.from(rest);
  }

  /** Records completed since the last call. */
  records(): StreamRecord[] {
    const r = this.out;
    this.out = [];
    return r;
  }

  /** The input ended. Unless the stream was complete, this is a truncation error (also returned). */
  end(): StreamError | null {
    if (!this.error && this.state !== 'done') {
      const need = this.needed();
      this.error = new StreamError(
        `Stream truncated: reading ${this.waitingFor()} (have ${this.buffered} of ${need} bytes)`);
    }
    return this.error;
  }

  /** Bytes fed after the libxl END record (xl's migration handshake follows the stream). */
  remainder(): Buffer {
    if (this.state !== 'done') return Buffer.alloc(0);
    const rest = Buffer.concat(this.chunks.slice(this.chunkAt));
    this.chunks = [];
    this.chunkAt = 0;
    this.buffered = 0;
    return rest;
  }

  private waitingFor(): string {
    if (this.state === 'libxl-rec-body') return `${WAITING_FOR[this.state]} ${LIBXL_REC_NAMES[this.recType] ?? this.recType}`;
    if (this.state === 'page-data') return `${WAITING_FOR[this.state]} (page ${this.page!.pagesAt} of ${this.page!.dataPages})`;
    if (this.state === 'libxc-rec-body') return `${WAITING_FOR[this.state]} ${LIBXC_REC_NAMES[this.recType] ?? this.recType}`;
    return WAITING_FOR[this.state];
  }

  private needed(): number {
    switch (this.state) {
      case 'xl-fixed': return XL_HEADER_SIZE;
      case 'xl-optional': return this.xlFixed!.readUInt32LE(44);
      case 'libxl-header': return 16;
      case 'libxc-image-header': return IMAGE_HEADER_SIZE;
      case 'libxc-domain-header': return DOMAIN_HEADER_SIZE;
      case 'libxl-rec-header': case 'libxc-rec-header': return RECORD_HEADER_SIZE;
      case 'libxl-rec-body': case 'libxc-rec-body': return padTo8(this.recLength);
      case 'page-count': return 8;
      case 'page-pfns': return 8 * this.pageCountWord.readUInt32LE(0);
      case 'page-data': return PAGE_SIZE;
      case 'page-pad': return padTo8(this.recLength) - this.recLength;
      case 'done': return 0;
    }
  }

  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    this.buffered -= n;
    this.consumed += n;
    const first = this.chunks[this.chunkAt];
    if (first.length >= n) {
      const r = first.subarray(0, n);
      if (first.length === n) this.chunks[this.chunkAt++] = Buffer.alloc(0);
      else this.chunks[this.chunkAt] = first.subarray(n);
      this.compact();
      return r;
    }
    const r = this.assembly(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[this.chunkAt];
      const k = Math.min(c.length, n - at);
      c.copy(r, at, 0, k);
      at += k;
      if (k === c.length) this.chunkAt++;
      else this.chunks[this.chunkAt] = c.subarray(k);
    }
    this.compact();
    return r;
  }

  private assembly(n: number): Buffer {
    const size = RECORD_HEADER_SIZE + 8 + 8 * MAX_BATCH_SIZE + MAX_BATCH_SIZE * PAGE_SIZE;
    if (!this.reuse || n > size) return Buffer.allocUnsafe(n);
    const b = this.pool.pop() ?? Buffer.allocUnsafe(size);
    this.lent.push(b);
    return b.subarray(0, n);
  }

  private compact(): void {
    if (this.chunkAt > 64) {
      this.chunks = this.chunks.slice(this.chunkAt);
      this.chunkAt = 0;
    }
  }

  private parse(): void {
    while (this.state !== 'done') {
      const need = this.needed();
      if (this.buffered < need) return;
      const b = this.take(this.state === 'page-data' ? this.pageRun() : need);
      switch (this.state) {
        case 'xl-fixed': this.xlFixedHeader(b); break;
        case 'xl-optional': {
          const d = decodeXlHeader(Buffer.concat([this.xlFixed!, b]))!;
          this.out.push({ layer: 'xl', header: d.header });
          this.state = 'libxl-header';
          break;
        }
        case 'libxl-header': this.libxlHeader(b); break;
        case 'libxl-rec-header': case 'libxc-rec-header':
          this.recType = b.readUInt32LE(0);
          this.recLength = b.readUInt32LE(4);
          this.checkType();
          if (this.recLength > REC_LENGTH_MAX) {
            // A damaged length must not make us buffer gigabytes waiting for the body.
            const names = this.state === 'libxl-rec-header' ? LIBXL_REC_NAMES : LIBXC_REC_NAMES;
            throw new StreamError(`Record (0x${this.recType.toString(16).padStart(8, '0')}, ${names[this.recType] ?? 'unknown'}) length 0x${this.recLength.toString(16)} exceeds max (0x${REC_LENGTH_MAX.toString(16)})`);
          }
          if (this.state === 'libxl-rec-header') this.state = 'libxl-rec-body';
          else this.state = this.fragments && this.recType === LibxcRec.PAGE_DATA ? 'page-count' : 'libxc-rec-body';
          break;
        case 'libxl-rec-body': this.libxlRecord(this.unpad(b)); break;
        case 'libxc-image-header':
          this.imageVersion = decodeImageHeader(b).version;
          this.state = 'libxc-domain-header';
          break;
        case 'libxc-domain-header':
          this.out.push({ layer: 'libxc-header', version: this.imageVersion, domain: decodeDomainHeader(b) });
          this.state = 'libxc-rec-header';
          break;
        case 'libxc-rec-body': this.libxcRecord(this.unpad(b)); break;
        case 'page-count': this.pageCount(b); break;
        case 'page-pfns': this.pagePfns(b); break;
        case 'page-data': this.pageFragment(b); break;
        case 'page-pad':
          for (const x of b) if (x !== 0) throw new StreamError('Padding containing non0 bytes found');
          this.state = 'libxc-rec-header';
          break;
      }
    }
  }

  private pageCount(b: Buffer): void {
    if (this.recLength < 8) throw new StreamError('PAGE_DATA record must be at least 8 bytes long');
    const count = b.readUInt32LE(0);
    if (count === 0 || this.recLength < 8 + 8 * count) {
      decodePageDataHead(b); // throws the matching error
      throw new StreamError('PAGE_DATA record must contain a pfn record for each count');
    }
    this.pageCountWord = Buffer.from(b); // kept until the pfn list arrives, maybe in a later chunk
    this.state = 'page-pfns';
  }

  private pagePfns(b: Buffer): void {
    const head = decodePageDataHead(Buffer.concat([this.pageCountWord, b]));
    checkPageDataLength(head, this.recLength);
    this.page = { ...head, entryAt: 0, pagesAt: 0 };
    if (head.dataPages === 0) this.pageFragment(Buffer.alloc(0));
    else this.state = 'page-data';
  }

  /** Bytes of whole pages to take now: all the first chunk holds (no copy), at least one page. */
  private pageRun(): number {
    const p = this.page!;
    const inFirst = Math.floor(this.chunks[this.chunkAt].length / PAGE_SIZE);
    return Math.min(Math.max(inFirst, 1), p.dataPages - p.pagesAt) * PAGE_SIZE;
  }

  /** Emit the entries whose pages are in `data` (plus, at the end, the trailing no-data ones). */
  private pageFragment(data: Buffer): void {
    const p = this.page!;
    const n = data.length / PAGE_SIZE;
    const start = p.entryAt;
    const last = p.pagesAt + n === p.dataPages;
    let end: number;
    if (last) end = p.pfns.length;
    else if (p.dataPages === p.pfns.length) end = start + n; // every entry carries a page
    else {
      // Up to and including the entry of the fragment's last page.
      const lastPage = p.pagesAt + n - 1;
      end = start;
      while (p.dataIndex[end] !== lastPage) end++;
      end++;
    }
    this.out.push({
      layer: 'libxc', type: LibxcRec.PAGE_DATA, name: LIBXC_REC_NAMES[LibxcRec.PAGE_DATA], body: EMPTY,
      pageData: {
        pfns: p.pfns.subarray(start, end), types: p.types.subarray(start, end), data,
        dataIndex: p.dataIndex.subarray(start, end), dataBase: p.pagesAt,
      },
      partial: !last,
    });
    p.entryAt = end;
    p.pagesAt += n;
    this.pagesReceived += n;
    if (last) {
      this.page = null;
      this.state = padTo8(this.recLength) === this.recLength ? 'libxc-rec-header' : 'page-pad';
    }
  }

  private xlFixedHeader(b: Buffer): void {
    const { header } = decodeXlHeader(headOnly(b))!; // magic, byte order, flags: before the config arrives
    if (!(header.mandatoryFlags & XL_MANDATORY_FLAG_STREAMV2)) {
      throw new StreamError('Savefile holds a legacy (pre-migration-v2) stream, which cannot be restored here');
    }
    this.xlFixed = Buffer.from(b);
    this.state = 'xl-optional';
  }

  private libxlHeader(b: Buffer): void {
    const ident = b.readBigUInt64BE(0);
    const version = b.readUInt32BE(8);
    const options = b.readUInt32BE(12);
    if (ident !== LIBXL_IDENT) throw new StreamError(`Bad image id: Expected 0x${LIBXL_IDENT.toString(16)}, got 0x${ident.toString(16)}`);
    if (version !== LIBXL_VERSION) throw new StreamError(`Unknown image version: Expected ${LIBXL_VERSION}, got ${version}`);
    if (options & 0xfffc) throw new StreamError(`Reserved bits set in image options field: 0x${(options & 0xfffc).toString(16)}`);
    if (options & 1) throw new StreamError('Stream is not native endianess - unable to validate');
    this.out.push({ layer: 'libxl-header', options });
    this.state = 'libxl-rec-header';
  }

  private checkType(): void {
    const libxl = this.state === 'libxl-rec-header';
    const names = libxl ? LIBXL_REC_NAMES : LIBXC_REC_NAMES;
    if (this.recType < REC_TYPE_OPTIONAL && !(this.recType in names)) {
      throw new StreamError(`Unrecognised ${libxl ? 'libxl' : 'libxc'} record type 0x${this.recType.toString(16)}`);
    }
  }

  private unpad(b: Buffer): Buffer {
    for (let i = this.recLength; i < b.length; i++) {
      if (b[i] !== 0) throw new StreamError('Padding containing non0 bytes found');
    }
    return b.subarray(0, this.recLength);
  }

  private name(names: Record<number, string>): string {
    return names[this.recType] ?? `optional record 0x${this.recType.toString(16)}`;
  }

  private libxlRecord(body: Buffer): void {
    const type = this.recType;
    const name = this.name(LIBXL_REC_NAMES);
    if ((type === LibxlRec.END || type === LibxlRec.LIBXC_CONTEXT || type === LibxlRec.CHECKPOINT_END) && body.length) {
      throw new StreamError(`${name} record with non-zero length`);
    }
    if ((type === LibxlRec.EMULATOR_XENSTORE_DATA || type === LibxlRec.EMULATOR_CONTEXT) && body.length < 8) {
      throw new StreamError(`${name} record too short`);
    }
    if (type === LibxlRec.CHECKPOINT_END && !this.inCheckpoint) throw new StreamError('Unexpected CHECKPOINT_END record in stream');
    if (type === LibxlRec.LIBXC_CONTEXT && this.inCheckpoint) throw new StreamError('Unexpected LIBXC_CONTEXT record in a checkpoint');
    this.out.push({ layer: 'libxl', type, name, body });
    if (type === LibxlRec.END) this.state = 'done';
    else if (type === LibxlRec.CHECKPOINT_END) { this.inCheckpoint = false; this.state = 'libxc-rec-header'; }
    else if (type === LibxlRec.LIBXC_CONTEXT) this.state = 'libxc-image-header';
    else this.state = 'libxl-rec-header';
  }

  private libxcRecord(body: Buffer): void {
    const type = this.recType;
    const name = this.name(LIBXC_REC_NAMES);
    const exact: Record<number, number> = {
      [LibxcRec.END]: 0, [LibxcRec.X86_PV_INFO]: 8, [LibxcRec.SHARED_INFO]: PAGE_SIZE,
      [LibxcRec.X86_TSC_INFO]: 24, [LibxcRec.STATIC_DATA_END]: 0, [LibxcRec.VERIFY]: 0, [LibxcRec.CHECKPOINT]: 0,
    };
    if (type in exact && body.length !== exact[type]) {
      throw new StreamError(`${name} record: expected length ${exact[type]}, got ${body.length}`);
    }
    if (type === LibxcRec.TOOLSTACK) throw new StreamError('Found Toolstack record in stream');
    if (type === LibxcRec.HVM_CONTEXT && body.length === 0) throw new StreamError('Zero length HVM context');
    let pageData: PageData | undefined;
    if (type === LibxcRec.PAGE_DATA) {
      pageData = decodePageData(body);
      this.pagesReceived += pageData.data.length / PAGE_SIZE;
    }
    this.out.push(pageData ? { layer: 'libxc', type, name, body, pageData } : { layer: 'libxc', type, name, body });
    // A checkpoint hands the stream back to libxl until its CHECKPOINT_END.
    if (type === LibxcRec.CHECKPOINT) this.inCheckpoint = true;
    this.state = type === LibxcRec.END || type === LibxcRec.CHECKPOINT ? 'libxl-rec-header' : 'libxc-rec-header';
  }
}

/** The fixed 48 bytes with an empty optional area, so the header checks run before it arrives. */
function headOnly(b: Buffer): Buffer {
  const h = Buffer.from(b);
  h.writeUInt32LE(0, 44);
  return h;
}
