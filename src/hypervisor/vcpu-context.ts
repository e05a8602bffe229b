// Where a guest's vCPU is when Xen stops it (a pause, a suspend): the register state that
// XEN_DOMCTL_getvcpucontext returns, the save stream carries and xenctx and the 'd' key print.
// A simulated Linux kernel has no instructions, so the state is what a real one shows: an idle
// vCPU sits in the SCHEDOP_block hypercall of its hypercall page (HVM: in native_safe_halt), a
// busy one somewhere in kernel text, on its own kernel stack; the scratch registers follow from
// the domain, the vCPU and how much CPU time it had used when it stopped.
import type { X86VcpuContext } from '../formats/x86-vcpu-context.ts';

/** Linux x86-64's layout: kernel text at __START_KERNEL_map + 16 MiB, the direct map at __PAGE_OFFSET. */
const START_KERNEL_MAP = 0xffffffff80000000n;
const KERNEL_TEXT = 0xffffffff81000000n;
const PAGE_OFFSET = 0xffff888000000000n;
/** Where a PV vCPU in hypercall `op` stands: hypercall_page (kernel text + 4 KiB) + op * 32 + 10, just after the stub's syscall. */
export const hypercallRip = (op: number): bigint => KERNEL_TEXT + 0x1000n + BigInt(op * 32 + 10);
/** __HYPERVISOR_sched_op (SCHEDOP_block) and __HYPERVISOR_sysctl. */
export const HYPERVISOR_sched_op = 29, HYPERVISOR_sysctl = 35;
const IDLE_RIP_PV = hypercallRip(HYPERVISOR_sched_op);
/** native_safe_halt, after its sti; hlt. */
const IDLE_RIP_HVM = KERNEL_TEXT + 0xc27f5bn;
/** Each vCPU's kernel stack: 16 KiB in the direct map, from this guest frame on. */
const STACK_PFN_BASE = 0x1000;
const THREAD_SIZE = 0x4000n;

/** FLAT_KERNEL_CS64 / FLAT_KERNEL_SS64 of a 64-bit PV kernel; __KERNEL_CS / __KERNEL_DS of a native one. */
const PV_CS = 0xe033, PV_SS = 0xe02b, HVM_CS = 0x10, HVM_SS = 0x18;
const VGCF_I387_VALID = 1n, VGCF_IN_KERNEL = 4n, VGCF_ONLINE = 32n;
/** X86_EFLAGS_IF | ZF | PF and the always-one bit: a vCPU stopped with events enabled. */
const IDLE_RFLAGS = 0x246n, BUSY_RFLAGS = 0x206n;

export interface StoppedVcpu { seed: number; vcpu: number; cpuNs: bigint; online: boolean; idle: boolean; hvm: boolean }

/** splitmix64 over (seed, vcpu, cpu time): the scratch registers' values. */
function words(s: StoppedVcpu): () => bigint {
  let x = (BigInt(s.seed >>> 0) << 32n) ^ (BigInt(s.vcpu) << 48n) ^ s.cpuNs;
  const M = (1n << 64n) - 1n;
  return () => {
    x = (x + 0x9e3779b97f4a7c15n) & M;
    let z = x;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
    return z ^ (z >> 31n);
  };
}

function stackTop(vcpu: number): bigint {
  return PAGE_OFFSET + (BigInt(STACK_PFN_BASE + vcpu * 4) << 12n) + THREAD_SIZE;
}

export function stoppedContext(s: StoppedVcpu): X86VcpuContext {
  const next = words(s);
  const small = (): bigint => next() & 0xffffn;
  const kaddr = (): bigint => PAGE_OFFSET + (next() & 0x3ffffff8n);
  const top = stackTop(s.vcpu);
  const rsp = top - 0x100n - (next() & 0xff0n);
  const rip = s.idle ? (s.hvm ? IDLE_RIP_HVM : IDLE_RIP_PV) : KERNEL_TEXT + (next() & 0xbffff0n);
  const gsBase = PAGE_OFFSET + 0x3fc00000n + BigInt(s.vcpu) * 0x40000n;
  return {
    flags: VGCF_I387_VALID | VGCF_IN_KERNEL | (s.online ? VGCF_ONLINE : 0n),
    gpr: {
      // SCHEDOP_block's arguments and return: rax = 0, rdi = cmd 1 (or a busy vCPU's scratch values).
      rax: s.idle ? 0n : next(), rdi: s.idle ? 1n : kaddr(), rsi: s.idle ? 0n : kaddr(),
      rcx: rip, r11: s.idle ? IDLE_RFLAGS : BUSY_RFLAGS,
      rbx: BigInt(s.vcpu), rdx: small(), rbp: top - 0x30n,
      r8: small(), r9: kaddr(), r10: small(), r12: 0n, r13: 0n, r14: 0n, r15: 0n,
    },
    rip, rflags: s.idle ? IDLE_RFLAGS : BUSY_RFLAGS, rsp,
    cs: s.hvm ? HVM_CS : PV_CS, ss: s.hvm ? HVM_SS : PV_SS, ds: 0, es: 0, fs: 0, gs: 0,
    upcallMask: 0,
    kernelSs: BigInt(s.hvm ? HVM_SS : PV_SS), kernelSp: top,
    // cr0 PG|AM|WP|NE|ET|MP|PE, cr3 the page-table base, cr4 as Linux runs with under Xen.
    ctrlreg: [0x80050033n, 0n, 0n, 0x1001000n + (BigInt(s.vcpu) << 12n), 0x3506e0n, 0n, 0n, 0n],
    debugreg: [0n, 0n, 0n, 0n, 0n, 0n, 0xffff0ff0n, 0x400n],
    eventCallbackEip: s.hvm ? 0n : KERNEL_TEXT + 0xe01170n,
    failsafeCallbackEip: s.hvm ? 0n : KERNEL_TEXT + 0xe011c0n,
    syscallCallbackEip: s.hvm ? 0n : KERNEL_TEXT + 0xe00080n,
    vmAssist: s.hvm ? 0n : 0xdn,
    fsBase: 0n, gsBaseKernel: gsBase, gsBaseUser: 0n,
  };
}

/** The guest frame behind a kernel address (kernel text map or direct map), as the guest's own page tables map it. */
export function kernelPfn(va: bigint): number | null {
  if (va >= START_KERNEL_MAP) return Number((va - START_KERNEL_MAP) >> 12n);
  if (va >= PAGE_OFFSET && va < PAGE_OFFSET + (1n << 46n)) return Number((va - PAGE_OFFSET) >> 12n);
  return null;
}
