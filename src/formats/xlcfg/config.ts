// A parsed xl.cfg and the typed getters of libxlutil (xlu_cfg_get_*), with their warnings.
// Warnings go to a caller-supplied sink so that they interleave with the caller's own messages
// exactly as libxlutil's and xl's writes to stderr do.

import { parseText } from './parser.ts';
import type { XlSetting, XlValue } from './types.ts';

export type { XlSetting, XlValue } from './types.ts';

import { LONG_MAX, LONG_MIN, strtol } from '../libc/strtol.ts';

export { LONG_MAX, LONG_MIN };

/** Lookup failures of the bounded-number getter, named after libxlutil's errno values. */
export type GetError = 'ESRCH' | 'EINVAL' | 'ERANGE';

export class XlCfg {
  constructor(
    /** the name used in messages: the file as given, `command line`, `<saved>`... */
    readonly source: string,
    /** the text that was parsed (file contents plus any appended overrides) */
    readonly text: string,
    readonly settings: readonly XlSetting[],
  ) {}

  /** The setting in force for `name`: the last assignment wins. */
  find(name: string): XlSetting | undefined {
    for (let i = this.settings.length - 1; i >= 0; i--) if (this.settings[i].name === name) return this.settings[i];
    return undefined;
  }

  has(name: string): boolean { return this.find(name) !== undefined; }

  /** Plain-object view (name → string | nested arrays), handy for tests and debugging. */
  toObject(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const s of this.settings) out[s.name] = plain(s.value);
    return out;
  }
}

function plain(v: XlValue): unknown {
  return v.kind === 'string' ? v.value : v.items.map(plain);
}

export type ParseResult = { cfg: XlCfg } | { errors: string[] };

/** What xl prints after a failed parse (libxlutil returns EINVAL for every syntax problem). */
export const PARSE_FAILURE_MESSAGE = 'Failed to parse config: Invalid argument';

/** Parse an xl.cfg text. `filename` is the source name used in messages. */
export function parseXlCfg(text: string, filename: string): ParseResult {
  const r = parseText(text, filename);
  if (r.failed) return { errors: r.errors };
  return { cfg: new XlCfg(filename, text, r.settings) };
}

/**
 * The text xl create actually parses: the file, a newline, then each `KEY=VALUE` argument
 * followed by a newline. Overrides therefore win (last assignment), `+=` extends the file's
 * value, and an error in an override is reported with a line number past the file's end.
 */
export function composeConfigText(fileText: string, overrides: readonly string[]): string {
  if (overrides.length === 0) return fileText;
  return fileText + '\n' + overrides.map(o => o + '\n').join('');
}

/** Re-parse `cfg` with command-line overrides appended, as xl create does. */
export function applyOverrides(cfg: XlCfg, overrides: readonly string[]): ParseResult {
  return parseXlCfg(composeConfigText(cfg.text, overrides), cfg.source);
}

// ---- getters -------------------------------------------------------------------------------

function findAtom(cfg: XlCfg, name: string, sink: string[], dontWarn: boolean): XlSetting | GetError {
  const set = cfg.find(name);
  if (!set) return 'ESRCH';
  if (set.value.kind !== 'string') {
    if (!dontWarn) sink.push(`${cfg.source}:${set.line}: warning: parameter \`${name}' is a list but should be a single value`);
    return 'EINVAL';
  }
  return set;
}

/** xlu_cfg_get_string; undefined when absent or not a single value (after its warning). */
export function getString(cfg: XlCfg, name: string, sink: string[], dontWarn = false): string | undefined {
  const set = findAtom(cfg, name, sink, dontWarn);
  if (typeof set === 'string') return undefined;
  return (set.value as { value: string }).value;
}

export function getBoundedLong(
  cfg: XlCfg, name: string, min: bigint, max: bigint, sink: string[], dontWarn = false,
): bigint | GetError {
  const set = findAtom(cfg, name, sink, dontWarn);
  if (typeof set === 'string') return set;
  const src = cfg.source;
  if (set.op === '+=') {
    if (!dontWarn) sink.push(`${src}:${set.line}: warning: can't use += with numbers for parameter \`${name}'`);
    return 'EINVAL';
  }
  const text = (set.value as { value: string }).value;
  const r = strtol(text);
  if (r.erange) {
    if (!dontWarn) sink.push(`${src}:${set.line}: warning: parameter \`${name}' could not be parsed as a number: Numerical result out of range`);
    return 'ERANGE';
  }
  if (r.end !== text.length || r.end === 0) {
    if (!dontWarn) sink.push(`${src}:${set.line}: warning: parameter \`${name}' is not a valid number`);
    return 'EINVAL';
  }
  if (r.value < min) {
    if (!dontWarn) sink.push(`${src}:${set.line}: warning: value \`${r.value}' is smaller than minimum bound '${min}'`);
    return 'EINVAL';
  }
  if (r.value > max) {
    if (!dontWarn) sink.push(`${src}:${set.line}: warning: value \`${r.value}' is greater than maximum bound '${max}'`);
    return 'EINVAL';
  }
  return r.value;
}

/** xlu_cfg_get_long; the result is a JS number (configs never need more than 2^53). */
export function getLong(cfg: XlCfg, name: string, sink: string[], dontWarn = false): number | undefined {
  const v = getBoundedLong(cfg, name, LONG_MIN, LONG_MAX, sink, dontWarn);
  return typeof v === 'bigint' ? Number(v) : undefined;
}

export function getLongBig(cfg: XlCfg, name: string, sink: string[], dontWarn = false): bigint | undefined {
  const v = getBoundedLong(cfg, name, LONG_MIN, LONG_MAX, sink, dontWarn);
  return typeof v === 'bigint' ? v : undefined;
}

/** xlu_cfg_get_defbool: a number, 0 = false. */
export function getDefbool(cfg: XlCfg, name: string, sink: string[], dontWarn = false): boolean | undefined {
  const v = getBoundedLong(cfg, name, LONG_MIN, LONG_MAX, sink, dontWarn);
  return typeof v === 'bigint' ? v !== 0n : undefined;
}

/** xlu_cfg_get_list: the items of a list setting. */
export function getList(cfg: XlCfg, name: string, sink: string[], dontWarn = false): XlValue[] | undefined {
  const set = cfg.find(name);
  if (!set) return undefined;
  if (set.value.kind !== 'list') {
    if (!dontWarn) sink.push(`${cfg.source}:${set.line}: warning: parameter \`${name}' is a single value but should be a list`);
    return undefined;
  }
  return set.value.items;
}

/** xlu_cfg_get_listitem: a string item, or null for a nested list or past the end. */
export function listItem(list: readonly XlValue[], i: number): string | null {
  const v = list[i];
  return v && v.kind === 'string' ? v.value : null;
}

/** xlu_cfg_get_list_as_string_list: every item, null for nested lists. */
export function getStringList(cfg: XlCfg, name: string, sink: string[], dontWarn = false): (string | null)[] | undefined {
  const l = getList(cfg, name, sink, dontWarn);
  if (!l) return undefined;
  return l.map((_, i) => listItem(l, i));
}
