// libxl's JSON as xl prints it: yajl2's generator in "beautify" mode (4-space indent, one
// member per line, empty containers printed as an opening bracket, a blank line and the
// closing bracket), plus the document shapes of `xl create -n`, `xl list -l` and the `-N`
// dry runs of the device commands.

import type { LibxlDomainConfig } from './domain-config/types.ts';

export type JsonValue = string | number | bigint | boolean | null | JsonValue[] | { [key: string]: JsonValue | undefined };

const INDENT = '    ';

/** yajl's string escaping: quotes, backslash, the C escapes, other control bytes as \u00XX. */
function yajlString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20) out += '\\u00' + c.toString(16).toUpperCase().padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

function gen(v: JsonValue, depth: number, out: string[]): void {
  if (v === null) { out.push('null'); return; }
  switch (typeof v) {
    case 'string': out.push(yajlString(v)); return;
    case 'number': out.push(Number.isInteger(v) ? String(v) : String(v)); return;
    case 'bigint': out.push(v.toString()); return;
    case 'boolean': out.push(v ? 'true' : 'false'); return;
  }
  const pad = INDENT.repeat(depth + 1);
  if (Array.isArray(v)) {
    out.push('[\n');
    v.forEach((item, i) => {
      if (i > 0) out.push(',\n');
      out.push(pad);
      gen(item, depth + 1, out);
    });
    out.push('\n' + INDENT.repeat(depth) + ']');
    return;
  }
  out.push('{\n');
  let first = true;
  for (const [k, item] of Object.entries(v)) {
    if (item === undefined) continue;
    if (!first) out.push(',\n');
    first = false;
    out.push(pad + yajlString(k) + ': ');
    gen(item, depth + 1, out);
  }
  out.push('\n' + INDENT.repeat(depth) + '}');
}

/** One complete yajl document, ending with the newline yajl adds at the top level. */
export function formatYajl(v: JsonValue): string {
  const out: string[] = [];
  gen(v, 0, out);
  return out.join('') + '\n';
}

/** What `xl create -n`, `xl -N create` (stdout) and `xl create -d` (stderr) print. */
export function formatCreateDryRun(config: LibxlDomainConfig): string {
  return formatYajl(config as unknown as JsonValue);
}

export interface ListLongEntry {
  domid: number;
  config: LibxlDomainConfig;
}

/** The whole `xl list -l` output: a JSON array, then puts()'s own newline. */
export function formatListLong(entries: readonly ListLongEntry[]): string {
  const doc: JsonValue = entries.map(e => ({ domid: e.domid, config: e.config as unknown as JsonValue }));
  return formatYajl(doc) + '\n';
}

/** `xl -N block-attach` / `network-attach` output: `disk: {...}` / `vif: {...}` and a blank line. */
export function formatDeviceDryRun(label: 'disk' | 'vif' | 'pci', device: object): string {
  return `${label}: ${formatYajl(device as JsonValue)}\n`;
}

/** libxl_device_disk's fields in IDL order (the order libxl prints them). */
export const DISK_ORDER = ['backend_domid', 'backend_domname', 'pdev_path', 'vdev', 'backend', 'format', 'script',
  'removable', 'readwrite', 'is_cdrom', 'direct_io_safe', 'discard_enable', 'specification', 'colo_enable',
  'colo_restore_enable', 'colo_host', 'colo_port', 'colo_export', 'active_disk', 'hidden_disk', 'trusted'];

/** A copy of `obj` with the keys of `order` first, in that order, then any others as they were. */
export function inIdlOrder<T extends Record<string, unknown>>(obj: T, order: readonly string[]): T {
  const out: Record<string, unknown> = {};
  for (const k of order) if (k in obj) out[k] = obj[k];
  for (const k of Object.keys(obj)) if (!(k in out)) out[k] = obj[k];
  return out as T;
}
