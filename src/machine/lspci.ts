// What pciutils' lspci prints for a list of functions: one line each (`lspci`, `-nn` adds the
// numeric class and ids), and with `-v` the subsystem, flags, BARs, capabilities and driver
// lines after each. Used for Dom0's view of the machine and for a guest's view of the devices
// it was given (at the guest's own addresses).
import { CLASS_NAMES, type FunctionSpec } from './pci-parts.ts';
import type { Bar, PciAddress } from './pci.ts';

export interface LspciEntry {
  /** Where this view sees the function. */
  at: PciAddress;
  spec: FunctionSpec;
  bars: Bar[];
  irq?: number;
  iommuGroup?: number;
  /** The driver bound now (null: none). */
  driver: string | null;
}

/** `numeric`: 0 names only, 1 numbers only (-n), 2 both (-nn). */
export interface LspciOptions { numeric: 0 | 1 | 2; verbose: boolean }

const hex = (n: number, w: number): string => n.toString(16).padStart(w, '0');

function size(n: number): string {
  for (const [unit, v] of [['G', 1 << 30], ['M', 1 << 20], ['K', 1 << 10]] as const) if (n >= v && n % v === 0) return `${n / v}${unit}`;
  return String(n);
}

function address(a: PciAddress, withSeg: boolean): string {
  return `${withSeg ? `${hex(a.seg, 4)}:` : ''}${hex(a.bus, 2)}:${hex(a.dev, 2)}.${a.fn}`;
}

function className(spec: FunctionSpec): string {
  return CLASS_NAMES[spec.classCode >> 8] ?? `Class ${hex(spec.classCode >> 8, 4)}`;
}

function header(e: LspciEntry, o: LspciOptions, withSeg: boolean): string {
  const s = e.spec;
  const rev = s.revision ? ` (rev ${hex(s.revision, 2)})` : '';
  const progIf = s.classCode & 0xff;
  const pi = o.verbose && progIf ? ` (prog-if ${hex(progIf, 2)}${s.progIfName && o.numeric !== 1 ? ` [${s.progIfName}]` : ''})` : '';
  const cc = hex(s.classCode >> 8, 4), ids = `${hex(s.vendor, 4)}:${hex(s.device, 4)}`;
  if (o.numeric === 1) return `${address(e.at, withSeg)} ${cc}: ${ids}${rev}${pi}\n`;
  const cls = o.numeric ? `${className(s)} [${cc}]` : className(s);
  return `${address(e.at, withSeg)} ${cls}: ${s.vendorName} ${s.deviceName}${o.numeric ? ` [${ids}]` : ''}${rev}${pi}\n`;
}

function barLine(b: Bar): string {
  if (b.kind === 'io') return `\tI/O ports at ${hex(b.base, 4)} [size=${size(b.size)}]\n`;
  return `\tMemory at ${hex(b.base, 8)} (${b.kind === 'mem64' ? '64-bit' : '32-bit'}, ${b.prefetchable ? '' : 'non-'}prefetchable) [size=${size(b.size)}]\n`;
}

function details(e: LspciEntry, o: LspciOptions): string {
  const s = e.spec;
  let t = '';
  if (s.classCode >> 16 !== 0x06) {
    const sub = `${hex(s.subVendor, 4)}:${hex(s.subDevice, 4)}`;
    t += `\tSubsystem: ${o.numeric === 1 ? sub : `${s.subsystemName}${o.numeric ? ` [${sub}]` : ''}`}\n`;
  }
  const flags = ['bus master', 'fast devsel', 'latency 0'];
  if (e.irq !== undefined) flags.push(`IRQ ${e.irq}`);
  if (e.iommuGroup !== undefined) flags.push(`IOMMU group ${e.iommuGroup}`);
  t += `\tFlags: ${flags.join(', ')}\n`;
  for (const b of e.bars) t += barLine(b);
  if (s.msi) t += `\tCapabilities: [50] MSI: Enable${e.driver && !s.msix ? '+' : '-'} Count=1/${s.msi.vectors} Maskable+ 64bit+\n`;
  if (s.msix) t += `\tCapabilities: [70] MSI-X: Enable${e.driver ? '+' : '-'} Count=${s.msix.vectors} Masked-\n`;
  if (s.sriov) t += '\tCapabilities: [160] Single Root I/O Virtualization (SR-IOV)\n';
  if (e.driver) t += `\tKernel driver in use: ${e.driver}\n`;
  if (s.driver) t += `\tKernel modules: ${s.driver.replace(/-/g, '_')}\n`;
  return t + '\n';
}

export function formatLspci(entries: readonly LspciEntry[], o: LspciOptions): string {
  const withSeg = entries.some(e => e.at.seg !== 0);
  return entries.map(e => header(e, o, withSeg) + (o.verbose ? details(e, o) : '')).join('');
}
