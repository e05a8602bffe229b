// Domain XML as libvirt's libxl driver reads and writes it (the subset a Xen guest uses:
// <domain type='xen'>, os type linux/xenpvh/hvm, kernel/initrd/cmdline, disks, interfaces,
// graphics, console, inputs, memballoon). The printer follows virDomainDefFormat's order and
// its two-space indentation, so our XML reads as libvirt's.
import { child, children, childText, escapeXml, parseXml, XmlError, type XmlElement } from './xml.ts';

export type OsType = 'linux' | 'xenpvh' | 'hvm';
export type LifecycleAction = 'destroy' | 'restart' | 'preserve' | 'rename-restart' | 'coredump-destroy' | 'coredump-restart';

export interface DiskDef {
  type: 'file' | 'block'; device: 'disk' | 'cdrom'; driverName?: string; driverType?: string;
  source?: string; target: string; bus: string; readonly: boolean;
}

export interface InterfaceDef {
  type: 'bridge' | 'ethernet'; mac?: string; bridge?: string; ips: string[]; script?: string; model?: string;
  /** Outbound average rate, KiB/s (bandwidth/outbound). */
  rateKBs?: number; targetDev?: string;
}

export interface GraphicsDef { type: 'vnc' | 'sdl' | 'spice'; port?: number; autoport?: boolean; listen?: string }

export interface DomainDef {
  id?: number;
  name: string; uuid: string;
  memoryKb: number; currentMemoryKb: number;
  vcpus: number; currentVcpus: number;
  bootloader?: string;
  osType: OsType; arch: string; machine: string;
  loader?: string; kernel?: string; initrd?: string; cmdline?: string; boot: string[];
  features: string[];
  clock: { offset: 'utc' | 'localtime' | 'variable'; adjustment?: string; basis?: string };
  onPoweroff: LifecycleAction; onReboot: LifecycleAction; onCrash: LifecycleAction;
  emulator?: string;
  disks: DiskDef[]; interfaces: InterfaceDef[]; graphics: GraphicsDef[];
  maxGrantFrames?: number; maxEventChannels?: number;
  /** An HVM guest's serial port on a pty (xl.cfg serial = "pty"). */
  serialPty: boolean;
}

export class DomainXmlError extends Error {
  constructor(message: string, readonly kind: 'xml' | 'config' = 'config') { super(message); }
}

const MACHINE: Record<OsType, string> = { linux: 'xenpv', xenpvh: 'xenpvh', hvm: 'xenfv' };
const ACTIONS: readonly LifecycleAction[] = ['destroy', 'restart', 'preserve', 'rename-restart', 'coredump-destroy', 'coredump-restart'];

const UNITS: Record<string, number> = {
  b: 1 / 1024, bytes: 1 / 1024, k: 1, KiB: 1, KB: 1000 / 1024, M: 1024, MiB: 1024, MB: 1e6 / 1024, G: 1024 ** 2, GiB: 1024 ** 2,
  GB: 1e9 / 1024, T: 1024 ** 3, TiB: 1024 ** 3, TB: 1e12 / 1024,
};

function memoryKb(el: XmlElement | undefined, what: string): number | undefined {
  if (!el) return undefined;
  const unit = el.attrs.unit ?? 'KiB';
  const mul = UNITS[unit] ?? UNITS[unit.toLowerCase()];
  if (mul === undefined) throw new DomainXmlError(`unknown scaling suffix '${unit}'`);
  const v = el.text.trim();
  if (!/^\d+$/.test(v)) throw new DomainXmlError(`Invalid value '${v}' for element or attribute '${what}'`);
  return Math.ceil(Number(v) * mul);
}

export function parseDomainXml(text: string): DomainDef {
  let root: XmlElement;
  try { root = parseXml(text); } catch (e) { throw new DomainXmlError(e instanceof XmlError ? e.message : String(e), 'xml'); }
  if (root.name !== 'domain') throw new DomainXmlError(`unexpected root element <${root.name}>, expecting <domain>`, 'xml');
  if (root.attrs.type !== 'xen') throw new DomainXmlError(`unsupported configuration: virt type '${root.attrs.type ?? ''}' is not supported by the xen driver`);
  const name = childText(root, 'name');
  if (!name) throw new DomainXmlError('missing name information', 'xml');
  const os = child(root, 'os');
  const typeEl = os && child(os, 'type');
  const osType = (typeEl?.text.trim() || 'linux') as OsType;
  if (!(osType in MACHINE)) throw new DomainXmlError(`unsupported configuration: no guest type for OS '${osType}'`);
  const memory = memoryKb(child(root, 'memory'), './memory[1]');
  if (memory === undefined) throw new DomainXmlError('missing memory element', 'xml');
  const current = memoryKb(child(root, 'currentMemory'), './currentMemory[1]') ?? memory;
  const vcpuEl = child(root, 'vcpu');
  const vcpus = vcpuEl ? Number(vcpuEl.text.trim()) : 1;
  if (!Number.isInteger(vcpus) || vcpus < 1) throw new DomainXmlError('maximum vcpus count must be an integer', 'xml');
  const currentVcpus = vcpuEl?.attrs.current !== undefined ? Number(vcpuEl.attrs.current) : vcpus;
  const action = (el: string, dflt: LifecycleAction): LifecycleAction => {
    const v = childText(root, el);
    if (v === undefined) return dflt;
    if (!ACTIONS.includes(v as LifecycleAction)) throw new DomainXmlError(`invalid ${el.replace('on_', '')} value: '${v}'`, 'xml');
    return v as LifecycleAction;
  };
  const features = child(root, 'features');
  const clockEl = child(root, 'clock');
  const devices = child(root, 'devices');
  const dev = (n: string) => (devices ? children(devices, n) : []);
  const xenbus = dev('controller').find(c => c.attrs.type === 'xenbus');
  return {
    name, uuid: (childText(root, 'uuid') ?? '').toLowerCase(),
    memoryKb: memory, currentMemoryKb: Math.min(current, memory),
    vcpus, currentVcpus,
    bootloader: childText(root, 'bootloader'),
    osType, arch: typeEl?.attrs.arch ?? 'x86_64', machine: typeEl?.attrs.machine ?? MACHINE[osType],
    loader: os && childText(os, 'loader'), kernel: os && childText(os, 'kernel'), initrd: os && childText(os, 'initrd'),
    cmdline: os && childText(os, 'cmdline'), boot: os ? children(os, 'boot').map(b => b.attrs.dev ?? 'hd') : [],
    features: features ? features.children.map(f => f.name) : [],
    clock: { offset: (clockEl?.attrs.offset as DomainDef['clock']['offset']) ?? 'utc', adjustment: clockEl?.attrs.adjustment, basis: clockEl?.attrs.basis },
    onPoweroff: action('on_poweroff', 'destroy'), onReboot: action('on_reboot', 'restart'), onCrash: action('on_crash', 'destroy'),
    emulator: devices && childText(devices, 'emulator'),
    disks: dev('disk').map(parseDisk),
    interfaces: dev('interface').map(parseInterface),
    graphics: dev('graphics').map(g => ({
      type: g.attrs.type as GraphicsDef['type'], port: g.attrs.port !== undefined ? Number(g.attrs.port) : undefined,
      autoport: g.attrs.autoport === undefined ? undefined : g.attrs.autoport === 'yes', listen: g.attrs.listen,
    })),
    maxGrantFrames: xenbus?.attrs.maxGrantFrames !== undefined ? Number(xenbus.attrs.maxGrantFrames) : undefined,
    maxEventChannels: xenbus?.attrs.maxEventChannels !== undefined ? Number(xenbus.attrs.maxEventChannels) : undefined,
    serialPty: dev('serial').length > 0,
  };
}

function parseDisk(d: XmlElement): DiskDef {
  const src = child(d, 'source'), drv = child(d, 'driver'), tgt = child(d, 'target');
  if (!tgt?.attrs.dev) throw new DomainXmlError('missing target information for device', 'xml');
  return {
    type: d.attrs.type === 'block' ? 'block' : 'file', device: d.attrs.device === 'cdrom' ? 'cdrom' : 'disk',
    driverName: drv?.attrs.name, driverType: drv?.attrs.type, source: src?.attrs.file ?? src?.attrs.dev,
    target: tgt.attrs.dev, bus: tgt.attrs.bus ?? (tgt.attrs.dev.startsWith('hd') ? 'ide' : 'xen'), readonly: !!child(d, 'readonly'),
  };
}

function parseInterface(i: XmlElement): InterfaceDef {
  const out = child(i, 'bandwidth') && child(child(i, 'bandwidth')!, 'outbound');
  return {
    type: i.attrs.type === 'bridge' ? 'bridge' : 'ethernet', mac: child(i, 'mac')?.attrs.address?.toLowerCase(),
    bridge: child(i, 'source')?.attrs.bridge, ips: children(i, 'ip').map(x => x.attrs.address ?? '').filter(Boolean),
    script: child(i, 'script')?.attrs.path, model: child(i, 'model')?.attrs.type,
    rateKBs: out?.attrs.average !== undefined ? Number(out.attrs.average) : undefined, targetDev: child(i, 'target')?.attrs.dev,
  };
}

const attr = (k: string, v: string | number | undefined) => (v === undefined ? '' : ` ${k}='${escapeXml(String(v), true)}'`);
const text = (s: string) => escapeXml(s);

/** virDomainDefFormat, for the elements above; a running domain's `id` goes on <domain>. */
export function formatDomainXml(d: DomainDef): string {
  const o: string[] = [];
  const hvm = d.osType === 'hvm';
  o.push(`<domain type='xen'${d.id !== undefined && d.id >= 0 ? ` id='${d.id}'` : ''}>`);
  o.push(`  <name>${text(d.name)}</name>`, `  <uuid>${d.uuid}</uuid>`);
  o.push(`  <memory unit='KiB'>${d.memoryKb}</memory>`, `  <currentMemory unit='KiB'>${d.currentMemoryKb}</currentMemory>`);
  o.push(`  <vcpu placement='static'${d.currentVcpus !== d.vcpus ? ` current='${d.currentVcpus}'` : ''}>${d.vcpus}</vcpu>`);
  if (d.bootloader) o.push(`  <bootloader>${text(d.bootloader)}</bootloader>`);
  o.push('  <os>', `    <type arch='${d.arch}' machine='${d.machine}'>${d.osType}</type>`);
  if (d.loader) o.push(`    <loader type='rom'>${text(d.loader)}</loader>`);
  if (d.kernel) o.push(`    <kernel>${text(d.kernel)}</kernel>`);
  if (d.initrd) o.push(`    <initrd>${text(d.initrd)}</initrd>`);
  if (d.cmdline) o.push(`    <cmdline>${text(d.cmdline)}</cmdline>`);
  for (const b of d.boot) o.push(`    <boot dev='${b}'/>`);
  o.push('  </os>');
  if (d.features.length) o.push('  <features>', ...d.features.map(f => `    <${f}/>`), '  </features>');
  o.push(`  <clock offset='${d.clock.offset}'${attr('adjustment', d.clock.adjustment)}${attr('basis', d.clock.basis)}/>`);
  o.push(`  <on_poweroff>${d.onPoweroff}</on_poweroff>`, `  <on_reboot>${d.onReboot}</on_reboot>`, `  <on_crash>${d.onCrash}</on_crash>`);
  o.push('  <devices>');
  if (d.emulator) o.push(`    <emulator>${text(d.emulator)}</emulator>`);
  for (const k of d.disks) {
    o.push(`    <disk type='${k.type}' device='${k.device}'>`);
    if (k.driverName || k.driverType) o.push(`      <driver${attr('name', k.driverName)}${attr('type', k.driverType)}/>`);
    if (k.source) o.push(`      <source ${k.type === 'block' ? 'dev' : 'file'}='${escapeXml(k.source, true)}'/>`);
    o.push(`      <target dev='${k.target}' bus='${k.bus}'/>`);
    if (k.readonly) o.push('      <readonly/>');
    if (k.bus === 'ide') {
      const n = k.target.charCodeAt(2) - 97;
      o.push(`      <address type='drive' controller='0' bus='${n >> 1}' target='0' unit='${n & 1}'/>`);
    }
    o.push('    </disk>');
  }
  if (d.disks.some(k => k.bus === 'ide')) o.push("    <controller type='ide' index='0'/>");
  if (d.maxGrantFrames !== undefined || d.maxEventChannels !== undefined) {
    o.push(`    <controller type='xenbus' index='0'${attr('maxGrantFrames', d.maxGrantFrames)}${attr('maxEventChannels', d.maxEventChannels)}/>`);
  }
  for (const n of d.interfaces) {
    o.push(`    <interface type='${n.type}'>`);
    if (n.mac) o.push(`      <mac address='${n.mac}'/>`);
    if (n.bridge) o.push(`      <source bridge='${escapeXml(n.bridge, true)}'/>`);
    for (const ip of n.ips) o.push(`      <ip address='${ip}'/>`);
    if (n.rateKBs !== undefined) o.push('      <bandwidth>', `        <outbound average='${n.rateKBs}'/>`, '      </bandwidth>');
    if (n.script) o.push(`      <script path='${escapeXml(n.script, true)}'/>`);
    if (n.targetDev) o.push(`      <target dev='${n.targetDev}'/>`);
    if (n.model) o.push(`      <model type='${escapeXml(n.model, true)}'/>`);
    o.push('    </interface>');
  }
  if (hvm) {
    if (d.serialPty) {
      o.push("    <serial type='pty'>", "      <target port='0'/>", '    </serial>');
      o.push("    <console type='pty'>", "      <target type='serial' port='0'/>", '    </console>');
    }
    o.push("    <input type='mouse' bus='ps2'/>", "    <input type='keyboard' bus='ps2'/>");
  } else {
    o.push("    <console type='pty'>", "      <target type='xen' port='0'/>", '    </console>');
    o.push("    <input type='mouse' bus='xen'/>", "    <input type='keyboard' bus='xen'/>");
  }
  for (const g of d.graphics) {
    if (g.type !== 'vnc') { o.push(`    <graphics type='${g.type}'/>`); continue; }
    const port = g.autoport ? -1 : g.port;
    o.push(`    <graphics type='vnc'${attr('port', port)}${g.autoport ? " autoport='yes'" : ''}${attr('listen', g.listen)}${g.listen ? '>' : '/>'}`);
    if (g.listen) o.push(`      <listen type='address' address='${g.listen}'/>`, '    </graphics>');
  }
  o.push("    <memballoon model='xen'/>", '  </devices>', '</domain>', '');
  return o.join('\n');
}
