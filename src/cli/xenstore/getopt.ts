// GNU getopt_long as the xenstore tools see it: permuted arguments, clustered short options,
// unambiguous long-option prefixes, and glibc's diagnostics. A bad option yields '?' carrying
// the message getopt would print at that point; the tools print it and carry on.

export interface LongOpt { name: string; hasArg: boolean; val: string }
export interface GetoptResult { opts: { c: string; arg?: string; warning?: string }[]; operands: string[] }

export function getoptLong(prog: string, argv: string[], shortSpec: string, longs: LongOpt[]): GetoptResult {
  const opts: GetoptResult['opts'] = [];
  const warn = (warning: string): void => { opts.push({ c: '?', warning }); };
  const operands: string[] = [];
  const takesArg = (c: string): boolean | undefined => {
    const i = shortSpec.indexOf(c);
    return i < 0 || c === ':' ? undefined : shortSpec[i + 1] === ':';
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { operands.push(...argv.slice(i + 1)); break; }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const exact = longs.find(l => l.name === name);
      const matches = exact ? [exact] : longs.filter(l => l.name.startsWith(name));
      if (matches.length === 0) { warn(`${prog}: unrecognized option '${a}'`); continue; }
      if (matches.length > 1) {
        warn(`${prog}: option '${a}' is ambiguous; possibilities:${matches.map(m => ` '--${m.name}'`).join('')}`);
        continue;
      }
      const l = matches[0];
      if (!l.hasArg && eq >= 0) { warn(`${prog}: option '--${l.name}' doesn't allow an argument`); continue; }
      if (l.hasArg) {
        if (eq >= 0) opts.push({ c: l.val, arg: a.slice(eq + 1) });
        else if (i + 1 < argv.length) opts.push({ c: l.val, arg: argv[++i] });
        else { warn(`${prog}: option '--${l.name}' requires an argument`); }
      } else opts.push({ c: l.val });
      continue;
    }
    if (a.length > 1 && a[0] === '-') {
      for (let j = 1; j < a.length; j++) {
        const c = a[j];
        const needs = takesArg(c);
        if (needs === undefined) { warn(`${prog}: invalid option -- '${c}'`); continue; }
        if (!needs) { opts.push({ c }); continue; }
        if (j + 1 < a.length) opts.push({ c, arg: a.slice(j + 1) });
        else if (i + 1 < argv.length) opts.push({ c, arg: argv[++i] });
        else { warn(`${prog}: option requires an argument -- '${c}'`); }
        break;
      }
      continue;
    }
    operands.push(a);
  }
  return { opts, operands };
}
