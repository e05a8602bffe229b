// VIF_SPEC tokens (xl-network-configuration(5)) and the rate grammar of libxlutil, producing a
// libxl_device_nic. In a config file each vif string is split on commas; on the
// network-attach command line every argument is one token.

import { strtoul as strtoull } from './libc/strtol.ts';

/** libxl_device_nic; keys in IDL order, unset ones absent. */
export interface LibxlDeviceNic {
  backend_domid?: number;
  backend_domname?: string;
  devid?: number;
  mtu?: number;
  model?: string;
  mac?: string;
  ip?: string;
  bridge?: string;
  ifname?: string;
  script?: string;
  nictype?: 'vif' | 'vif_ioemu';
  rate_bytes_per_interval?: number;
  rate_interval_usecs?: number;
  gatewaydev?: string;
  coloft_forwarddev?: string;
  [colo: `colo_${string}`]: string | undefined;
  trusted?: 'True' | 'False';
}

/** vif.default.* from xl.conf, applied before a vif's own tokens. */
export interface VifDefaults {
  script?: string;
  bridge?: string;
  gatewaydev?: string;
  backend?: string;
}

/** COLO keys accepted as plain strings, in libxl's IDL order. */
const COLO_KEYS = [
  'colo_sock_mirror_id', 'colo_sock_mirror_ip', 'colo_sock_mirror_port',
  'colo_sock_compare_pri_in_id', 'colo_sock_compare_pri_in_ip', 'colo_sock_compare_pri_in_port',
  'colo_sock_compare_sec_in_id', 'colo_sock_compare_sec_in_ip', 'colo_sock_compare_sec_in_port',
  'colo_sock_compare_notify_id', 'colo_sock_compare_notify_ip', 'colo_sock_compare_notify_port',
  'colo_sock_redirector0_id', 'colo_sock_redirector0_ip', 'colo_sock_redirector0_port',
  'colo_sock_redirector1_id', 'colo_sock_redirector1_ip', 'colo_sock_redirector1_port',
  'colo_sock_redirector2_id', 'colo_sock_redirector2_ip', 'colo_sock_redirector2_port',
  'colo_filter_mirror_queue', 'colo_filter_mirror_outdev',
  'colo_filter_redirector0_queue', 'colo_filter_redirector0_indev', 'colo_filter_redirector0_outdev',
  'colo_filter_redirector1_queue', 'colo_filter_redirector1_indev', 'colo_filter_redirector1_outdev',
  'colo_compare_pri_in', 'colo_compare_sec_in', 'colo_compare_out', 'colo_compare_notify_dev',
  'colo_sock_sec_redirector0_id', 'colo_sock_sec_redirector0_ip', 'colo_sock_sec_redirector0_port',
  'colo_sock_sec_redirector1_id', 'colo_sock_sec_redirector1_ip', 'colo_sock_sec_redirector1_port',
  'colo_filter_sec_redirector0_queue', 'colo_filter_sec_redirector0_indev', 'colo_filter_sec_redirector0_outdev',
  'colo_filter_sec_redirector1_queue', 'colo_filter_sec_redirector1_indev', 'colo_filter_sec_redirector1_outdev',
  'colo_filter_sec_rewriter0_queue', 'colo_checkpoint_host', 'colo_checkpoint_port',
] as const;

const UINT32_MAX = 0xffffffffn;
const UINT64_MAX = 0xffffffffffffffffn;

/** A fatal problem: xl prints the messages and exits with this status. */
export class VifError extends Error {
  constructor(readonly messages: string[], readonly exitCode = 1) { super(messages.join('\n')); }
}

/**
 * xlu_vif_parse_rate: `RATE[@INTERVAL]` → bytes per interval and interval in µs.
 * Throws VifError with libxlutil's message on a bad rate.
 */
export function parseVifRate(rate: string, source: string): { rate_bytes_per_interval: number; rate_interval_usecs: number } {
  const fail = (msg: string, text: string): never => {
    throw new VifError([`${source}: config parsing error in vif: ${msg} in \`${text}'`]);
  };
  const at = rate.indexOf('@');
  const bytes = at >= 0 ? rate.slice(0, at) : rate;
  const interval = at >= 0 ? rate.slice(at + 1) : null;
  if (bytes === '') fail('no rate specified', rate);

  if (!/^[0-9]+[GMK]?[Bb]\/s$/.test(bytes)) fail('invalid rate', bytes);
  const r = strtoull(bytes, 0);
  if (r.value === 0n || r.value > UINT32_MAX || r.erange) fail('rate overflow', bytes);
  let bps = r.value;
  const unit = bytes[r.end];
  if (unit === 'G') bps *= 1000000000n;
  else if (unit === 'M') bps *= 1000000n;
  else if (unit === 'K') bps *= 1000n;
  if (unit === 'b' || bytes[r.end + 1] === 'b') bps /= 8n;

  let usecs = 50000n;
  if (interval !== null) {
    if (!/^[0-9]+[mu]?s?$/.test(interval)) fail('invalid replenishment interval', interval);
    const iv = strtoull(interval, 0);
    if (iv.value === 0n || iv.value > UINT32_MAX || iv.erange) fail('replenishment interval overflow', interval);
    usecs = iv.value;
    const u = interval[iv.end];
    if (u === 's' || u === undefined) usecs *= 1000000n;
    else if (u === 'm') usecs *= 1000n;
    if (usecs > UINT32_MAX) fail('replenishment interval overflow', interval);
  }
  if (bps > UINT64_MAX / usecs) fail('rate overflow', rate);
  return { rate_bytes_per_interval: Number((bps * usecs) / 1000000n), rate_interval_usecs: Number(usecs) };
}

/** xl's parse_ulong: base-10 strtoul that must consume at least one digit. */
function parseUlong(s: string): number {
  const r = strtoull(s, 10);
  if (r.end === 0 || r.value === UINT64_MAX) throw new VifError([`xl: failed to convert "${s}" to number`]);
  return Number(r.value);
}

export type NicDraft = Record<string, string | number | undefined>;

/** A nic before any token: devid as given (a list index in a config, unset for attach) and xl.conf defaults. */
export function newNic(devid: number | undefined, defaults: VifDefaults = {}): NicDraft {
  return {
    devid,
    script: defaults.script,
    bridge: defaults.bridge,
    gatewaydev: defaults.gatewaydev,
    backend_domname: defaults.backend,
  };
}

/**
 * xl's parse_nic_config for one `key=value` token. Returns the messages printed to stderr and
 * whether the token was recognised; throws VifError for the fatal cases (rate, number).
 */
export function applyNicToken(nic: NicDraft, token: string, source: string): { ok: boolean; messages: string[] } {
  const eq = token.indexOf('=');
  const key = eq >= 0 ? token.slice(0, eq) : null;
  const arg = eq >= 0 ? token.slice(eq + 1) : '';
  const messages: string[] = [];
  const set = (k: string) => { nic[k] = arg; };
  switch (key) {
    case 'type':
      if (arg === 'vif') nic.nictype = 'vif';
      else if (arg === 'ioemu') nic.nictype = 'vif_ioemu';
      else return { ok: false, messages: ["Invalid parameter `type'."] };
      break;
    case 'mac': {
      // bytes are stored as they parse: a bad group leaves the earlier ones changed
      const bytes = typeof nic.mac === 'string' ? nic.mac.split(':').map(h => parseInt(h, 16)) : [0, 0, 0, 0, 0, 0];
      const ok = parseMac(arg, bytes);
      nic.mac = bytes.some(x => x !== 0) ? bytes.map(x => x.toString(16).padStart(2, '0')).join(':') : undefined;
      if (!ok) return { ok: false, messages: ["Invalid parameter `mac'."] };
      break;
    }
    case 'bridge': set('bridge'); break;
    case 'netdev':
      messages.push('the netdev parameter is deprecated, please use gatewaydev instead');
      set('gatewaydev');
      break;
    case 'gatewaydev': set('gatewaydev'); break;
    case 'ip': set('ip'); break;
    case 'script': set('script'); break;
    case 'backend': set('backend_domname'); break;
    case 'vifname': set('ifname'); break;
    case 'model': set('model'); break;
    case 'rate': Object.assign(nic, parseVifRate(arg, source)); break;
    case 'forwarddev': set('coloft_forwarddev'); break;
    case 'accel': messages.push('the accel parameter for vifs is currently not supported'); break;
    case 'devid': nic.devid = parseUlong(arg); break;
    case 'mtu': nic.mtu = parseUlong(arg); break;
    default:
      if (key !== null && (COLO_KEYS as readonly string[]).includes(key)) { set(key); break; }
      if (token === 'trusted') { nic.trusted = 'True'; break; }
      if (token === 'untrusted') { nic.trusted = 'False'; break; }
      return { ok: false, messages: [`unrecognized argument \`${token}'`] };
  }
  return { ok: true, messages };
}

/** Six hex groups separated by any single character; each at most 0xff. Fills `bytes` as it goes. */
function parseMac(s: string, bytes: number[]): boolean {
  let p = 0;
  for (let i = 0; i < 6; i++) {
    if (p > s.length) return false;
    const r = strtoull(s.slice(p), 16);
    if (r.end === 0 || r.value > 255n) return false;
    bytes[i] = Number(r.value);
    p += r.end + 1;
  }
  return true;
}

export const NIC_ORDER = [
  'backend_domid', 'backend_domname', 'devid', 'mtu', 'model', 'mac', 'ip', 'bridge', 'ifname', 'script',
  'nictype', 'rate_bytes_per_interval', 'rate_interval_usecs', 'gatewaydev', 'coloft_forwarddev',
  ...COLO_KEYS, 'trusted',
];

/** The nic as libxl prints it: IDL order, defaults (unset, zero mtu) left out. */
export function toLibxlNic(nic: NicDraft): LibxlDeviceNic {
  const out: Record<string, string | number> = {};
  for (const k of NIC_ORDER) {
    const v = nic[k];
    if (v === undefined || (k === 'mtu' && v === 0)) continue;
    out[k] = v;
  }
  return out as LibxlDeviceNic;
}

/**
 * Parse one vif string from a config file (`vif = [ '...' ]`): comma-split, leading blanks
 * skipped, unknown tokens only warned about. Throws VifError on a fatal token.
 */
export function parseVifConfigString(spec: string, devid: number, source: string, defaults: VifDefaults = {}): { nic: LibxlDeviceNic; messages: string[] } {
  const nic = newNic(devid, defaults);
  const messages: string[] = [];
  for (const raw of spec.split(',')) {
    if (raw === '') continue; // strtok drops empty fields
    const token = raw.replace(/^ +/, '');
    messages.push(...applyNicToken(nic, token, source).messages);
  }
  return { nic: toLibxlNic(nic), messages };
}
