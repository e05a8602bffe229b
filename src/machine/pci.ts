// The machine's PCI bus: the functions the firmware enumerated (segment, bus, device, function),
// their BARs at the addresses the firmware gave them, their IOMMU groups, and the virtual
// functions of SR-IOV physical functions once VFs are enabled. A slot of the machine holds one
// part (pci-parts.ts); the bus lays its functions out.
import { PARTS, type BarSpec, type FunctionSpec } from './pci-parts.ts';

/**
 * One slot of a machine description: a part at `at`, "BB:DD" or "SSSS:BB:DD", with ".F" when its
 * first function is not function 0 (the chipset's SATA controller at 00:1f.2).
 */
export interface PciSlot {
  at: string;
  part: string;
  /** VFs enabled at boot, per function of the part (SR-IOV physical functions only). */
  sriov?: number[];
  /**
   * A reserved memory region (VT-d RMRR) the firmware declares for this slot's functions; slots
   * naming the same one share it, and Xen then refuses to give one of them to a guest alone.
   */
  rmrr?: number;
}

export interface PciAddress { seg: number; bus: number; dev: number; fn: number }

export interface Bar extends BarSpec { base: number }

export interface PciFunction extends PciAddress {
  /** "SSSS:BB:DD.F", as sysfs names it. */
  sbdf: string;
  spec: FunctionSpec;
  bars: Bar[];
  iommuGroup: number;
  rmrr?: number;
  /** The INTx line Dom0's kernel reports. */
  irq: number;
  /** A VF's physical function. */
  physfn?: string;
  /** A PF's enabled VFs. */
  numVfs: number;
}

export function formatSbdf(a: PciAddress): string {
  return `${hex(a.seg, 4)}:${hex(a.bus, 2)}:${hex(a.dev, 2)}.${a.fn.toString(16)}`;
}

const hex = (n: number, w: number): string => n.toString(16).padStart(w, '0');

/** "SSSS:BB:DD.F" or "BB:DD.F" into an address (lspci and sysfs spelling; hex). */
export function parseSbdf(s: string): PciAddress | undefined {
  const m = /^(?:([0-9a-fA-F]{1,4}):)?([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\.([0-7])$/.exec(s);
  if (!m) return undefined;
  const a = { seg: parseInt(m[1] ?? '0', 16), bus: parseInt(m[2]!, 16), dev: parseInt(m[3]!, 16), fn: Number(m[4]) };
  return a.dev > 0x1f ? undefined : a;
}

/** A slot's `at`: its first function's address. */
export function parseSlotAt(s: string): PciAddress | undefined {
  return parseSbdf(/\.[0-7]$/.test(s) ? s : `${s}.0`);
}

/** Where the firmware places BARs: memory below 4 GiB, 64-bit prefetchable memory above, I/O ports. */
const MEM32_BASE = 0xf0000000, MEM64_BASE = 0x3800_0000_0000, IO_BASE = 0xe000;

export class PciBus {
  private readonly byAddr = new Map<string, PciFunction>();
  private next = { mem32: MEM32_BASE, mem64: MEM64_BASE, io: IO_BASE };
  private nextGroup = 0;

  constructor(slots: readonly PciSlot[]) {
    const groups = new Map<string, number>();
    for (const slot of slots) {
      const at = parseSlotAt(slot.at)!;
      const part = PARTS[slot.part]!;
      // Functions of one device share its group (no ACS between them), and so do slots that share an RMRR.
      const key = slot.rmrr !== undefined ? `rmrr:${slot.rmrr}` : `slot:${slot.at}`;
      if (!groups.has(key)) groups.set(key, this.nextGroup++);
      part.functions.forEach((spec, i) => {
        const f = this.add({ ...at, fn: at.fn + i }, spec, groups.get(key)!, slot.rmrr);
        const vfs = slot.sriov?.[i] ?? 0;
        if (vfs) this.enableVfs(f.sbdf, vfs);
      });
    }
  }

  private add(a: PciAddress, spec: FunctionSpec, group: number, rmrr?: number, physfn?: string): PciFunction {
    const bars = spec.bars.map(b => ({ ...b, base: this.place(b) }));
    const f: PciFunction = { ...a, sbdf: formatSbdf(a), spec, bars, iommuGroup: group, rmrr, irq: 16 + ((a.dev + a.fn) % 4), physfn, numVfs: 0 };
    this.byAddr.set(f.sbdf, f);
    return f;
  }

  /** Non-prefetchable memory must sit in the bridges' 32-bit window, whatever the BAR's width. */
  private place(b: BarSpec): number {
    const k = b.kind === 'mem64' && !b.prefetchable ? 'mem32' : b.kind;
    const base = Math.ceil(this.next[k] / b.size) * b.size;
    this.next[k] = base + b.size;
    return base;
  }

  /** Every function, in bus order (as lspci lists them). */
  functions(): PciFunction[] {
    return [...this.byAddr.values()].sort((a, b) => a.seg - b.seg || a.bus - b.bus || a.dev - b.dev || a.fn - b.fn);
  }

  get(sbdf: string): PciFunction | undefined { return this.byAddr.get(sbdf); }

  vfsOf(pf: string): PciFunction[] { return this.functions().filter(f => f.physfn === pf); }

  /** The other functions of a function's IOMMU group. */
  groupPeers(f: PciFunction): PciFunction[] { return this.functions().filter(g => g !== f && g.iommuGroup === f.iommuGroup); }

  /**
   * sriov_numvfs: the PF's VFs appear at routing IDs PF + offset + i * stride, each in a group of
   * its own; 0 removes them. Returns what the PF cannot do, in the kernel's words, or null.
   */
  setNumVfs(pf: string, n: number): string | null {
    const f = this.byAddr.get(pf);
    const sriov = f?.spec.sriov;
    if (!f || !sriov) return 'No such file or directory';
    if (n > sriov.totalVfs) return 'Numerical result out of range';
    if (n && f.numVfs) return 'Device or resource busy';
    if (n === 0) { for (const vf of this.vfsOf(pf)) this.byAddr.delete(vf.sbdf); f.numVfs = 0; return null; }
    this.enableVfs(pf, n);
    return null;
  }

  private enableVfs(pf: string, n: number): void {
    const f = this.byAddr.get(pf)!;
    const sriov = f.spec.sriov!;
    const rid = (f.bus << 8) | (f.dev << 3) | f.fn;
    for (let i = 0; i < n; i++) {
      const vrid = rid + sriov.vfOffset + i * sriov.vfStride;
      this.add({ seg: f.seg, bus: vrid >> 8, dev: (vrid >> 3) & 0x1f, fn: vrid & 7 }, sriov.vf, this.nextGroup++, undefined, pf);
    }
    f.numVfs = n;
  }
}
