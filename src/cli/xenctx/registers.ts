// print_ctx_64: a 64-bit x86 vCPU's registers as xenctx prints them, symbols beside the
// addresses when a symbol table was read; -a adds the control and debug registers.
import type { X86VcpuContext } from '../../formats/x86-vcpu-context.ts';
import { KERNEL_DATA_ADDR, KERNEL_TEXT_ADDR, type SymbolTable } from './symbols.ts';

/** The EFLAGS bits xenctx names, by bit: [name when clear, name when set]. */
const FLAG_NAMES: [string | null, string | null][] = [
  [null, 'c'], [null, null], [null, 'p'], [null, null], [null, 'a'], [null, null], ['nz', 'z'], [null, 's'],
  [null, 'tf'], [null, 'i'], [null, 'd=b'], [null, 'o'], [null, null], [null, null], [null, 'nt'], [null, null],
  [null, 'rf'], [null, 'v86'], [null, 'ac'], [null, 'vif'], [null, 'vip'], [null, 'cid'],
];
/** cr0, cr2, cr3, cr4 (mask 0x1d) and dr0-3, dr6, dr7 (mask 0xcf); cr2 and dr0-3 may hold addresses. */
const CR_SHOWN = [0, 2, 3, 4], DR_SHOWN = [0, 1, 2, 3, 6, 7];
const CR_IS_ADDR = new Set([2]), DR_IS_ADDR = new Set([0, 1, 2, 3]);

const w64 = (v: bigint): string => v.toString(16).padStart(16, '0');
const w16 = (v: number): string => v.toString(16).padStart(4, '0');

function flags(f: bigint): string {
  let s = `\nflags: ${(f & 0xffffffffn).toString(16).padStart(8, '0')}`;
  for (let i = 21; i >= 0; i--) {
    const name = FLAG_NAMES[i]![Number((f >> BigInt(i)) & 1n)];
    if (name) s += ` ${name}`;
  }
  return `${s}\n`;
}

function special(regs: bigint[], name: string, shown: number[], isAddr: Set<number>, syms: SymbolTable): string {
  let s = '\n';
  for (const i of shown) s += `${name}${i}: ${w64(regs[i]!)}${isAddr.has(i) ? syms.describe(regs[i]!, KERNEL_DATA_ADDR) : ''}\n`;
  return s;
}

export function printCtx64(c: X86VcpuContext, syms: SymbolTable, all: boolean): string {
  const g = c.gpr;
  let s = `rip: ${w64(c.rip)}${syms.describe(c.rip, KERNEL_TEXT_ADDR)}${flags(c.rflags)}rsp: ${w64(c.rsp)}\n`;
  s += `rax: ${w64(g.rax)}\trcx: ${w64(g.rcx)}\trdx: ${w64(g.rdx)}\n`;
  s += `rbx: ${w64(g.rbx)}\trsi: ${w64(g.rsi)}\trdi: ${w64(g.rdi)}\n`;
  s += `rbp: ${w64(g.rbp)}\t r8: ${w64(g.r8)}\t r9: ${w64(g.r9)}\n`;
  s += `r10: ${w64(g.r10)}\tr11: ${w64(g.r11)}\tr12: ${w64(g.r12)}\n`;
  s += `r13: ${w64(g.r13)}\tr14: ${w64(g.r14)}\tr15: ${w64(g.r15)}\n`;
  s += ` cs: ${w16(c.cs)}\t ss: ${w16(c.ss)}\t ds: ${w16(c.ds)}\t es: ${w16(c.es)}\n`;
  s += ` fs: ${w16(c.fs)} @ ${w64(c.fsBase)}${syms.describe(c.fsBase, KERNEL_DATA_ADDR)}\n`;
  s += ` gs: ${w16(c.gs)} @ ${w64(c.gsBaseKernel)}/${w64(c.gsBaseUser)}`;
  if (syms.loaded) s += `${syms.describe(c.gsBaseKernel, KERNEL_DATA_ADDR)}/${syms.describe(c.gsBaseUser, KERNEL_DATA_ADDR)}`;
  s += '\n';
  if (all) s += special(c.ctrlreg, 'cr', CR_SHOWN, CR_IS_ADDR, syms) + special(c.debugreg, 'dr', DR_SHOWN, DR_IS_ADDR, syms);
  return s;
}
