// Xen's domain core dump (xl dump-core, libxc xc_core.c): an ELF64 ET_CORE file with no program
// headers and these sections: .shstrtab, .note.Xen (Xen dumpcore notes: none, header, Xen
// version, format version), .xen_prstatus (one vcpu_guest_context per vCPU), .xen_shared_info,
// .xen_pages (page-aligned page bytes), then .xen_p2m ({pfn, gmfn} pairs, PV) or .xen_pfn
// (pfns, auto-translated HVM/PVH guests). The section headers follow the ELF header, as in Xen.

const PAGE_SIZE = 4096;
const EHDR_SIZE = 64;
const SHDR_SIZE = 64;
const PHDR_SIZE = 56;
const ET_CORE = 4;
const EM_X86_64 = 62;
const SHT_PROGBITS = 1;
const SHT_STRTAB = 3;
const SHT_NOTE = 7;

export const XEN_ELFNOTE_DUMPCORE_NONE = 0x2000000;
export const XEN_ELFNOTE_DUMPCORE_HEADER = 0x2000001;
export const XEN_ELFNOTE_DUMPCORE_XEN_VERSION = 0x2000002;
export const XEN_ELFNOTE_DUMPCORE_FORMAT_VERSION = 0x2000003;
export const XC_CORE_MAGIC = 0xf00febed;
export const XC_CORE_MAGIC_HVM = 0xf00febee;
/** XEN_DUMPCORE_FORMAT_VERSION(0, 1). */
const FORMAT_VERSION = 1n;
/** sizeof(vcpu_guest_context_x86_64_t). */
export const CORE_VCPU_CONTEXT_SIZE = 5168;
/** major, minor, extraversion[16], compile_info (64+16+32+32), capabilities[1024], changeset[64], virt_start, pagesize. */
const XEN_VERSION_DESC_SIZE = 8 + 8 + 16 + 144 + 1024 + 64 + 8 + 8;

export interface CoreXenVersion {
  major: number;
  minor: number;
  extra: string;
  capabilities: string;
  changeset: string;
}

export const XEN_4_17: CoreXenVersion = {
  major: 4, minor: 17, extra: '.7',
  capabilities: 'xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64',
  changeset: '',
};

export interface CoreInput {
  /** Auto-translated guest (HVM, PVH): pages indexed by .xen_pfn rather than .xen_p2m. */
  autoTranslated: boolean;
  /** One context blob per vCPU (CORE_VCPU_CONTEXT_SIZE bytes each; shorter ones are zero-padded). */
  vcpuContexts: Buffer[];
  sharedInfo?: Buffer;
  /** The guest's populated pfns, in the order their pages are dumped. */
  pfns: ArrayLike<number>;
  /** Machine frame of a pfn (PV .xen_p2m). */
  gmfn?: (pfn: number) => number;
  copyPage(pfn: number, into: Buffer, offset: number): void;
  /** Optional bulk form of copyPage: the pages of `pfns` back to back from `offset`. */
  copyPages?(pfns: ArrayLike<number>, into: Buffer, offset?: number): void;
  xen?: CoreXenVersion;
}

function note(type: number, desc: Buffer): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt32LE(4, 0); // namesz = sizeof("Xen")
  h.writeUInt32LE(desc.length, 4);
  h.writeUInt32LE(type, 8);
  h.write('Xen\0', 12, 'latin1');
  return Buffer.concat([h, desc]);
}

function notes(input: CoreInput): Buffer {
  const header = Buffer.alloc(32);
  header.writeBigUInt64LE(BigInt(input.autoTranslated ? XC_CORE_MAGIC_HVM : XC_CORE_MAGIC), 0);
  header.writeBigUInt64LE(BigInt(input.vcpuContexts.length), 8);
  header.writeBigUInt64LE(BigInt(input.pfns.length), 16);
  header.writeBigUInt64LE(BigInt(PAGE_SIZE), 24);
  const xen = input.xen ?? XEN_4_17;
  const ver = Buffer.alloc(XEN_VERSION_DESC_SIZE);
  ver.writeBigUInt64LE(BigInt(xen.major), 0);
  ver.writeBigUInt64LE(BigInt(xen.minor), 8);
  ver.write(xen.extra.slice(0, 15), 16, 'latin1');
  ver.write(xen.capabilities.slice(0, 1023), 16 + 16 + 144, 'latin1');
  ver.write(xen.changeset.slice(0, 63), 16 + 16 + 144 + 1024, 'latin1');
  ver.writeBigUInt64LE(0xffff800000000000n, 16 + 16 + 144 + 1024 + 64); // platform virt_start
  ver.writeBigUInt64LE(BigInt(PAGE_SIZE), XEN_VERSION_DESC_SIZE - 8);
  const fmt = Buffer.alloc(8);
  fmt.writeBigUInt64LE(FORMAT_VERSION, 0);
  return Buffer.concat([
    note(XEN_ELFNOTE_DUMPCORE_NONE, Buffer.alloc(0)),
    note(XEN_ELFNOTE_DUMPCORE_HEADER, header),
    note(XEN_ELFNOTE_DUMPCORE_XEN_VERSION, ver),
    note(XEN_ELFNOTE_DUMPCORE_FORMAT_VERSION, fmt),
  ]);
}

interface Section { name: string; type: number; offset: number; size: number; align: number; entsize: number }

/** The core file as a sequence of chunks (the pages go out in 4 MiB pieces). */
export function* writeCore(input: CoreInput): Generator<Buffer> {
  const nrPages = input.pfns.length;
  const noteBuf = notes(input);
  const prstatus = Buffer.alloc(CORE_VCPU_CONTEXT_SIZE * input.vcpuContexts.length);
  input.vcpuContexts.forEach((c, i) => c.copy(prstatus, i * CORE_VCPU_CONTEXT_SIZE, 0, CORE_VCPU_CONTEXT_SIZE));
  const shinfo = input.sharedInfo ?? Buffer.alloc(PAGE_SIZE);
  const index = input.autoTranslated ? Buffer.alloc(8 * nrPages) : Buffer.alloc(16 * nrPages);
  for (let i = 0; i < nrPages; i++) {
    const pfn = input.pfns[i];
    if (input.autoTranslated) index.writeBigUInt64LE(BigInt(pfn), 8 * i);
    else {
      index.writeBigUInt64LE(BigInt(pfn), 16 * i);
      index.writeBigUInt64LE(BigInt(input.gmfn ? input.gmfn(pfn) : pfn), 16 * i + 8);
    }
  }

  const nsections = 7;
  let offset = EHDR_SIZE + nsections * SHDR_SIZE;
  const sections: Section[] = [{ name: '', type: 0, offset: 0, size: 0, align: 0, entsize: 0 }];
  const strtab: Section = { name: '.shstrtab', type: SHT_STRTAB, offset: 0, size: 0, align: 0, entsize: 0 };
  sections.push(strtab);
  const add = (name: string, type: number, size: number, align: number, entsize: number) => {
    sections.push({ name, type, offset, size, align, entsize });
    offset += size;
  };
  add('.note.Xen', SHT_NOTE, noteBuf.length, 0, 0);
  add('.xen_prstatus', SHT_PROGBITS, prstatus.length, 8, CORE_VCPU_CONTEXT_SIZE);
  add('.xen_shared_info', SHT_PROGBITS, PAGE_SIZE, 8, PAGE_SIZE);
  const pad = (PAGE_SIZE - (offset % PAGE_SIZE)) % PAGE_SIZE;
  offset += pad;
  add('.xen_pages', SHT_PROGBITS, nrPages * PAGE_SIZE, PAGE_SIZE, PAGE_SIZE);
  if (input.autoTranslated) add('.xen_pfn', SHT_PROGBITS, index.length, 8, 8);
  else add('.xen_p2m', SHT_PROGBITS, index.length, 8, 16);

  const names = ['', ...sections.slice(1).map(s => s.name)];
  const nameOffsets = new Map<string, number>();
  let strings = '\0';
  for (const n of names.slice(1)) {
    nameOffsets.set(n, strings.length);
    strings += n + '\0';
  }
  strtab.offset = offset;
  strtab.size = strings.length;

  const head = Buffer.alloc(EHDR_SIZE + nsections * SHDR_SIZE);
  head.write('\x7fELF', 0, 'latin1');
  head[4] = 2; // ELFCLASS64
  head[5] = 1; // ELFDATA2LSB
  head[6] = 1; // EV_CURRENT
  head[7] = 0; // ELFOSABI_SYSV
  head[8] = 1; // EI_ABIVERSION = EV_CURRENT, as libxc sets it
  head.writeUInt16LE(ET_CORE, 16);
  head.writeUInt16LE(EM_X86_64, 18);
  head.writeUInt32LE(1, 20);
  head.writeBigUInt64LE(0n, 24); // e_entry
  head.writeBigUInt64LE(0n, 32); // e_phoff
  head.writeBigUInt64LE(BigInt(EHDR_SIZE), 40); // e_shoff
  head.writeUInt32LE(0, 48);
  head.writeUInt16LE(EHDR_SIZE, 52);
  head.writeUInt16LE(PHDR_SIZE, 54);
  head.writeUInt16LE(0, 56);
  head.writeUInt16LE(SHDR_SIZE, 58);
  head.writeUInt16LE(nsections, 60);
  head.writeUInt16LE(1, 62); // e_shstrndx
  sections.forEach((s, i) => {
    const o = EHDR_SIZE + i * SHDR_SIZE;
    head.writeUInt32LE(i === 0 ? 0 : nameOffsets.get(s.name)!, o);
    head.writeUInt32LE(s.type, o + 4);
    head.writeBigUInt64LE(BigInt(s.offset), o + 24);
    head.writeBigUInt64LE(BigInt(s.size), o + 32);
    head.writeBigUInt64LE(BigInt(s.align), o + 48);
    head.writeBigUInt64LE(BigInt(s.entsize), o + 56);
  });
  yield Buffer.concat([head, noteBuf, prstatus, shinfo.subarray(0, PAGE_SIZE), Buffer.alloc(pad)]);

  const batch = 1024;
  for (let at = 0; at < nrPages; at += batch) {
    const n = Math.min(batch, nrPages - at);
    const chunk = Buffer.allocUnsafe(n * PAGE_SIZE);
    if (input.copyPages) input.copyPages(Array.prototype.slice.call(input.pfns, at, at + n) as number[], chunk);
    else for (let i = 0; i < n; i++) input.copyPage(input.pfns[at + i], chunk, i * PAGE_SIZE);
    yield chunk;
  }
  yield Buffer.concat([index, Buffer.from(strings, 'latin1')]);
}

export function encodeCore(input: CoreInput): Buffer {
  return Buffer.concat([...writeCore(input)]);
}

export class CoreFormatError extends Error {}

export interface CoreSection { name: string; type: number; offset: number; size: number }

export interface CoreFile {
  sections: CoreSection[];
  magic: number;
  nrVcpus: number;
  nrPages: number;
  pageSize: number;
  xenMajor: number;
  xenMinor: number;
  /** The .xen_pages bytes. */
  pages: Buffer;
  /** pfn of each page in .xen_pages. */
  pfns: number[];
}

/** Reads a Xen core (ours or libxc's) far enough to compare guests' memory. */
export function readCore(buf: Buffer): CoreFile {
  if (buf.length < EHDR_SIZE || buf.toString('latin1', 0, 4) !== '\x7fELF') throw new CoreFormatError('not an ELF file');
  if (buf[4] !== 2 || buf[5] !== 1) throw new CoreFormatError('not a little-endian ELF64 file');
  if (buf.readUInt16LE(16) !== ET_CORE) throw new CoreFormatError('not an ELF core file');
  const shoff = Number(buf.readBigUInt64LE(40));
  const shnum = buf.readUInt16LE(60);
  const shstrndx = buf.readUInt16LE(62);
  if (shoff + shnum * SHDR_SIZE > buf.length) throw new CoreFormatError('section headers beyond end of file');
  const raw = Array.from({ length: shnum }, (_, i) => {
    const o = shoff + i * SHDR_SIZE;
    return {
      nameOff: buf.readUInt32LE(o), type: buf.readUInt32LE(o + 4),
      offset: Number(buf.readBigUInt64LE(o + 24)), size: Number(buf.readBigUInt64LE(o + 32)),
    };
  });
  const str = raw[shstrndx];
  const sections: CoreSection[] = raw.map(s => {
    if (s.offset + s.size > buf.length) throw new CoreFormatError('section beyond end of file (truncated core?)');
    const start = str.offset + s.nameOff;
    const end = buf.indexOf(0, start);
    return { name: buf.toString('latin1', start, end), type: s.type, offset: s.offset, size: s.size };
  });
  const find = (name: string) => sections.find(s => s.name === name);
  const noteSec = find('.note.Xen');
  if (!noteSec) throw new CoreFormatError('no .note.Xen section');
  let magic = 0, nrVcpus = 0, nrPages = 0, pageSize = 0, xenMajor = 0, xenMinor = 0;
  for (let o = noteSec.offset; o < noteSec.offset + noteSec.size;) {
    const namesz = buf.readUInt32LE(o), descsz = buf.readUInt32LE(o + 4), type = buf.readUInt32LE(o + 8);
    const desc = o + 12 + ((namesz + 3) & ~3);
    if (type === XEN_ELFNOTE_DUMPCORE_HEADER) {
      magic = Number(buf.readBigUInt64LE(desc));
      nrVcpus = Number(buf.readBigUInt64LE(desc + 8));
      nrPages = Number(buf.readBigUInt64LE(desc + 16));
      pageSize = Number(buf.readBigUInt64LE(desc + 24));
    } else if (type === XEN_ELFNOTE_DUMPCORE_XEN_VERSION) {
      xenMajor = Number(buf.readBigUInt64LE(desc));
      xenMinor = Number(buf.readBigUInt64LE(desc + 8));
    }
    o = desc + ((descsz + 3) & ~3);
  }
  const pagesSec = find('.xen_pages');
  if (!pagesSec) throw new CoreFormatError('no .xen_pages section');
  const p2m = find('.xen_p2m');
  const pfnSec = find('.xen_pfn');
  const pfns: number[] = [];
  if (p2m) for (let o = p2m.offset; o < p2m.offset + p2m.size; o += 16) pfns.push(Number(buf.readBigUInt64LE(o)));
  else if (pfnSec) for (let o = pfnSec.offset; o < pfnSec.offset + pfnSec.size; o += 8) pfns.push(Number(buf.readBigUInt64LE(o)));
  else throw new CoreFormatError('no .xen_p2m or .xen_pfn section');
  return {
    sections, magic, nrVcpus, nrPages, pageSize, xenMajor, xenMinor,
    pages: buf.subarray(pagesSec.offset, pagesSec.offset + pagesSec.size), pfns,
  };
}
