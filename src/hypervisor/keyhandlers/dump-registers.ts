// 'd' (keyhandler.c's dump_registers): every online pCPU dumps its execution state
// (dump_execstate), the pCPU that took the key first, then the others in order. A pCPU running
// a guest vCPU shows that vCPU's registers (show_execution_state on the guest frame: registers,
// then a PV guest's stack; Xen prints no stack for HVM); an idle pCPU shows Xen's own state in
// its idle loop. `xl debug-keys` is Dom0's sysctl, so the first pCPU is where Dom0's vCPU 0
// runs, standing in that hypercall. The registers are the vCPU contexts getvcpucontext gives.
import type { Hypervisor } from '../hypervisor.ts';
import { decodeVcpuContext, type X86VcpuContext } from '../../formats/x86-vcpu-context.ts';
import { HYPERVISOR_sysctl, hypercallRip } from '../vcpu-context.ts';
import { hex, vcpuName } from './printk-formats.ts';

const XEN_BANNER = '----[ Xen-4.17.7  x86_64  debug=n  Not tainted ]----';
/** show_guest_stack: debug_stack_lines (20) lines of stack_words_per_line (4), within one STACK_SIZE (32 KiB) block. */
const STACK_LINES = 20, WORDS_PER_LINE = 4, GUEST_STACK_SIZE = 0x8000n;

interface Current { domid: number; vcpu: number; ctx: X86VcpuContext }

export function dumpRegisters(hv: Hypervisor, key: string): string[] {
  const nr = hv.machine.spec.nrCpus;
  const current = new Map<number, Current>();
  for (const d of hv.domains.values()) {
    for (let v = 0; v < d.maxVcpus; v++) {
      const s = hv.sched.vcpu(d.domid, v);
      if (s.online && s.state === 'running') current.set(s.pcpu, { domid: d.domid, vcpu: v, ctx: decodeVcpuContext(hv.vcpuContext(d.domid, v)) });
    }
  }
  const local = hv.sched.vcpu(0, 0).pcpu;
  current.set(local, { domid: 0, vcpu: 0, ctx: inSysctl(decodeVcpuContext(hv.vcpuContext(0, 0))) });
  const out = [`'${key}' pressed -> dumping registers`, ''];
  for (const cpu of [local, ...Array.from({ length: nr }, (_, c) => c).filter(c => c !== local)]) {
    const cur = current.get(cpu);
    out.push(...(cur ? guestState(hv, cpu, cur) : idleState(cpu)));
  }
  return out;
}

/** Dom0's vCPU in the sysctl hypercall: the stub's return address, the op in rax, syscall's saved rip and flags. */
function inSysctl(c: X86VcpuContext): X86VcpuContext {
  const rip = hypercallRip(HYPERVISOR_sysctl);
  return { ...c, rip, rflags: 0x246n, gpr: { ...c.gpr, rax: BigInt(HYPERVISOR_sysctl), rcx: rip, r11: 0x246n } };
}

const w = (v: bigint): string => hex(v, 16);

function registerLines(r: { rip: bigint; rflags: bigint; cs: number; ds: number; es: number; fs: number; gs: number; ss: number }, gpr: Record<string, bigint>, crs: bigint[], ripText: string, context: string): string[] {
  return [
    `RIP:    ${hex(r.cs, 4)}:[<${w(r.rip)}>]${ripText}`,
    `RFLAGS: ${w(r.rflags)}   ${context}`,
    `rax: ${w(gpr.rax!)}   rbx: ${w(gpr.rbx!)}   rcx: ${w(gpr.rcx!)}`,
    `rdx: ${w(gpr.rdx!)}   rsi: ${w(gpr.rsi!)}   rdi: ${w(gpr.rdi!)}`,
    `rbp: ${w(gpr.rbp!)}   rsp: ${w(gpr.rsp!)}   r8:  ${w(gpr.r8!)}`,
    `r9:  ${w(gpr.r9!)}   r10: ${w(gpr.r10!)}   r11: ${w(gpr.r11!)}`,
    `r12: ${w(gpr.r12!)}   r13: ${w(gpr.r13!)}   r14: ${w(gpr.r14!)}`,
    `r15: ${w(gpr.r15!)}   cr0: ${w(crs[0]!)}   cr4: ${w(crs[4]!)}`,
    `cr3: ${w(crs[3]!)}   cr2: ${w(crs[2]!)}`,
    `fsb: ${w(crs[5]!)}   gsb: ${w(crs[6]!)}   gss: ${w(crs[7]!)}`,
    `ds: ${hex(r.ds, 4)}   es: ${hex(r.es, 4)}   fs: ${hex(r.fs, 4)}   gs: ${hex(r.gs, 4)}   ss: ${hex(r.ss, 4)}   cs: ${hex(r.cs, 4)}`,
  ];
}

/** "*** Dumping CPUn guest state (dXvY): ***" and show_execution_state of the guest frame. */
function guestState(hv: Hypervisor, cpu: number, cur: Current): string[] {
  const d = hv.domains.get(cur.domid)!;
  const c = cur.ctx;
  const hvm = d.type !== 'pv';
  const name = vcpuName(cur);
  const context = hvm ? `CONTEXT: hvm guest (${name})` : `EM: ${c.upcallMask ? 1 : 0}   CONTEXT: pv guest (${name})`;
  const crs = [c.ctrlreg[0]!, 0n, c.ctrlreg[2]!, c.ctrlreg[3]!, c.ctrlreg[4]!, c.fsBase, c.gsBaseKernel, c.gsBaseUser];
  return [
    `*** Dumping CPU${cpu} guest state (${name}): ***`, XEN_BANNER, `CPU:    ${cpu}`,
    ...registerLines(c, { ...c.gpr, rsp: c.rsp }, crs, '', context),
    ...(hvm ? [] : guestStack(hv, cur.domid, c.rsp)),
    '',
  ];
}

/** show_guest_stack of a 64-bit PV vCPU: the words from rsp up to its 32 KiB stack block's end. */
function guestStack(hv: Hypervisor, domid: number, rsp: bigint): string[] {
  const modelled = hv.domains.get(domid)!.memoryPages > 0;
  const end = (rsp | (GUEST_STACK_SIZE - 1n)) + 1n;
  const words: string[] = [];
  for (let at = rsp; at < end && words.length < STACK_LINES * WORDS_PER_LINE; at += 8n) {
    const page = hv.guestKernelPage(domid, at & ~0xfffn);
    // Dom0's memory is not modelled: its stack reads as zero.
    if (!page && modelled) return [`Guest stack trace from rsp=${w(rsp)}:`, `  ${words.length ? ` ${words.join(' ')}\n    ` : ''}Fault while accessing guest memory.`];
    words.push(w(page ? page.readBigUInt64LE(Number(at & 0xfffn)) : 0n));
  }
  const lines: string[] = [];
  for (let i = 0; i < words.length; i += WORDS_PER_LINE) lines.push(`   ${words.slice(i, i + WORDS_PER_LINE).join(' ')}`);
  return [`Guest stack trace from rsp=${w(rsp)}:`, ...(lines.length ? lines : ['  Stack empty.'])];
}

/** Xen's text: symbol, address, size. An idle pCPU sits in mwait, called from the idle loop. */
const MWAIT = { name: 'mwait_idle_with_hints', at: 0xffff82d0402a1e30n, size: 0xa0n };
const MWAIT_IDLE = { name: 'mwait-idle.c#mwait_idle', at: 0xffff82d0402cd8f0n, size: 0x3b0n };
const IDLE_LOOP = { name: 'arch/x86/domain.c#idle_loop', at: 0xffff82d040321d40n, size: 0xd0n };
const sym = (s: { name: string; at: bigint; size: bigint }, off: bigint): string => `${s.name}+0x${off.toString(16)}/0x${s.size.toString(16)}`;
/** The bytes around the idle rip: monitor, mfence, mwait, then the code after it. */
const CODE_BEFORE = ['0f', '01', 'c8', '0f', 'ae', 'f0', '89', 'f8'], CODE_AT = '0f', CODE_AFTER = ['01', 'c9', '65', '48', '8b', '04', '25', 'd0', '7f', '00', '00', '48', '8b', '40', '10'];

/** "*** Dumping CPUn host state: ***": Xen's idle vCPU in mwait (show_execution_state on the host frame). */
function idleState(cpu: number): string[] {
  const ripOff = 0x5en, rip = MWAIT.at + ripOff;
  // The pCPU's stack (STACK_SIZE apart in the direct map) and per-CPU data.
  const stackTop = 0xffff83047ff7fef8n - BigInt(cpu) * 0x8000n;
  const rsp = stackTop - 0x58n;
  const perCpu = 0xffff83047ffe0000n + BigInt(cpu) * 0x2000n;
  const ret1 = MWAIT_IDLE.at + 0x2f8n, ret2 = IDLE_LOOP.at + 0x8an;
  const stack = [0x20n, 0x1n, perCpu + 0x180n, ret1, 0n, BigInt(cpu), perCpu, stackTop - 0x10n, ret2, 0n, 0n, 0n];
  const gpr = { rax: 0x20n, rbx: BigInt(cpu), rcx: 0x1n, rdx: 0n, rsi: 0n, rdi: 0x20n, rbp: stackTop - 0x10n, rsp, r8: 0n, r9: 0n, r10: 0n, r11: 0n, r12: perCpu, r13: 0n, r14: BigInt(cpu), r15: 0n };
  const crs = [0x8005003bn, 0n, 0n, 0x3e4aa000n, 0x3526e0n, 0n, 0n, 0n];
  const segs = { rip, rflags: 0x246n, cs: 0xe008, ds: 0, es: 0, fs: 0, gs: 0, ss: 0 };
  const lines: string[] = [];
  for (let i = 0; i < stack.length; i += WORDS_PER_LINE) lines.push(`   ${stack.slice(i, i + WORDS_PER_LINE).map(w).join(' ')}`);
  return [
    `*** Dumping CPU${cpu} host state: ***`, XEN_BANNER, `CPU:    ${cpu}`,
    ...registerLines(segs, gpr, crs, ` ${sym(MWAIT, ripOff)}`, 'CONTEXT: hypervisor'),
    `Xen code around <${w(rip)}> (${sym(MWAIT, ripOff)}):`,
    ` ${CODE_BEFORE.join(' ')} <${CODE_AT}> ${CODE_AFTER.join(' ')}`,
    `Xen stack trace from rsp=${w(rsp)}:`, ...lines,
    'Xen call trace:',
    `   [<${w(rip)}>] R ${sym(MWAIT, ripOff)}`,
    `   [<${w(ret1)}>] S ${sym(MWAIT_IDLE, 0x2f8n)}`,
    `   [<${w(ret2)}>] S ${sym(IDLE_LOOP, 0x8an)}`,
    '',
  ];
}
