// `xl list -l`: the stored configurations as one yajl-beautified JSON array, printed with puts()
// (so the output ends with an empty line). Loaded only for -l.
import type { DomainConfigEntry } from '../../protocol/domain.ts';

/** yajl_gen with beautify: 4-space indent, `"key": value`, empty containers as `{` blank line `}`. */
export function yajlBeautify(v: unknown, indent = ''): string {
  const inner = indent + '    ';
  if (Array.isArray(v)) {
    if (v.length === 0) return `[\n\n${indent}]`;
    return `[\n${v.map(x => inner + yajlBeautify(x, inner)).join(',\n')}\n${indent}]`;
  }
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return `{\n\n${indent}}`;
    return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${yajlBeautify(x, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export function formatDomainConfigList(entries: DomainConfigEntry[]): string {
  return yajlBeautify(entries.map(e => ({ domid: e.domid, config: e.config }))) + '\n\n';
}
