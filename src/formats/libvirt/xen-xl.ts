// libvirt's xen-xl converter (src/libxl/xen_xl.c with xen_common.c): an xl.cfg file to domain
// XML and back, for `virsh domxml-from-native xen-xl` / `domxml-to-native xen-xl`, and the
// path by which the endpoint starts a domain from XML (XML → xl.cfg → xl's own parser).
import { randomBytes, randomUUID } from 'node:crypto';
import { parseXlCfg, type XlCfg } from '../xlcfg/config.ts';
import type { XlValue } from '../xlcfg/types.ts';
import { parseDiskSpec } from '../disk-spec.ts';
import { DomainXmlError, type DiskDef, type DomainDef, type InterfaceDef, type LifecycleAction, type OsType } from './domain-def.ts';

export const HVMLOADER = '/usr/lib/xen-4.17/boot/hvmloader';

function atom(cfg: XlCfg, key: string): string | undefined {
  const s = cfg.find(key);
  return s?.value.kind === 'string' ? s.value.value : undefined;
}

function list(cfg: XlCfg, key: string): string[] {
  const s = cfg.find(key);
  if (!s) return [];
  const items: XlValue[] = s.value.kind === 'list' ? s.value.items : [s.value];
  return items.flatMap(i => (i.kind === 'string' ? [i.value] : []));
}

function num(cfg: XlCfg, key: string, dflt: number): number {
  const v = atom(cfg, key);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new DomainXmlError(`config value ${key} was malformed`);
  return n;
}

function action(cfg: XlCfg, key: string, dflt: LifecycleAction): LifecycleAction {
  const v = atom(cfg, key) ?? dflt;
  if (!['destroy', 'restart', 'preserve', 'rename-restart', 'coredump-destroy', 'coredump-restart'].includes(v)) {
    throw new DomainXmlError(`unexpected value ${v} for ${key}`);
  }
  return v as LifecycleAction;
}

/** A MAC in Xen's OUI, as libvirt generates for an interface without one. */
function xenMac(): string {
  const b = randomBytes(3);
  return `00:16:3e:${[...b].map(x => x.toString(16).padStart(2, '0')).join(':')}`;
}

function vifToInterface(spec: string): InterfaceDef {
  const kv = new Map<string, string>();
  for (const part of spec.split(',')) {
    const t = part.trim();
    if (!t) continue;
    const eq = t.indexOf('=');
    if (eq > 0) kv.set(t.slice(0, eq).trim(), t.slice(eq + 1).trim());
  }
  // xenParseVifBandwidth: a number, an optional K/M/G, then B/s (bytes) or b/s (bits), to KiB/s.
  const m = /^(\d+)([KMG]?)([Bb])\/s/.exec(kv.get('rate') ?? '');
  const scale: Record<string, number> = { '': 1 / 1024, K: 1, M: 1024, G: 1024 * 1024 };
  const rateKBs = m ? Number(m[1]) * scale[m[2]!]! / (m[3] === 'b' ? 8 : 1) : undefined;
  return {
    type: kv.has('bridge') ? 'bridge' : 'ethernet', mac: kv.get('mac')?.toLowerCase() ?? xenMac(), bridge: kv.get('bridge'),
    ips: kv.get('ip')?.split(/\s+/).filter(Boolean) ?? [], script: kv.get('script'),
    model: kv.get('model'), rateKBs: rateKBs !== undefined ? Math.floor(rateKBs) : undefined,
  };
}

function diskToDef(spec: string, source: string): DiskDef {
  const r = parseDiskSpec([spec], source);
  if (!r.disk) throw new DomainXmlError(r.errors.join(' ').trim() || `invalid disk specification '${spec}'`);
  const d = r.disk;
  const phy = d.backend === 'phy';
  const vdev = d.vdev ?? '';
  return {
    type: phy ? 'block' : 'file', device: d.is_cdrom ? 'cdrom' : 'disk',
    driverName: phy ? 'phy' : d.backend === 'tap' ? 'tap' : 'qemu', driverType: d.format ?? 'raw',
    source: d.pdev_path, target: vdev, bus: vdev.startsWith('hd') ? 'ide' : vdev.startsWith('sd') ? 'scsi' : 'xen',
    readonly: d.readwrite === 0,
  };
}

/** connectDomainXMLFromNative("xen-xl", text). */
export function xlToDomainDef(text: string, filename = 'xl.cfg'): DomainDef {
  const parsed = parseXlCfg(text, filename);
  if ('errors' in parsed) throw new DomainXmlError(`configuration file syntax error: ${parsed.errors.join(' ')}`);
  const cfg = parsed.cfg;
  const name = atom(cfg, 'name');
  if (!name) throw new DomainXmlError('config value name was missing');
  const type = atom(cfg, 'type') ?? (atom(cfg, 'builder') === 'hvm' ? 'hvm' : 'pv');
  const osType: OsType = type === 'hvm' ? 'hvm' : type === 'pvh' ? 'xenpvh' : 'linux';
  const hvm = osType === 'hvm';
  const memMiB = num(cfg, 'memory', 64);
  const maxMiB = num(cfg, 'maxmem', memMiB);
  const vcpus = num(cfg, 'vcpus', 1);
  const root = atom(cfg, 'root'), extra = atom(cfg, 'extra');
  const cmdline = atom(cfg, 'cmdline') ?? (root ? `root=${root}${extra ? ` ${extra}` : ''}` : extra);
  const localtime = num(cfg, 'localtime', 0) !== 0;
  const boot = (atom(cfg, 'boot') ?? 'c').split('').map(c => ({ a: 'fd', c: 'hd', d: 'cdrom', n: 'network' } as Record<string, string>)[c]).filter((x): x is string => !!x);
  const graphics: DomainDef['graphics'] = [];
  if (num(cfg, 'vnc', 0)) {
    const unused = num(cfg, 'vncunused', 1) !== 0;
    graphics.push({ type: 'vnc', autoport: unused, port: unused ? -1 : 5900 + num(cfg, 'vncdisplay', 0), listen: atom(cfg, 'vnclisten') });
  }
  if (num(cfg, 'sdl', 0)) graphics.push({ type: 'sdl' });
  const maxGrant = atom(cfg, 'max_grant_frames'), maxEvt = atom(cfg, 'max_event_channels');
  return {
    name, uuid: atom(cfg, 'uuid')?.toLowerCase() ?? randomUUID(),
    memoryKb: Math.max(maxMiB, memMiB) * 1024, currentMemoryKb: memMiB * 1024,
    vcpus: num(cfg, 'maxvcpus', vcpus), currentVcpus: vcpus,
    bootloader: atom(cfg, 'bootloader'),
    osType, arch: 'x86_64', machine: hvm ? 'xenfv' : osType === 'xenpvh' ? 'xenpvh' : 'xenpv',
    loader: hvm ? HVMLOADER : undefined,
    kernel: atom(cfg, 'kernel'), initrd: atom(cfg, 'ramdisk'), cmdline: cmdline || undefined, boot: hvm ? boot : [],
    features: hvm ? (['acpi', 'apic', 'pae'] as const).filter(f => num(cfg, f, 1) !== 0) : [],
    clock: hvm
      ? { offset: 'variable', adjustment: String(num(cfg, 'rtc_timeoffset', 0)), basis: localtime ? 'localtime' : 'utc' }
      : { offset: localtime ? 'localtime' : 'utc', adjustment: 'reset' },
    onPoweroff: action(cfg, 'on_poweroff', 'destroy'), onReboot: action(cfg, 'on_reboot', 'restart'), onCrash: action(cfg, 'on_crash', 'restart'),
    emulator: hvm ? atom(cfg, 'device_model') : undefined,
    disks: list(cfg, 'disk').map(s => diskToDef(s, filename)),
    interfaces: list(cfg, 'vif').map(vifToInterface),
    graphics,
    maxGrantFrames: maxGrant !== undefined ? Number(maxGrant) : undefined,
    maxEventChannels: maxEvt !== undefined ? Number(maxEvt) : undefined,
    serialPty: hvm && atom(cfg, 'serial') === 'pty',
  };
}

const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

function diskSpec(d: DiskDef): string {
  const backend = d.driverName === 'phy' ? 'phy' : d.driverName === 'tap' ? 'tap' : 'qdisk';
  const parts = [`format=${d.driverType ?? 'raw'}`, `vdev=${d.target}`, `access=${d.readonly ? 'ro' : 'rw'}`, `backendtype=${backend}`];
  if (d.device === 'cdrom') parts.push('devtype=cdrom');
  parts.push(`target=${d.source ?? ''}`);
  return parts.join(',');
}

function vifSpec(n: InterfaceDef): string {
  const parts: string[] = [];
  if (n.mac) parts.push(`mac=${n.mac}`);
  if (n.bridge) parts.push(`bridge=${n.bridge}`);
  if (n.ips.length) parts.push(`ip=${n.ips.join(' ')}`);
  if (n.script) parts.push(`script=${n.script}`);
  if (n.model) parts.push(`model=${n.model}`);
  if (n.rateKBs !== undefined) parts.push(`rate=${n.rateKBs}KB/s`);
  return parts.join(',');
}

/** connectDomainXMLToNative("xen-xl", def): xenFormatXL's keys in its order. */
export function domainDefToXl(d: DomainDef): string {
  const o: string[] = [];
  const hvm = d.osType === 'hvm';
  o.push(`name = ${q(d.name)}`, `uuid = ${q(d.uuid)}`);
  o.push(`maxmem = ${Math.ceil(d.memoryKb / 1024)}`, `memory = ${Math.ceil(d.currentMemoryKb / 1024)}`);
  o.push(`vcpus = ${d.currentVcpus}`);
  if (d.vcpus !== d.currentVcpus) o.push(`maxvcpus = ${d.vcpus}`);
  if (hvm) {
    for (const f of ['pae', 'acpi', 'apic']) o.push(`${f} = ${d.features.includes(f) ? 1 : 0}`);
    o.push('viridian = 0', `rtc_timeoffset = ${Number(d.clock.adjustment) || 0}`);
  }
  o.push(`localtime = ${d.clock.offset === 'localtime' || d.clock.basis === 'localtime' ? 1 : 0}`);
  o.push(`on_poweroff = ${q(d.onPoweroff)}`, `on_reboot = ${q(d.onReboot)}`, `on_crash = ${q(d.onCrash)}`);
  if (d.osType === 'xenpvh') o.push('type = "pvh"');
  if (hvm) {
    if (d.emulator) o.push(`device_model = ${q(d.emulator)}`);
    const vnc = d.graphics.find(g => g.type === 'vnc');
    o.push(`sdl = ${d.graphics.some(g => g.type === 'sdl') ? 1 : 0}`, `vnc = ${vnc ? 1 : 0}`);
    if (vnc) {
      o.push(`vncunused = ${vnc.autoport ? 1 : 0}`);
      if (!vnc.autoport && vnc.port !== undefined) o.push(`vncdisplay = ${vnc.port - 5900}`);
      if (vnc.listen) o.push(`vnclisten = ${q(vnc.listen)}`);
    }
  }
  if (d.interfaces.length) o.push(`vif = [ ${d.interfaces.map(n => q(vifSpec(n))).join(', ')} ]`);
  if (hvm) {
    o.push('parallel = "none"', `serial = ${d.serialPty ? '"pty"' : '"none"'}`, 'builder = "hvm"');
    const letters: Record<string, string> = { fd: 'a', hd: 'c', cdrom: 'd', network: 'n' };
    o.push(`boot = ${q(d.boot.map(b => letters[b] ?? 'c').join('') || 'c')}`);
  }
  if (d.kernel) o.push(`kernel = ${q(d.kernel)}`);
  if (d.initrd) o.push(`ramdisk = ${q(d.initrd)}`);
  if (d.cmdline) o.push(`cmdline = ${q(d.cmdline)}`);
  if (d.bootloader) o.push(`bootloader = ${q(d.bootloader)}`);
  if (d.maxGrantFrames !== undefined) o.push(`max_grant_frames = ${d.maxGrantFrames}`);
  if (d.maxEventChannels !== undefined) o.push(`max_event_channels = ${d.maxEventChannels}`);
  if (d.disks.length) o.push(`disk = [ ${d.disks.map(k => q(diskSpec(k))).join(', ')} ]`);
  return o.join('\n') + '\n';
}
