// vcpu_guest_context_x86_64 (public/arch-x86/xen-x86_64.h, public/arch-x86/xen.h): the register
// state of a PV vCPU that XEN_DOMCTL_getvcpucontext returns, the save stream's X86_PV_VCPU_BASIC
// records carry and xenctx prints. Only the fields a simulated vCPU sets are named here; the
// FPU area and the trap table stay as the bytes they are.
import { VCPU_GUEST_CONTEXT_SIZE } from './save-stream/guest-state.ts';

/** cpu_user_regs_x86_64's general registers, in their order in the structure. */
export const GPRS = ['r15', 'r14', 'r13', 'r12', 'rbp', 'rbx', 'r11', 'r10', 'r9', 'r8', 'rax', 'rcx', 'rdx', 'rsi', 'rdi'] as const;
export type Gpr = typeof GPRS[number];

export interface X86VcpuContext {
  flags: bigint;
  gpr: Record<Gpr, bigint>;
  rip: bigint;
  rflags: bigint;
  rsp: bigint;
  cs: number; ss: number; ds: number; es: number; fs: number; gs: number;
  /** Saved upcall mask (EM in Xen's register dumps). */
  upcallMask: number;
  kernelSs: bigint; kernelSp: bigint;
  ctrlreg: bigint[];
  debugreg: bigint[];
  eventCallbackEip: bigint; failsafeCallbackEip: bigint; syscallCallbackEip: bigint;
  vmAssist: bigint;
  fsBase: bigint; gsBaseKernel: bigint; gsBaseUser: bigint;
}

/** Byte offsets in the structure (its size is VCPU_GUEST_CONTEXT_SIZE, 5168). */
const OFF = {
  flags: 512, userRegs: 520, errorCode: 640, rip: 648, cs: 656, upcallMask: 660, rflags: 664, rsp: 672,
  ss: 680, es: 688, ds: 696, fs: 704, gs: 712,
  kernelSs: 4968, kernelSp: 4976, ctrlreg: 4984, debugreg: 5048,
  eventCallbackEip: 5112, failsafeCallbackEip: 5120, syscallCallbackEip: 5128, vmAssist: 5136,
  fsBase: 5144, gsBaseKernel: 5152, gsBaseUser: 5160,
} as const;

export function encodeVcpuContext(c: X86VcpuContext): Buffer {
  const b = Buffer.alloc(VCPU_GUEST_CONTEXT_SIZE);
  b.writeBigUInt64LE(c.flags, OFF.flags);
  GPRS.forEach((r, i) => b.writeBigUInt64LE(c.gpr[r], OFF.userRegs + 8 * i));
  b.writeBigUInt64LE(c.rip, OFF.rip);
  b.writeUInt16LE(c.cs, OFF.cs);
  b.writeUInt8(c.upcallMask, OFF.upcallMask);
  b.writeBigUInt64LE(c.rflags, OFF.rflags);
  b.writeBigUInt64LE(c.rsp, OFF.rsp);
  for (const s of ['ss', 'es', 'ds', 'fs', 'gs'] as const) b.writeUInt16LE(c[s], OFF[s]);
  for (const f of ['kernelSs', 'kernelSp', 'eventCallbackEip', 'failsafeCallbackEip', 'syscallCallbackEip', 'vmAssist', 'fsBase', 'gsBaseKernel', 'gsBaseUser'] as const) b.writeBigUInt64LE(c[f], OFF[f]);
  for (let i = 0; i < 8; i++) {
    b.writeBigUInt64LE(c.ctrlreg[i] ?? 0n, OFF.ctrlreg + 8 * i);
    b.writeBigUInt64LE(c.debugreg[i] ?? 0n, OFF.debugreg + 8 * i);
  }
  return b;
}

export function decodeVcpuContext(b: Buffer): X86VcpuContext {
  if (b.length < VCPU_GUEST_CONTEXT_SIZE) throw new RangeError(`vcpu_guest_context: ${b.length} bytes, expected ${VCPU_GUEST_CONTEXT_SIZE}`);
  const u64 = (at: number): bigint => b.readBigUInt64LE(at);
  const gpr = Object.fromEntries(GPRS.map((r, i) => [r, u64(OFF.userRegs + 8 * i)])) as Record<Gpr, bigint>;
  return {
    flags: u64(OFF.flags), gpr, rip: u64(OFF.rip), rflags: u64(OFF.rflags), rsp: u64(OFF.rsp),
    cs: b.readUInt16LE(OFF.cs), ss: b.readUInt16LE(OFF.ss), ds: b.readUInt16LE(OFF.ds), es: b.readUInt16LE(OFF.es),
    fs: b.readUInt16LE(OFF.fs), gs: b.readUInt16LE(OFF.gs), upcallMask: b.readUInt8(OFF.upcallMask),
    kernelSs: u64(OFF.kernelSs), kernelSp: u64(OFF.kernelSp),
    ctrlreg: Array.from({ length: 8 }, (_, i) => u64(OFF.ctrlreg + 8 * i)),
    debugreg: Array.from({ length: 8 }, (_, i) => u64(OFF.debugreg + 8 * i)),
    eventCallbackEip: u64(OFF.eventCallbackEip), failsafeCallbackEip: u64(OFF.failsafeCallbackEip),
    syscallCallbackEip: u64(OFF.syscallCallbackEip), vmAssist: u64(OFF.vmAssist),
    fsBase: u64(OFF.fsBase), gsBaseKernel: u64(OFF.gsBaseKernel), gsBaseUser: u64(OFF.gsBaseUser),
  };
}
