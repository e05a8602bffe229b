// The less common list keys of xl.cfg: ioports, irqs, iomem, dtdev, vtpm, p9, pvcalls,
// channel, usbctrl, usbdev and vkb, parsed as xl_parse.c does (same messages and exits).

import { type XlCfg, getList, listItem } from '../xlcfg/config.ts';
import { atoi, strtoul } from '../libc/strtol.ts';
import { ordered } from './ordered.ts';

/** Ends the build: the lines already printed plus this one, and xl's exit status. */
export type Fail = (msg: string | null, code?: number, unterminated?: boolean) => never;

const UINT32_MAX = 0xffffffff;

/** Items of a list setting walked the way xl does: stop at the first non-string. */
function items(cfg: XlCfg, key: string, sink: string[]): string[] | undefined {
  const l = getList(cfg, key, sink);
  if (!l) return undefined;
  const out: string[] = [];
  for (let i = 0; ; i++) {
    const s = listItem(l, i);
    if (s === null) break;
    out.push(s);
  }
  return out;
}

/** The comma-split tokens of one device string (strtok: empty ones vanish, leading blanks skipped). */
const tokens = (spec: string) => spec.split(',').filter(t => t !== '').map(t => t.replace(/^ +/, ''));

export function parseIoports(cfg: XlCfg, sink: string[], fail: Fail): Record<string, number>[] | undefined {
  const l = getList(cfg, 'ioports', sink);
  if (!l) return undefined;
  return l.map((_, i) => {
    const buf = listItem(l, i);
    if (buf === null) fail(`xl: Unable to get element #${i} in ioport list`);
    const a = strtoul(buf!, 16);
    if (a.end === 0) fail(`xl: Invalid argument parsing ioport: ${buf}`);
    if (a.value >= UINT32_MAX) fail(`xl: ioport ${a.value.toString(16)} too big`);
    const start = Number(a.value);
    let end = start;
    const rest = buf!.slice(a.end);
    if (rest.startsWith('-')) {
      const b = strtoul(rest.slice(1), 16);
      if (b.end === 0 || b.end !== rest.length - 1) fail(`xl: Invalid argument parsing ioport: ${buf}`);
      if (b.value >= UINT32_MAX) fail(`xl: ioport ${b.value.toString(16)} too big`);
      end = Number(b.value);
    } else if (rest !== '') {
      sink.push(`xl: Invalid argument parsing ioport: ${buf}`); // only reported, the item is kept
    }
    return { first: start, number: (end - start + 1) >>> 0 };
  });
}

export function parseIrqs(cfg: XlCfg, sink: string[], fail: Fail): number[] | undefined {
  const l = getList(cfg, 'irqs', sink);
  if (!l) return undefined;
  return l.map((_, i) => {
    const buf = listItem(l, i);
    if (buf === null) fail(`xl: Unable to get element ${i} in irq list`);
    const a = strtoul(buf!, 10);
    if (a.end === 0 || a.end !== buf!.length) fail(`xl: Invalid argument parsing irq: ${buf}`);
    if (a.value >= UINT32_MAX) fail(`xl: irq ${a.value.toString(16)} too big`);
    return Number(a.value);
  });
}

export function parseIomem(cfg: XlCfg, sink: string[], fail: Fail): Record<string, number>[] | undefined {
  const l = getList(cfg, 'iomem', sink);
  if (!l) return undefined;
  return l.map((_, i) => {
    const buf = listItem(l, i);
    if (buf === null) fail(`xl: Unable to get element ${i} in iomem list`);
    const m = /^\s*(?:0[xX])?([0-9a-fA-F]+),\s*(?:0[xX])?([0-9a-fA-F]+)(?:@\s*(?:0[xX])?([0-9a-fA-F]+))?$/.exec(buf!);
    if (!m) fail(`xl: Invalid argument parsing iomem: ${buf}`);
    return ordered({ start: parseInt(m![1], 16), number: parseInt(m![2], 16), gfn: m![3] === undefined ? undefined : parseInt(m![3], 16) },
      ['start', 'number', 'gfn']) as Record<string, number>;
  });
}

export function parseDtdevs(cfg: XlCfg, sink: string[]): Record<string, string>[] | undefined {
  return items(cfg, 'dtdev', sink)?.map(path => ({ path }));
}

/** `key=value` items of p9/vtpm/pvcalls: an item without `=` ends the spec. */
function pairs(spec: string): [string, string][] {
  const out: [string, string][] = [];
  for (const t of tokens(spec)) {
    const eq = t.indexOf('=');
    if (eq < 0) break;
    out.push([t.slice(0, eq), t.slice(eq + 1)]);
  }
  return out;
}

export const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function parseVtpms(cfg: XlCfg, sink: string[], fail: Fail): Record<string, unknown>[] | undefined {
  return items(cfg, 'vtpm', sink)?.map((spec, devid) => {
    const v: Record<string, unknown> = { devid };
    let gotBackend = false;
    for (const [k, val] of pairs(spec)) {
      if (k === 'backend') { v.backend_domname = val; gotBackend = true; }
      else if (k === 'uuid') {
        if (!UUID_RE.test(val)) fail(`Failed to parse vtpm UUID: ${val}`);
        v.uuid = val.toLowerCase();
      } else fail(`Unknown string \`${k}' in vtpm spec`);
    }
    if (!gotBackend) fail('vtpm spec missing required backend field!');
    return ordered(v, ['backend_domid', 'backend_domname', 'devid', 'uuid']);
  });
}

export function parseP9s(cfg: XlCfg, sink: string[], fail: Fail): Record<string, unknown>[] | undefined {
  return items(cfg, 'p9', sink)?.map(spec => {
    const v: Record<string, unknown> = {};
    for (const [k, val] of pairs(spec)) {
      if (k === 'security_model' || k === 'path' || k === 'tag') v[k] = val;
      else if (k === 'backend') v.backend_domname = val;
      else fail(`Unknown string \`${k}' in 9pfs spec`);
    }
    if (!v.path || !v.security_model || !v.tag) fail('9pfs spec missing required field!');
    return ordered(v, ['backend_domid', 'backend_domname', 'tag', 'path', 'security_model']);
  });
}

export function parsePvcalls(cfg: XlCfg, sink: string[], fail: Fail): Record<string, unknown>[] | undefined {
  return items(cfg, 'pvcalls', sink)?.map((spec, devid) => {
    const v: Record<string, unknown> = { devid };
    for (const [k, val] of pairs(spec)) {
      if (k === 'backend') v.backend_domname = val;
      else fail(`Unknown string \`${k}' in pvcalls spec`);
    }
    return ordered(v, ['backend_domid', 'backend_domname', 'devid']);
  });
}

export function parseChannels(cfg: XlCfg, sink: string[], fail: Fail): Record<string, unknown>[] | undefined {
  return items(cfg, 'channel', sink)?.map((spec, devid) => {
    const v: Record<string, unknown> = { devid };
    let path: string | undefined;
    let connection: 'pty' | 'socket' | undefined;
    for (const pair of spec.split(',').filter(p => p !== '')) {
      const parts = pair.split('=').filter(p => p !== '');
      if (parts.length < 2) fail(`failed to parse channel configuration: ${pair}`, 1, true);
      const key = parts[0].trim();
      const value = parts[1].trim();
      if (key === 'backend') v.backend_domname = value;
      else if (key === 'name') v.name = value;
      else if (key === 'path') path = value;
      else if (key === 'connection') {
        if (value === 'pty' || value === 'socket') connection = value;
        else fail(`unknown channel connection '${value}'`);
      } else sink.push(`unknown channel parameter '${key}', ignoring`);
    }
    if (connection === undefined) fail("channel has unknown 'connection'");
    if (connection === 'socket') {
      if (path === undefined) fail("channel connection 'socket' requires path=..");
      v['connection.socket'] = { path };
    } else {
      v['connection.pty'] = {};
    }
    return ordered(v, ['backend_domid', 'backend_domname', 'devid', 'name', 'connection.pty', 'connection.socket']);
  });
}

const USBCTRL_TYPES = ['auto', 'pv', 'devicemodel', 'qusb'];

/** parse_usbctrl_config: one token into `v`; the message xl prints when it is refused, else null. */
export function applyUsbctrlToken(v: Record<string, unknown>, t: string): string | null {
  if (t.startsWith('type=')) {
    const ty = t.slice(5).toLowerCase();
    if (!USBCTRL_TYPES.includes(ty)) return `Invalid usb controller type '${t.slice(5)}'`;
    v.type = ty === 'auto' ? undefined : ty;
  } else if (t.startsWith('version=')) v.version = atoi(t.slice(8)) || undefined;
  else if (t.startsWith('ports=')) v.ports = atoi(t.slice(6)) || undefined;
  else return `Unknown string \`${t}' in usbctrl spec`;
  return null;
}

export const USBCTRL_ORDER = ['type', 'devid', 'version', 'ports', 'backend_domid', 'backend_domname'];

export function parseUsbctrls(cfg: XlCfg, sink: string[], fail: Fail): Record<string, unknown>[] | undefined {
  return items(cfg, 'usbctrl', sink)?.map((spec, devid) => {
    const v: Record<string, unknown> = { devid };
    for (const t of tokens(spec)) {
      const refused = applyUsbctrlToken(v, t);
      if (refused !== null) fail(refused);
    }
    return ordered(v, USBCTRL_ORDER);
  });
}

/**
 * parse_usbdev_config: one token into `v` (ctrl -1 until given; the host bus and address in
 * `host`); the message xl prints when it is refused, else null.
 */
export function applyUsbdevToken(v: Record<string, unknown>, host: Record<string, unknown>, t: string): string | null {
  if (t.startsWith('type=')) {
    // xl prints getopt's optarg here, not the value: (null)
    if (t.slice(5).toLowerCase() !== 'hostdev') return 'Invalid usb device type: (null)';
  } else if (t.startsWith('hostbus=')) host.hostbus = Number(strtoul(t.slice(8), 0).value & 0xffn) || undefined;
  else if (t.startsWith('hostaddr=')) host.hostaddr = Number(strtoul(t.slice(9), 0).value & 0xffn) || undefined;
  else if (t.startsWith('controller=')) v.ctrl = atoi(t.slice(11));
  else if (t.startsWith('port=')) v.port = atoi(t.slice(5)) || undefined;
  else return `Unknown string \`${t}' in usbdev spec`;
  return null;
}

/** libxl_device_usbdev in IDL order (ctrl -1, its default, is not printed). */
export function usbdevJson(v: Record<string, unknown>, host: Record<string, unknown>): Record<string, unknown> {
  return ordered({ ...v, ctrl: v.ctrl === -1 ? undefined : v.ctrl, 'type.hostdev': ordered(host, ['hostbus', 'hostaddr']) },
    ['ctrl', 'port', 'type.hostdev']);
}

export function parseUsbdevs(cfg: XlCfg, sink: string[], fail: Fail): Record<string, unknown>[] | undefined {
  return items(cfg, 'usbdev', sink)?.map(spec => {
    const v: Record<string, unknown> = { ctrl: -1 };
    const host: Record<string, unknown> = {};
    let hostdev = false;
    for (const t of tokens(spec)) {
      const refused = applyUsbdevToken(v, host, t);
      if (refused !== null) fail(refused);
      if (t.startsWith('type=')) hostdev = true;
    }
    const out = usbdevJson(v, host);
    if (!hostdev) {
      // Without type=hostdev the union is not printed, yet libxl still has the bus and address
      // (its setdefault makes the type hostdev): they travel to the toolstack, not to -N's JSON.
      const full = { ...out };
      delete out['type.hostdev'];
      Object.defineProperty(out, 'toJSON', { value: () => full });
    }
    return out;
  });
}

const VKB_NUMBERS: Record<string, string> = {
  'feature-disable-keyboard': 'feature_disable_keyboard', 'feature-disable-pointer': 'feature_disable_pointer',
  'feature-abs-pointer': 'feature_abs_pointer', 'feature-raw-pointer': 'feature_raw_pointer',
  'feature-multi-touch': 'feature_multi_touch', 'multi-touch-width': 'multi_touch_width',
  'multi-touch-height': 'multi_touch_height', 'multi-touch-num-contacts': 'multi_touch_num_contacts',
  width: 'width', height: 'height',
};
const VKB_BOOLS = new Set(['feature_disable_keyboard', 'feature_disable_pointer', 'feature_abs_pointer', 'feature_raw_pointer', 'feature_multi_touch']);

/** parse_vkb_config: one token into `v`; the message xl prints when it is refused, else null. */
export function applyVkbToken(v: Record<string, unknown>, t: string): string | null {
  const eq = t.indexOf('=');
  const k = eq >= 0 ? t.slice(0, eq) : '';
  const val = t.slice(eq + 1);
  if (k === 'backend') v.backend_domname = val;
  else if (k === 'backend-type') {
    const bt = val.toLowerCase();
    if (!['unknown', 'qemu', 'linux'].includes(bt)) return `Unknown backend_type "${val}" in vkb spec`;
    v.backend_type = bt === 'unknown' ? undefined : bt;
  } else if (k === 'unique-id') v.unique_id = val;
  else if (Object.hasOwn(VKB_NUMBERS, k)) {
    const field = VKB_NUMBERS[k];
    const n = strtoul(val, 0).value;
    v[field] = VKB_BOOLS.has(field) ? (n ? true : undefined) : Number(BigInt.asUintN(32, n)) || undefined;
  } else return `Unknown string "${t}" in vkb spec`;
  return null;
}

/**
 * The checks after the tokens (xl.cfg's and vkb-attach's, which word the first two messages
 * differently): the refusal, else null and `v` in IDL order.
 */
export function finishVkb(v: Record<string, unknown>, suffix: string): string | Record<string, unknown> {
  if (v.backend_type === undefined) return `backend-type should be set${suffix}`;
  if (v.multi_touch_height || v.multi_touch_width || v.multi_touch_num_contacts) v.feature_multi_touch = true;
  else if (v.feature_multi_touch) return `multi-touch-width, multi-touch-height, multi-touch-num-contacts should be set${suffix === '' ? '' : ' for multi touch' + suffix}`;
  return ordered(v, ['backend_domid', 'backend_domname', 'devid', 'backend_type', 'unique_id', 'feature_disable_keyboard',
    'feature_disable_pointer', 'feature_abs_pointer', 'feature_raw_pointer', 'feature_multi_touch', 'width', 'height',
    'multi_touch_width', 'multi_touch_height', 'multi_touch_num_contacts']);
}

/** vkb= entries; `first` is the devid of the first one (vfb entries come before them). */
export function parseVkbs(cfg: XlCfg, sink: string[], fail: Fail, first: number): Record<string, unknown>[] | undefined {
  return items(cfg, 'vkb', sink)?.map((spec, i) => {
    const v: Record<string, unknown> = { devid: first + i };
    for (const t of tokens(spec)) {
      const refused = applyVkbToken(v, t);
      if (refused !== null) fail(refused);
    }
    const done = finishVkb(v, ' in vkb spec');
    return typeof done === 'string' ? fail(done) : done;
  });
}
