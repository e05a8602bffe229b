// glibc's getopt_long (2.36), which every C tool we reproduce parses its command line with:
// arguments permuted so operands may come anywhere (unless the option string starts with '+'),
// `--` ending the options, clustered short options, attached or separate arguments, long options
// shortened to any prefix that picks one option, and glibc's diagnostics word for word.

export interface LongOption {
  name: string;
  hasArg: boolean;
  /** What getopt_long returns for it: a short option letter or any key the caller chooses. */
  val: string;
}

/** One getopt_long return: an option (with optarg), or '?' with optopt and the line glibc prints when opterr is set. */
export type GetoptItem =
  | { opt: string; arg?: string }
  | { opt: '?'; arg?: undefined; optopt: string; message: string };

export interface GetoptResult {
  /** In command-line order, errors included where they happened (glibc goes on after an error). */
  opts: GetoptItem[];
  /** The non-option arguments in order, as argv[optind..] after getopt_long returned -1. */
  operands: string[];
}

/**
 * Runs getopt_long to its end over `args` (argv without argv[0]). `argv0` is the name the
 * messages start with, as glibc takes it from argv[0]. An unrecognised or ambiguous long option has
 * optopt '\0', as in C.
 */
export function getoptLong(argv0: string, args: readonly string[], optstring: string, longopts: readonly LongOption[] = []): GetoptResult {
  const requireOrder = optstring.startsWith('+');
  const shorts = requireOrder ? optstring.slice(1) : optstring;
  const opts: GetoptItem[] = [];
  const operands: string[] = [];
  const fail = (optopt: string, message: string) => opts.push({ opt: '?', optopt, message: `${argv0}: ${message}\n` });

  let i = 0;
  while (i < args.length) {
    const a = args[i++]!;
    if (a === '--') { operands.push(...args.slice(i)); break; }
    if (a[0] !== '-' || a.length === 1) {
      if (requireOrder) { operands.push(...args.slice(i - 1)); break; }
      operands.push(a);
      continue;
    }
    if (a[1] === '-') {
      i = longOption(a.slice(2), args, i, longopts, opts, fail);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      const at = c === ':' || c === ';' ? -1 : shorts.indexOf(c);
      if (at < 0) { fail(c, `invalid option -- '${c}'`); continue; }
      if (shorts[at + 1] !== ':') { opts.push({ opt: c }); continue; }
      if (j + 1 < a.length) opts.push({ opt: c, arg: a.slice(j + 1) });
      else if (i < args.length) opts.push({ opt: c, arg: args[i++]! });
      else fail(c, `option requires an argument -- '${c}'`);
      break;
    }
  }
  return { opts, operands };
}

/** `--text` (text may hold `=value`); returns the index of the next argument. */
function longOption(text: string, args: readonly string[], i: number, longopts: readonly LongOption[], opts: GetoptItem[],
  fail: (optopt: string, message: string) => void): number {
  const eq = text.indexOf('=');
  const name = eq < 0 ? text : text.slice(0, eq);
  let found = longopts.find(l => l.name === name);
  if (!found) {
    // The first prefix match wins unless a later one differs from it in argument or value.
    const prefixed = longopts.filter(l => l.name.startsWith(name));
    found = prefixed[0];
    const differing = prefixed.filter(l => l.hasArg !== found!.hasArg || l.val !== found!.val);
    if (differing.length > 0) {
      const possible = prefixed.filter(l => l === found || differing.includes(l));
      fail('\0', `option '--${text}' is ambiguous; possibilities:${possible.map(l => ` '--${l.name}'`).join('')}`);
      return i;
    }
  }
  if (!found) { fail('\0', `unrecognized option '--${text}'`); return i; }
  if (eq >= 0) {
    if (found.hasArg) opts.push({ opt: found.val, arg: text.slice(eq + 1) });
    else fail(found.val, `option '--${found.name}' doesn't allow an argument`);
    return i;
  }
  if (!found.hasArg) opts.push({ opt: found.val });
  else if (i < args.length) opts.push({ opt: found.val, arg: args[i++]! });
  else fail(found.val, `option '--${found.name}' requires an argument`);
  return i;
}

/** The message of the first error, for a program that prints it and its usage whatever else it was given. */
export function firstError(r: GetoptResult): string | undefined {
  for (const o of r.opts) if ('message' in o) return o.message;
  return undefined;
}
