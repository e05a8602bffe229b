// PCI_SPEC_STRING (xl-pci-configuration(5), Xen 4.17): `[[DDDD:]BB:DD.F[@VSLOT],][KEY=VALUE,]*`
// with exactly one of a BDF (positional or `bdf=`) or `name=`. Produces libxl_device_pci.

import { atoi, strtoul } from './libc/strtol.ts';

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
  /** xl's exit status when it is not 6 (-ERROR_INVAL): an unknown rdm_policy fails with ERROR_FAIL */
  status?: number;
}

/**
 * sscanf's `%x` into an unsigned int: blanks, a sign, an optional 0x (taken even when no digit
 * follows, as glibc does), hex digits. Returns the value and how many characters it consumed.
 */
function scanHex(s: string, at: number): { value: number; end: number } | null {
  let i = at;
  while (i < s.length && ' \t\n\v\f\r'.includes(s[i])) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') { neg = s[i] === '-'; i++; }
  let prefixed = false;
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X')) { i += 2; prefixed = true; }
  const digits = /^[0-9a-fA-F]*/.exec(s.slice(i))![0];
  if (!digits && !prefixed) return null;
  const v = BigInt.asUintN(32, strtoul(digits || '0', 16).value);
  return { value: Number(neg ? BigInt.asUintN(32, -v) : v), end: i + digits.length };
}

interface Bdf { domain: number; bus: number; dev: number; func: number; vfuncMask: number; end: number }

/** libxlutil's parse_bdf: `[DDDD:]BB:DD.F` or `.*`, each number read by `%x`. */
function parseBdf(s: string, at: number): Bdf | null {
  let i = at;
  let colons = 0;
  for (; i < s.length && /[0-9a-fA-F:]/.test(s[i]); i++) if (s[i] === ':') colons++;
  if (colons !== 1 && colons !== 2) return null;
  const nums: number[] = colons === 1 ? [0] : [];
  i = at;
  while (nums.length < 3) {
    const n = scanHex(s, i);
    const sep = nums.length === 2 ? '.' : ':';
    if (!n || s[n.end] !== sep) return null;
    nums.push(n.value);
    i = n.end + 1;
  }
  const [domain, bus, dev] = nums;
  if (domain > 0xffff || bus > 0xff || dev > 0x1f) return null;
  if (s[i] === '*') return { domain, bus, dev, func: 0, vfuncMask: 0xffffffff, end: i + 1 };
  const f = scanHex(s, i);
  if (!f || f.value > 7) return null;
  return { domain, bus, dev, func: f.value, vfuncMask: 1, end: f.end };
}

/** parse_vslot: a `%x` slot number up to 0x1f, as a devfn. */
function parseVslot(s: string, at: number): { vdevfn: number; end: number } | null {
  const n = scanHex(s, at);
  return n && n.value <= 0x1f ? { vdevfn: n.value << 3, end: n.end } : null;
}

/** xlu_pci_parse_spec_string: an optional positional BDF (with `@VSLOT`), then KEY=VALUE pairs. */
export function parsePciSpec(spec: string, defaults: PciDefaults = {}): PciParseResult {
  const d: LibxlDevicePci = {
    msitranslate: defaults.msitranslate, power_mgmt: defaults.power_mgmt,
    permissive: defaults.permissive, seize: defaults.seize,
    rdm_policy: defaults.rdm_policy === undefined ? 'strict' : defaults.rdm_policy ?? undefined,
  };
  const fail = { report: '' };
  let vdevfn = 0;
  let hasBdf = false;
  const takeBdf = (b: Bdf) => {
    Object.assign(d, { domain: b.domain, bus: b.bus, dev: b.dev, func: b.func, vfunc_mask: b.vfuncMask });
    hasBdf = true;
  };
  let pos = 0;
  const first = parseBdf(spec, 0);
  if (first) {
    takeBdf(first);
    pos = first.end;
    if (spec[pos] === '@') {
      const v = parseVslot(spec, pos + 1);
      if (!v) return fail;
      vdevfn = v.vdevfn;
      pos = v.end;
    }
    if (spec[pos] === ',') pos++;
    else if (pos < spec.length) return fail;
  }
  while (pos < spec.length) {
    const eq = spec.indexOf('=', pos);
    if (eq < 0) return fail;
    const key = spec.slice(pos, eq);
    const comma = spec.indexOf(',', eq + 1);
    const val = spec.slice(eq + 1, comma < 0 ? spec.length : comma);
    pos = comma < 0 ? spec.length : comma + 1;
    switch (key) {
      // trailing text after a bdf= or vslot= value is ignored
      case 'bdf': { const b = parseBdf(val, 0); if (!b) return fail; takeBdf(b); break; }
      case 'vslot': { const v = parseVslot(val, 0); if (!v) return fail; vdevfn = v.vdevfn; break; }
      case 'permissive': d.permissive = atoi(val) !== 0; break;
      case 'msitranslate': d.msitranslate = atoi(val) !== 0; break;
      case 'seize': d.seize = atoi(val) !== 0; break;
      case 'power_mgmt': d.power_mgmt = atoi(val) !== 0; break;
      case 'rdm_policy': {
        const p = val.toLowerCase();
        if (p === 'strict' || p === 'relaxed') d.rdm_policy = p;
        else return { report: `Unknown RDM policy: ${val}`, status: 3 };
        break;
      }
      case 'name': d.name = val; break;
      default: return { report: `Unknown PCI_SPEC_STRING option: ${key}` };
    }
  }
  if (hasBdf === (d.name !== undefined)) return fail;
  const out: LibxlDevicePci = {
    func: d.func || undefined,
    dev: d.dev || undefined,
    bus: d.bus || undefined,
    domain: d.domain || undefined,
    vdevfn: vdevfn || undefined,
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

/** xlu_pci_parse_bdf: a BDF at the start of `s` (whatever follows it is not looked at), or null. */
export function parsePciBdf(s: string): LibxlDevicePci | null {
  const b = parseBdf(s, 0);
  return b && { domain: b.domain, bus: b.bus, dev: b.dev, func: b.func, vfunc_mask: b.vfuncMask };
}
