// What xenctx reads of the guest's memory through foreign mappings: the code around rip, the
// stack as lines of words, and the call trace found on it (by frame pointers with -f, else
// every word that points into kernel text), as print_code, print_lines and print_stack do.
import { KERNEL_TEXT_ADDR, type SymbolTable } from './symbols.ts';
import type { XenctxOptions } from './options.ts';

const PAGE = 4096n;

/** The guest's pages by address, fetched once each; null where nothing is mapped. */
export class GuestPages {
  private readonly pages = new Map<bigint, Buffer | null>();
  constructor(private readonly fetch: (pageAddr: bigint) => Promise<Buffer | null>) {}

  /** map_page: the page holding `va` (xenctx reports the failure and stops the dump). */
  async page(va: bigint): Promise<Buffer> {
    const base = va & ~(PAGE - 1n);
    if (!this.pages.has(base)) this.pages.set(base, await this.fetch(base));
    const p = this.pages.get(base);
    if (!p) throw new MapFailed(va);
    return p;
  }

  async byte(va: bigint): Promise<number> { return (await this.page(va))[Number(va & (PAGE - 1n))]!; }

  /** read_mem_word: little-endian, byte by byte across a page boundary. */
  async word(va: bigint, width: number): Promise<bigint> {
    let w = 0n;
    for (let i = width - 1; i >= 0; i--) w = (w << 8n) | BigInt(await this.byte(va + BigInt(i)));
    return w;
  }
}

export class MapFailed extends Error {
  constructor(readonly va: bigint) { super(`\nfailed to map page for ${va.toString(16).padStart(8, '0')}.\n`); }
}

const word = (v: bigint, width: number): string => BigInt.asUintN(width * 8, v).toString(16).padStart(width * 2, '0');

export async function printCode(mem: GuestPages, rip: bigint): Promise<string> {
  let s = `Code (instr addr ${rip.toString(16).padStart(8, '0')})\n`;
  for (let i = 0n; i < 32n; i++) {
    const at = rip - 21n + i;
    const b = (await mem.byte(at)).toString(16).padStart(2, '0');
    s += at === rip ? `<${b}> ` : `${b} `;
  }
  return `${s}\n\n\n`;
}

/** print_lines: `lines` lines of words from `addr` up to `limit`. */
async function printLines(mem: GuestPages, o: XenctxOptions, width: number, addr: bigint, limit: bigint): Promise<string> {
  let s = '';
  const start = addr;
  const perLine = BigInt(o.bytesPerLine);
  for (let i = 1n; i < BigInt(o.lines) + 1n && addr < limit; i++) {
    const words: bigint[] = [];
    if (o.tagStackDump) s += `${word(addr, width)}:`;
    while (addr < limit && addr < start + i * perLine) {
      const w = await mem.word(addr, width);
      words.push(w);
      s += ` ${word(w, width)}`;
      addr += BigInt(width);
    }
    if (o.decodeAsAscii) {
      s += ' '.repeat((o.bytesPerLine / width - words.length) * (width * 2 + 1)) + '  ';
      for (const w of words) for (let b = 0; b < width; b++) {
        const c = Number((w >> BigInt(8 * b)) & 0xffn);
        s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
      }
    }
    s += '\n';
  }
  return `${s}\n`;
}

export async function printMem(mem: GuestPages, o: XenctxOptions, width: number, addr: bigint): Promise<string> {
  return `Memory (address ${word(addr, width)}):\n` + await printLines(mem, o, width, addr, addr + BigInt(o.lines * o.bytesPerLine));
}

/** print_stack from `start` (the stack pointer, or -d's address): the words, then the call trace. */
export async function printStack(mem: GuestPages, o: XenctxOptions, syms: SymbolTable, width: number,
  regs: { rip: bigint; rsp: bigint; rbp: bigint }, start: bigint, fromStackPointer: boolean): Promise<string> {
  o.bytesPerLine = Math.ceil(o.bytesPerLine / width) * width;
  const limit = ((regs.rsp + PAGE) & ~(PAGE - 1n)) + BigInt(o.nrStackPages - 1) * PAGE;
  let s = o.lines ? 'Stack:\n' + await printLines(mem, o, width, start, limit) : '';
  const at = (a: bigint): string => `${word(a, width)}: `;
  s += o.stackTrace ? 'Stack Trace:\n' : 'Call Trace:\n';
  if (fromStackPointer) s += `${' '.repeat(width * 2)}  ${o.stackTrace ? '*' : ' '} [<${word(regs.rip, width)}>]${syms.describe(regs.rip, KERNEL_TEXT_ADDR)} <--\n`;
  const step = BigInt(width);
  if (o.framePtrs) {
    let stack = regs.rsp, frame = regs.rbp;
    while (frame && stack < limit) {
      if (o.stackTrace) for (; stack < frame; stack += step) s += `${at(stack)}|   ${word(await mem.word(stack, width), width)}\n`;
      else stack = frame;
      frame = await mem.word(stack, width);
      if (o.stackTrace) s += `${at(stack)}|-- ${word(frame, width)}\n`;
      stack += step;
      if (frame) {
        const ret = await mem.word(stack, width);
        s += `${at(stack)}${o.stackTrace ? '|' : ' '} [<${word(ret, width)}>]${syms.describe(ret, KERNEL_TEXT_ADDR)}\n`;
        stack += step;
      }
    }
  } else {
    for (let stack = start; stack < limit; stack += step) {
      const w = await mem.word(stack, width);
      if (syms.kind(w) >= KERNEL_TEXT_ADDR) s += `${at(stack)}  [<${word(w, width)}>]${syms.describe(w, KERNEL_TEXT_ADDR)}\n`;
      else if (o.stackTrace) s += `${at(stack)}    ${word(w, width)}\n`;
    }
  }
  return s;
}
