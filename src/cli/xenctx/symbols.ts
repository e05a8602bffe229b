// xenctx's symbol table: a System.map (`address type name` lines) read into a sorted list, the
// kernel's section bounds it names, and xenctx's rule for what counts as kernel text or data.
import { readFileSync } from 'node:fs';
import { strtoul } from '../../formats/libc/strtol.ts';

export const NOT_KERNEL_ADDR = 0, KERNEL_DATA_ADDR = 1, KERNEL_TEXT_ADDR = 2;

export class SymbolTable {
  /** Sorted by address; equal addresses keep file order (insert_symbol puts a new one after them). */
  private readonly symbols: { address: bigint; name: string }[] = [];
  private readonly bounds = new Map<string, bigint>();

  /** `kernelStart` is -k's split (0xffffffff80000000 by default); `startSet` whether -k was given. */
  constructor(private kernelStart: bigint, private readonly startSet: boolean) {}

  get loaded(): boolean { return this.symbols.length > 0; }

  /** read_symbol_table; false when the file cannot be opened. */
  read(path: string): boolean {
    let text: string;
    try { text = readFileSync(path, 'latin1'); } catch { return false; }
    for (const line of text.split('\n')) {
      const n = strtoul(line, 16);
      const rest = line.slice(n.end);
      const m = /^\s([A-Za-z?])\s(.*)$/.exec(rest);
      if (!m) continue;
      const [, type, name] = m as unknown as [string, string, string];
      if ('Uvw'.includes(type)) continue;
      const address = n.value;
      let at = this.symbols.length;
      while (at > 0 && this.symbols[at - 1]!.address > address) at--;
      this.symbols.splice(at, 0, { address, name });
      if (['_stext', '_etext', '_text', '_end', '__bss_stop', '_sinittext', '_einittext', 'hypercall_page'].includes(name)) this.bounds.set(name === '__bss_stop' ? '_end' : name, address);
    }
    return true;
  }

  /** kernel_addr(): text, data or not the kernel's. */
  kind(addr: bigint): number {
    if (!this.loaded) return addr > this.kernelStart ? KERNEL_TEXT_ADDR : NOT_KERNEL_ADDR;
    const b = (k: string): bigint => this.bounds.get(k) ?? 0n;
    const end = this.bounds.get('_end') ?? 0xffffffffffffffffn;
    if (addr >= b('_stext') && addr <= b('_etext')) return KERNEL_TEXT_ADDR;
    const hc = b('hypercall_page');
    if (hc && addr >= hc && addr <= hc + 4096n) return KERNEL_TEXT_ADDR;
    if (addr >= b('_sinittext') && addr <= b('_einittext')) return KERNEL_TEXT_ADDR;
    if (this.startSet) return addr > this.kernelStart ? KERNEL_TEXT_ADDR : NOT_KERNEL_ADDR;
    if (addr >= b('_text') && addr <= end) return KERNEL_DATA_ADDR;
    if (addr >= this.kernelStart && addr <= end) return KERNEL_TEXT_ADDR;
    return NOT_KERNEL_ADDR;
  }

  /** print_symbol: " name" or " name+0x10" when `addr` is at least of kind `type` and a symbol covers it. */
  describe(addr: bigint, type: number): string {
    if (this.kind(addr) < type || !this.loaded) return '';
    // lookup_symbol: the last symbol below `addr`, or the first one at it (the first of all when none is below).
    let s = this.symbols[0]!;
    for (const x of this.symbols) {
      if (x.address < addr) s = x;
      else { if (x.address === addr) s = x; break; }
    }
    const off = Number(BigInt.asUintN(32, addr - s.address));
    return addr === s.address ? ` ${s.name}` : ` ${s.name}+${off === 0 ? '0' : `0x${off.toString(16)}`}`;
  }
}
