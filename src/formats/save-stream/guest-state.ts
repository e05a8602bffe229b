// Default register and platform state blobs for an emulated guest. A real save carries the
// hypervisor's structures (vcpu_guest_context, the HVM save records, QEMU's device state); ours
// carry the same framing with the fields a simulated guest has, so the stream is well formed.
import type { CpuidLeaf, MsrEntry } from './libxc-records.ts';
import { PAGE_SIZE } from './constants.ts';

/** sizeof(vcpu_guest_context_x86_64_t) in Xen 4.17. */
export const VCPU_GUEST_CONTEXT_SIZE = 5168;
const FPU_CTXT_SIZE = 512;
const VGCF_I387_VALID = 1 << 0;
const VGCF_IN_KERNEL = 1 << 2;
const VGCF_ONLINE = 1 << 5;

/** A PV vCPU's basic context: flags after the 512-byte FPU area, the rest zero. */
export function pvVcpuContext(online = true): Buffer {
  const b = Buffer.alloc(VCPU_GUEST_CONTEXT_SIZE);
  b.writeBigUInt64LE(BigInt(VGCF_I387_VALID | VGCF_IN_KERNEL | (online ? VGCF_ONLINE : 0)), FPU_CTXT_SIZE);
  return b;
}

/** The extended context (xen_domctl_ext_vcpucontext): vcpu, size, then zeroed callbacks/vMCE. */
export function pvVcpuExtended(vcpuId: number): Buffer {
  const b = Buffer.alloc(64);
  b.writeUInt32LE(vcpuId, 0);
  b.writeUInt32LE(b.length, 4);
  return b;
}

/** The shared_info page: a simulated guest keeps it zero apart from its wallclock version. */
export function sharedInfoPage(): Buffer { return Buffer.alloc(PAGE_SIZE); }

const HVM_SAVE_CODE_END = 0;
const HVM_SAVE_CODE_HEADER = 1;
const HVM_SAVE_CODE_CPU = 2;
const HVM_FILE_MAGIC = 0x54381286;
const HVM_FILE_VERSION = 1;
/** sizeof(struct hvm_hw_cpu) in Xen 4.17 (hvm-hw-cpu.ts has its layout). */
export const HVM_HW_CPU_SIZE = 1032;

function hvmDescriptor(code: number, instance: number, body: Buffer): Buffer {
  const d = Buffer.alloc(8);
  d.writeUInt16LE(code, 0);
  d.writeUInt16LE(instance, 2);
  d.writeUInt32LE(body.length, 4);
  return Buffer.concat([d, body]);
}

/** The CPU entries (hvm_hw_cpu bodies) of an HVM context blob, by vCPU. */
export function hvmCpuRecords(blob: Buffer): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  for (let at = 0; at + 8 <= blob.length;) {
    const code = blob.readUInt16LE(at), instance = blob.readUInt16LE(at + 2), len = blob.readUInt32LE(at + 4);
    if (code === HVM_SAVE_CODE_END) break;
    if (code === HVM_SAVE_CODE_CPU) out.set(instance, blob.subarray(at + 8, at + 8 + len));
    at += 8 + len;
  }
  return out;
}

/** An HVM context blob: HEADER, one CPU record per vCPU (the given hvm_hw_cpu bodies, else zeroed ones), END (the hvm_save descriptor chain). */
export function hvmContext(vcpus: number, tscKhz: number, cpus?: Buffer[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(HVM_FILE_MAGIC, 0);
  header.writeUInt32LE(HVM_FILE_VERSION, 4);
  header.writeUInt32LE(tscKhz, 20);
  const parts = [hvmDescriptor(HVM_SAVE_CODE_HEADER, 0, header)];
  for (const [v, cpu] of (cpus ?? Array.from({ length: vcpus }, () => Buffer.alloc(HVM_HW_CPU_SIZE))).entries()) parts.push(hvmDescriptor(HVM_SAVE_CODE_CPU, v, cpu));
  parts.push(hvmDescriptor(HVM_SAVE_CODE_END, 0, Buffer.alloc(0)));
  return Buffer.concat(parts);
}

/** HVM params libxc saves: store and console rings live in the special pages below 0xff000. */
export const HVM_PARAM_STORE_PFN = 1;
export const HVM_PARAM_CONSOLE_PFN = 17;
export function hvmParams(storePfn: number, consolePfn: number): Array<[number, bigint]> {
  return [[HVM_PARAM_STORE_PFN, BigInt(storePfn)], [HVM_PARAM_CONSOLE_PFN, BigInt(consolePfn)]];
}

/** QEMU's own migration stream: QEMU_VM_FILE_MAGIC "QEVM", version 3, then QEMU_VM_EOF. */
export function qemuContext(): Buffer {
  const b = Buffer.alloc(9);
  b.write('QEVM', 0, 'latin1');
  b.writeUInt32BE(3, 4);
  b.writeUInt8(0, 8);
  return b;
}

const XEN_CPUID_NO_SUBLEAF = 0xffffffff;
/** A small CPUID policy: the vendor leaf and the basic feature leaf of a GenuineIntel CPU. */
export function cpuidPolicy(): CpuidLeaf[] {
  return [
    { leaf: 0, subleaf: XEN_CPUID_NO_SUBLEAF, a: 0xd, b: 0x756e6547, c: 0x6c65746e, d: 0x49656e69 },
    { leaf: 1, subleaf: XEN_CPUID_NO_SUBLEAF, a: 0x000306f2, b: 0x00000800, c: 0xf6fa3203, d: 0x178bfbff },
  ];
}

/** MSR policy: MSR_INTEL_PLATFORM_INFO (0xce) and MSR_ARCH_CAPABILITIES (0x10a). */
export function msrPolicy(): MsrEntry[] {
  return [{ idx: 0xce, flags: 0, val: 0n }, { idx: 0x10a, flags: 0, val: 0n }];
}
