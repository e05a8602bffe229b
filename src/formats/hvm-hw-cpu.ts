// struct hvm_hw_cpu (public/arch-x86/hvm/save.h): an HVM vCPU's registers as the HVM_CONTEXT
// record's CPU entries carry them, one per online vCPU. Converted from and to the
// vcpu_guest_context view (x86-vcpu-context.ts) that getvcpucontext gives xenctx, so an HVM
// save file holds the same registers xenctx shows and a restore puts them back.
import { GPRS, type Gpr, type X86VcpuContext } from './x86-vcpu-context.ts';
import { HVM_HW_CPU_SIZE } from './save-stream/guest-state.ts';

/** The general registers in hvm_hw_cpu's order, from offset 512 (after fpu_regs). */
const HW_GPRS = ['rax', 'rbx', 'rcx', 'rdx', 'rbp', 'rsi', 'rdi', 'rsp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'] as const;
const gprAt = (r: Gpr | 'rsp'): number => OFF.gprs + 8 * HW_GPRS.indexOf(r);
const SEGS = ['cs', 'ds', 'es', 'fs', 'gs', 'ss'] as const;
const OFF = {
  gprs: 512, rip: 640, rflags: 648, cr: 656, dr: 688, sel: 736, limit: 768, base: 808, arbytes: 888,
  shadowGs: 944, efer: 992, flags: 1024,
} as const;
/** Which control and debug registers hvm_hw_cpu keeps, by number. */
const CRS = [0, 2, 3, 4], DRS = [0, 1, 2, 3, 6, 7];
/** Segment attributes of long-mode Linux: a 64-bit code segment, flat data segments. */
const CODE64_AR = 0xa9b, DATA_AR = 0xc93;
/** EFER.SCE | LME | LMA | NXE: a 64-bit kernel. */
const EFER_LONG_MODE = 0xd01n;
const XEN_X86_FPU_INITIALISED = 1;
/** VGCF_I387_VALID | VGCF_IN_KERNEL | VGCF_ONLINE: what getvcpucontext reports for a saved (so online) vCPU. */
const SAVED_VCPU_FLAGS = 0x25n;

export function encodeHvmHwCpu(c: X86VcpuContext): Buffer {
  const b = Buffer.alloc(HVM_HW_CPU_SIZE);
  for (const r of GPRS) b.writeBigUInt64LE(c.gpr[r], gprAt(r));
  b.writeBigUInt64LE(c.rsp, gprAt('rsp'));
  b.writeBigUInt64LE(c.rip, OFF.rip);
  b.writeBigUInt64LE(c.rflags, OFF.rflags);
  CRS.forEach((n, i) => b.writeBigUInt64LE(c.ctrlreg[n] ?? 0n, OFF.cr + 8 * i));
  DRS.forEach((n, i) => b.writeBigUInt64LE(c.debugreg[n] ?? 0n, OFF.dr + 8 * i));
  SEGS.forEach((s, i) => {
    b.writeUInt32LE(c[s], OFF.sel + 4 * i);
    b.writeUInt32LE(0xffffffff, OFF.limit + 4 * i);
    b.writeUInt32LE(s === 'cs' ? CODE64_AR : DATA_AR, OFF.arbytes + 4 * i);
  });
  b.writeBigUInt64LE(c.fsBase, OFF.base + 8 * SEGS.indexOf('fs'));
  b.writeBigUInt64LE(c.gsBaseKernel, OFF.base + 8 * SEGS.indexOf('gs'));
  b.writeBigUInt64LE(c.gsBaseUser, OFF.shadowGs);
  b.writeBigUInt64LE(EFER_LONG_MODE, OFF.efer);
  b.writeUInt32LE(XEN_X86_FPU_INITIALISED, OFF.flags);
  return b;
}

export function decodeHvmHwCpu(b: Buffer): X86VcpuContext {
  if (b.length < HVM_HW_CPU_SIZE) throw new RangeError(`hvm_hw_cpu: ${b.length} bytes, expected ${HVM_HW_CPU_SIZE}`);
  const u64 = (at: number): bigint => b.readBigUInt64LE(at);
  const gpr = Object.fromEntries(GPRS.map(r => [r, u64(gprAt(r))])) as Record<Gpr, bigint>;
  const ctrlreg = Array<bigint>(8).fill(0n), debugreg = Array<bigint>(8).fill(0n);
  CRS.forEach((n, i) => { ctrlreg[n] = u64(OFF.cr + 8 * i); });
  DRS.forEach((n, i) => { debugreg[n] = u64(OFF.dr + 8 * i); });
  const sel = (s: typeof SEGS[number]): number => b.readUInt32LE(OFF.sel + 4 * SEGS.indexOf(s)) & 0xffff;
  return {
    flags: SAVED_VCPU_FLAGS, gpr, rip: u64(OFF.rip), rflags: u64(OFF.rflags), rsp: u64(gprAt('rsp')),
    cs: sel('cs'), ss: sel('ss'), ds: sel('ds'), es: sel('es'), fs: sel('fs'), gs: sel('gs'), upcallMask: 0,
    kernelSs: 0n, kernelSp: 0n, ctrlreg, debugreg,
    eventCallbackEip: 0n, failsafeCallbackEip: 0n, syscallCallbackEip: 0n, vmAssist: 0n,
    fsBase: u64(OFF.base + 8 * SEGS.indexOf('fs')), gsBaseKernel: u64(OFF.base + 8 * SEGS.indexOf('gs')), gsBaseUser: u64(OFF.shadowGs),
  };
}
