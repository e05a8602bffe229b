// Option parsing of the guest's commands as glibc's getopt_long does it: short options cluster
// (-mt), long options may be shortened to any unambiguous prefix, options and operands mix, and
// `--` ends the options. Errors are glibc's texts; each command adds its own follow-up.

export interface OptionTable {
  /** Short options, getopt style ("s:" takes an argument). */
  short: string;
  /** Long options in the program's table order: name → the short letter (or key) it stands for. */
  long: [name: string, key: string, hasArg?: boolean][];
}

export type Parsed =
  | { ok: true; opts: { key: string; arg?: string }[]; operands: string[] }
  | { ok: false; error: string };

export function getoptLong(prog: string, argv: string[], t: OptionTable): Parsed {
  const opts: { key: string; arg?: string }[] = [];
  const operands: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { operands.push(...argv.slice(i + 1)); break; }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const exact = t.long.find(l => l[0] === name);
      const found = exact ? [exact] : t.long.filter(l => l[0].startsWith(name));
      const distinct = new Set(found.map(l => `${l[1]}/${!!l[2]}`));
      if (found.length === 0) return { ok: false, error: `${prog}: unrecognized option '${a}'` };
      if (distinct.size > 1) return { ok: false, error: `${prog}: option '${a}' is ambiguous; possibilities:${found.map(l => ` '--${l[0]}'`).join('')}` };
      const [full, key, hasArg] = found[0]!;
      if (!hasArg) {
        if (eq >= 0) return { ok: false, error: `${prog}: option '--${full}' doesn't allow an argument` };
        opts.push({ key });
      } else if (eq >= 0) opts.push({ key, arg: a.slice(eq + 1) });
      else if (i + 1 < argv.length) opts.push({ key, arg: argv[++i]! });
      else return { ok: false, error: `${prog}: option '--${full}' requires an argument` };
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j]!;
        const at = c === ':' ? -1 : t.short.indexOf(c);
        if (at < 0) return { ok: false, error: `${prog}: invalid option -- '${c}'` };
        if (t.short[at + 1] !== ':') { opts.push({ key: c }); continue; }
        if (j + 1 < a.length) opts.push({ key: c, arg: a.slice(j + 1) });
        else if (i + 1 < argv.length) opts.push({ key: c, arg: argv[++i]! });
        else return { ok: false, error: `${prog}: option requires an argument -- '${c}'` };
        break;
      }
      continue;
    }
    operands.push(a);
  }
  return { ok: true, opts, operands };
}
