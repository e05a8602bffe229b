// PCI_SPEC_STRING (xl-pci-configuration(5), Xen 4.17): `[[DDDD:]BB:DD.F[@VSLOT],][KEY=VALUE,]*`
// with exactly one of a BDF (positional or `bdf=`) or `name=`. Produces libxl_device_pci.

import { atoi } from './xlcfg/c-numbers.ts';

export interface LibxlDevicePci {
  func?: number;
  dev?: number;
  bus?: number;
  domain?: number;
  vdevfn?: number;
  vfunc_mask?: number;
  msitranslate?: boolean;
  power_mgmt?: boolean;
  permissive?: boolean;
  seize?: boolean;
  rdm_policy?: 'strict' | 'relaxed';
  name?: string;
}

/** Per-device defaults that xl takes from the pci_* config keys (rdm_policy null: leave unset). */
export interface PciDefaults {
  msitranslate?: boolean;
  power_mgmt?: boolean;
  permissive?: boolean;
  seize?: boolean;
  rdm_policy?: 'strict' | 'relaxed' | null;
}

export interface PciParseResult {
  pci?: LibxlDevicePci;
  /** text libxlutil writes before failing (its messages have no trailing newline) */
  report: string;
}

function hex(s: string, max: number): number | null {
  if (!/^[0-9a-fA-F]+$/.test(s)) return null;
  const v = parseInt(s, 16);
  return v <= max ? v : null;
}

function parseBdf(s: string): { domain: number; bus: number; dev: number; func: number; all: boolean } | null {
  const m = /^(?:([^:]+):)?([^:]+):([^.]+)\.(.+)$/.exec(s);
  if (!m) return null;
  const domain = m[1] === undefined ? 0 : hex(m[1], 0xffff);
  const bus = hex(m[2], 0xff);
  const dev = hex(m[3], 0x1f);
  const all = m[4] === '*';
  const func = all ? 0 : hex(m[4], 0x7);
  if (domain === null || bus === null || dev === null || func === null) return null;
  return { domain, bus, dev, func, all };
}

export function parsePciSpec(spec: string, defaults: PciDefaults = {}): PciParseResult {
  const d: LibxlDevicePci & { hasBdf?: boolean } = {
    msitranslate: defaults.msitranslate, power_mgmt: defaults.power_mgmt,
    permissive: defaults.permissive, seize: defaults.seize,
    rdm_policy: defaults.rdm_policy === undefined ? 'strict' : defaults.rdm_policy ?? undefined,
  };
  let hasBdf = false;
  let vslot = 0;
  const setBdf = (text: string): boolean => {
    const at = text.indexOf('@');
    const b = parseBdf(at >= 0 ? text.slice(0, at) : text);
    if (!b || hasBdf) return false;
    if (at >= 0) {
      const v = hex(text.slice(at + 1), 0x1f);
      if (v === null) return false;
      vslot = v;
    }
    Object.assign(d, { domain: b.domain, bus: b.bus, dev: b.dev, func: b.func, vfunc_mask: b.all ? 0xffffffff : 1 });
    hasBdf = true;
    return true;
  };
  const parts = spec.split(',');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    const eq = p.indexOf('=');
    if (eq < 0) {
      if (i !== 0 || !setBdf(p)) return { report: '' };
      continue;
    }
    const key = p.slice(0, eq);
    const val = p.slice(eq + 1);
    switch (key) {
      case 'bdf': if (!setBdf(val)) return { report: '' }; break;
      case 'vslot': { const v = hex(val, 0x1f); if (v === null) return { report: '' }; vslot = v; break; }
      case 'permissive': d.permissive = atoi(val) !== 0; break;
      case 'msitranslate': d.msitranslate = atoi(val) !== 0; break;
      case 'seize': d.seize = atoi(val) !== 0; break;
      case 'power_mgmt': d.power_mgmt = atoi(val) !== 0; break;
      case 'rdm_policy':
        if (val === 'strict' || val === 'relaxed') d.rdm_policy = val;
        else return { report: `Unknown RDM policy: ${val}` };
        break;
      case 'name': d.name = val; break;
      default: return { report: `Unknown PCI_SPEC_STRING option: ${key}` };
    }
  }
  if (hasBdf === (d.name !== undefined)) return { report: '' };
  const out: LibxlDevicePci = {
    func: d.func || undefined,
    dev: d.dev || undefined,
    bus: d.bus || undefined,
    domain: d.domain || undefined,
    vdevfn: (vslot << 3) || undefined,
    vfunc_mask: d.vfunc_mask,
    msitranslate: d.msitranslate || undefined,
    power_mgmt: d.power_mgmt || undefined,
    permissive: d.permissive || undefined,
    seize: d.seize || undefined,
    rdm_policy: d.rdm_policy,
    name: d.name,
  };
  for (const k of Object.keys(out) as (keyof LibxlDevicePci)[]) if (out[k] === undefined) delete out[k];
  return { pci: out, report: '' };
}
