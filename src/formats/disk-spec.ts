// The DISK_SPEC grammar of xl-disk-configuration(5), scanned like libxlutil's flex lexer:
// longest match wins, ties go to the earlier rule, deprecated prefixes count as matching the
// whole remaining string, and `target=` swallows the rest. The result is a libxl_device_disk.

import { atoi } from './libc/strtol.ts';

export type DiskFormat = 'qcow' | 'qcow2' | 'vhd' | 'raw' | 'empty' | 'qed';
export type DiskBackend = 'phy' | 'tap' | 'qdisk' | 'standalone';

/** libxl_device_disk as xl builds it; keys in libxl's IDL order, unset ones absent. */
export interface LibxlDeviceDisk {
  backend_domid?: number;
  backend_domname?: string;
  pdev_path?: string;
  vdev?: string;
  backend?: DiskBackend;
  format?: DiskFormat;
  script?: string;
  removable?: number;
  readwrite?: number;
  is_cdrom?: number;
  direct_io_safe?: boolean;
  discard_enable?: 'True' | 'False';
  specification?: 'xen' | 'virtio';
  colo_enable?: 'True' | 'False';
  colo_host?: string;
  colo_port?: number;
  colo_export?: string;
  active_disk?: string;
  hidden_disk?: string;
}

interface Ctx {
  source: string;
  spec: string;
  disk: Draft;
  hadDeprPrefix: boolean;
  accessSet: boolean;
  err: boolean;
  report: string[];
}

type Draft = {
  backend_domname?: string; pdev_path?: string; vdev?: string; backend?: DiskBackend; format?: DiskFormat;
  script?: string; removable: number; readwrite: number; is_cdrom: number; direct_io_safe: boolean;
  discard_enable?: boolean; specification?: 'xen' | 'virtio'; colo_enable?: boolean; colo_host?: string;
  colo_port: number; colo_export?: string; active_disk?: string; hidden_disk?: string;
};

function err(ctx: Ctx, near: string | null, message: string): void {
  ctx.report.push(`${ctx.source}: config parsing error in disk specification: ${message}` +
    (near !== null ? `: near \`${near}'` : '') + ` in \`${ctx.spec}'`);
  ctx.err = true;
}

type StringField = 'backend_domname' | 'pdev_path' | 'vdev' | 'script' | 'colo_host' | 'colo_export' | 'active_disk' | 'hidden_disk';

/** A string may be set once; overwriting an empty one is allowed. */
function saveString(ctx: Ctx, what: string, field: StringField, value: string): void {
  const cur = ctx.disk[field];
  if (cur) { err(ctx, value, `${what} respecified`); return; }
  ctx.disk[field] = value;
}

function setEnum<K extends 'format' | 'backend' | 'specification'>(ctx: Ctx, field: K, value: Draft[K], near: string): void {
  const cur = ctx.disk[field];
  if (cur !== undefined && cur !== value) err(ctx, near, `${field} respecified`);
  else ctx.disk[field] = value;
}

function setFormat(ctx: Ctx, s: string): void {
  const f: Record<string, DiskFormat> = { '': 'raw', raw: 'raw', qcow: 'qcow', qcow2: 'qcow2', vhd: 'vhd', empty: 'empty', qed: 'qed' };
  if (s in f) setEnum(ctx, 'format', f[s], s);
  else err(ctx, s, 'unknown value for format');
}

function setAccess(ctx: Ctx, s: string): void {
  if (s === 'r' || s === 'ro') ctx.disk.readwrite = 0;
  else if (s === 'rw' || s === 'w' || s === '') ctx.disk.readwrite = 1;
  else err(ctx, s, 'unknown value for access');
}

/** `<vdev>:<devtype>` in a positional slot; false (doing nothing) when there is no colon. */
function vdevAndDevtype(ctx: Ctx, s: string): boolean {
  const colon = s.lastIndexOf(':');
  if (colon < 0) return false;
  saveString(ctx, 'vdev', 'vdev', s.slice(0, colon));
  const type = s.slice(colon + 1);
  if (type === 'cdrom') ctx.disk.is_cdrom = 1;
  else if (type === 'disk') ctx.disk.is_cdrom = 0;
  else err(ctx, type, 'unknown deprecated type');
  return true;
}

const strip = (t: string) => (t.endsWith(',') ? t.slice(0, -1) : t);
const fromEquals = (t: string) => strip(t).slice(t.indexOf('=') + 1);

/** One scanner rule: `re` is anchored (sticky); `text` is how much of the match is yytext. */
interface Rule {
  re: RegExp;
  text?: (m: RegExpExecArray) => number;
  /** returns false to stop scanning this spec */
  act: (ctx: Ctx, yytext: string) => boolean | void;
}

const kv = (key: string, act: (ctx: Ctx, value: string, yytext: string) => void): Rule =>
  ({ re: new RegExp(`${key}=[^,\\n]*,?`, 'y'), act: (ctx, t) => act(ctx, fromEquals(t), t) });
const flag = (word: string, act: (ctx: Ctx) => void): Rule => ({ re: new RegExp(`${word},?`, 'y'), act });
const prefix = (re: string, act: (ctx: Ctx, yytext: string) => boolean | void): Rule =>
  ({ re: new RegExp(`(${re}):[^\\n]*`, 'y'), text: m => m[1].length + 1, act });

const RULES: Rule[] = [
  // blanks before a parameter (or at the end) are skipped
  { re: /[ \t\n]+(?:[^ \t\n][^\n]*)?/y, text: m => /^[ \t\n]+/.exec(m[0])![0].length, act: () => {} },
  kv('format', (ctx, v) => setFormat(ctx, v)),
  flag('cdrom', ctx => { ctx.disk.is_cdrom = 1; }),
  flag('devtype=cdrom', ctx => { ctx.disk.is_cdrom = 1; }),
  flag('devtype=disk', ctx => { ctx.disk.is_cdrom = 0; }),
  { re: /devtype=[^,\n]*,?/y, act: (ctx, t) => err(ctx, t, 'unknown value for type') },
  kv('access', (ctx, v) => setAccess(ctx, v)),
  kv('backend', (ctx, v) => saveString(ctx, 'backend', 'backend_domname', v)),
  kv('backendtype', (ctx, v) => {
    if (v === 'phy' || v === 'tap' || v === 'qdisk' || v === 'standalone') setEnum(ctx, 'backend', v, v);
    else err(ctx, v, 'unknown value for backendtype');
  }),
  kv('specification', (ctx, v) => {
    if (v === 'xen' || v === 'virtio') setEnum(ctx, 'specification', v, v);
    else err(ctx, v, 'unknown value for specification');
  }),
  kv('vdev', (ctx, v) => saveString(ctx, 'vdev', 'vdev', v)),
  kv('script', (ctx, v) => saveString(ctx, 'script', 'script', v)),
  flag('direct-io-safe', ctx => { ctx.disk.direct_io_safe = true; }),
  flag('discard', ctx => { ctx.disk.discard_enable = true; }),
  flag('no-discard', ctx => { ctx.disk.discard_enable = false; }),
  flag('colo', ctx => { ctx.disk.colo_enable = true; }),
  flag('no-colo', ctx => { ctx.disk.colo_enable = false; }),
  kv('colo-host', (ctx, v) => saveString(ctx, 'colo-host', 'colo_host', v)),
  kv('colo-port', (ctx, v) => {
    const port = atoi(v);
    if (port) ctx.disk.colo_port = port;
    else err(ctx, v, 'unknown value for colo_port');
  }),
  kv('colo-export', (ctx, v) => saveString(ctx, 'colo-export', 'colo_export', v)),
  kv('active-disk', (ctx, v) => saveString(ctx, 'active-disk', 'active_disk', v)),
  kv('hidden-disk', (ctx, v) => saveString(ctx, 'hidden-disk', 'hidden_disk', v)),
  { re: /target=[^\n]*/y, act: (ctx, t) => saveString(ctx, 'target', 'pdev_path', fromEquals(t)) },
  { re: /[a-z][-a-z0-9]*=[^,\n],?/y, act: (ctx, t) => err(ctx, t, 'unknown parameter') },
  prefix('raw|qcow2?|vhd', (ctx, t) => { ctx.hadDeprPrefix = true; setFormat(ctx, t.slice(0, -1)); }),
  prefix('iscsi|e?nbd|drbd', (ctx, t) => {
    ctx.hadDeprPrefix = true;
    const script = `block-${t.slice(0, -1)}`;
    if (ctx.disk.script) err(ctx, script, 'script respecified');
    else ctx.disk.script = script;
  }),
  prefix('tapdisk|tap2?|aio|ioemu|file|phy', ctx => { ctx.hadDeprPrefix = true; }),
  { re: /([a-z][a-z0-9]*):(?:[^a-z0-9\n][^\n]*)?/y, text: m => m[1].length + 1,
    act: (ctx, t) => { err(ctx, t, 'unknown deprecated disk prefix'); return false; } },
  { re: /[^=,\n]*,|[^=,\n]+,?/y, act: positional },
];

function positional(ctx: Ctx, yytext: string): boolean | void {
  const t = strip(yytext);
  const d = ctx.disk;
  if (ctx.err) return; // earlier errors may just cause more
  if (d.pdev_path === undefined) {
    saveString(ctx, 'target', 'pdev_path', t);
  } else if (!ctx.hadDeprPrefix && d.format === undefined) {
    if (!d.pdev_path && vdevAndDevtype(ctx, t)) d.format = 'empty';
    else setFormat(ctx, t);
  } else if (d.vdev === undefined) {
    if (!vdevAndDevtype(ctx, t)) saveString(ctx, 'vdev', 'vdev', t);
  } else if (!ctx.accessSet) {
    ctx.accessSet = true;
    setAccess(ctx, t);
  } else {
    err(ctx, t, 'too many positional parameters');
    return false;
  }
}

function scan(ctx: Ctx): void {
  const s = ctx.spec;
  let pos = 0;
  while (pos < s.length) {
    let best: { rule: Rule; len: number; textLen: number } | null = null;
    for (const rule of RULES) {
      rule.re.lastIndex = pos;
      const m = rule.re.exec(s);
      if (!m || m[0].length === 0) continue;
      if (!best || m[0].length > best.len) best = { rule, len: m[0].length, textLen: rule.text ? rule.text(m) : m[0].length };
    }
    if (!best) {
      if (s[pos] === '\n') { pos++; continue; }
      // no rule fits: the rest of the line is reported, unless only this one character is left
      const nl = s.indexOf('\n', pos + 1);
      const rest = s.slice(pos, nl < 0 ? s.length : nl);
      if (rest.length > 1) err(ctx, rest, 'bad disk syntax');
      return;
    }
    const yytext = s.slice(pos, pos + best.textLen);
    pos += best.textLen;
    if (best.rule.act(ctx, yytext) === false) return;
  }
}

export interface DiskParseResult {
  disk?: LibxlDeviceDisk;
  /** messages written to stderr (errors); when present without `disk`, xl exits 1 */
  errors: string[];
}

/**
 * xlu_disk_parse: several spec strings accumulate into one disk (as on the block-attach
 * command line). `source` is the config file name or `command line`.
 */
export function parseDiskSpec(specs: readonly string[], source: string): DiskParseResult {
  const ctx: Ctx = {
    source, spec: '', hadDeprPrefix: false, accessSet: false, err: false, report: [],
    disk: { removable: 0, readwrite: 1, is_cdrom: 0, direct_io_safe: false, colo_port: 0 },
  };
  for (const spec of specs) {
    ctx.spec = spec;
    scan(ctx);
    if (ctx.err) return { errors: ctx.report };
  }
  const d = ctx.disk;
  if (d.format === undefined) d.format = 'raw';
  if (d.is_cdrom) {
    d.removable = 1;
    d.readwrite = 0;
    if (!d.pdev_path) d.format = 'empty';
  }
  if (d.vdev === undefined) { err(ctx, null, 'no vdev specified'); return { errors: ctx.report }; }
  if (d.pdev_path === undefined && !d.removable) {
    err(ctx, null, 'no target specified (and device not removable)');
    return { errors: ctx.report };
  }
  return { disk: toLibxl(d), errors: ctx.report };
}

const defbool = (b: boolean | undefined) => (b === undefined ? undefined : b ? 'True' as const : 'False' as const);

/**
 * Zeros and unset values are left out, as libxl's JSON leaves out defaults: a read-only disk has
 * no `readwrite` key, and whoever reads the disk takes an absent `readwrite` as 0.
 */
function toLibxl(d: Draft): LibxlDeviceDisk {
  const out: LibxlDeviceDisk = {
    backend_domname: d.backend_domname,
    pdev_path: d.pdev_path,
    vdev: d.vdev,
    backend: d.backend,
    format: d.format,
    script: d.script,
    removable: d.removable || undefined,
    readwrite: d.readwrite || undefined,
    is_cdrom: d.is_cdrom || undefined,
    direct_io_safe: d.direct_io_safe || undefined,
    discard_enable: defbool(d.discard_enable),
    specification: d.specification,
    colo_enable: defbool(d.colo_enable),
    colo_host: d.colo_host,
    colo_port: d.colo_port || undefined,
    colo_export: d.colo_export,
    active_disk: d.active_disk,
    hidden_disk: d.hidden_disk,
  };
  for (const k of Object.keys(out) as (keyof LibxlDeviceDisk)[]) if (out[k] === undefined) delete out[k];
  return out;
}
