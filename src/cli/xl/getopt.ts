// Per-command option parsing as xl's SWITCH_FOREACH_OPT does it: GNU getopt_long with "h" and
// "--help" added, argument permutation, opterr off (xl prints its own messages), and the minimum
// positional count checked after the options.
import { CommandExit, type XlIo } from './io.ts';

export interface LongOption { name: string; hasArg: boolean; val: string }
export interface OptionSpec { short: string; long?: LongOption[] }

export interface ParsedArgs {
  /** Options in command-line order: [option letter or long name's val, argument]. */
  opts: [string, string | undefined][];
  positionals: string[];
}

/** Parse `argv` (the words after the command name); prints help/errors and throws CommandExit as xl would. */
export function parseCommandArgs(io: XlIo, argv: string[], spec: OptionSpec, minArgs: number, command: string, helpText: string): ParsedArgs {
  const r = getoptLong(argv, 'h' + spec.short, [...(spec.long ?? []), { name: 'help', hasArg: false, val: 'h' }]);
  for (const [opt, arg] of r.opts) {
    if (opt === 'h') { io.out(helpText); throw new CommandExit(0); }
    if (opt === '?') { io.err(`option \`${arg}' not supported.\n`); throw new CommandExit(2); }
  }
  if (r.positionals.length < minArgs) {
    io.err(`'xl ${command}' requires at least ${minArgs} argument${minArgs > 1 ? 's' : ''}.\n\n`);
    io.out(helpText);
    throw new CommandExit(2);
  }
  return r;
}

/**
 * GNU getopt_long semantics with opterr = 0. An error stops parsing at that point and is reported
 * as the option '?' with the offending letter (optopt) as its argument; an unknown long option has
 * optopt 0, which xl prints as a NUL character.
 */
export function getoptLong(argv: string[], optstring: string, longs: LongOption[]): ParsedArgs {
  const opts: [string, string | undefined][] = [];
  const positionals: string[] = [];
  const takesArg = (c: string) => { const i = optstring.indexOf(c); return i >= 0 && optstring[i + 1] === ':'; };
  let i = 0;
  const fail = (optopt: string) => { opts.push(['?', optopt]); };
  while (i < argv.length) {
    const a = argv[i++];
    if (a === '--') { positionals.push(...argv.slice(i)); break; }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const exact = longs.find(l => l.name === name);
      const prefixed = longs.filter(l => l.name.startsWith(name));
      const distinct = new Set(prefixed.map(l => `${l.val}/${l.hasArg}`));
      const match = exact ?? (distinct.size === 1 ? prefixed[0] : undefined);
      if (!match) { fail('\0'); return { opts, positionals }; }
      if (match.hasArg) {
        if (eq >= 0) opts.push([match.val, a.slice(eq + 1)]);
        else if (i < argv.length) opts.push([match.val, argv[i++]]);
        else { fail(match.val); return { opts, positionals }; }
      } else {
        if (eq >= 0) { fail(match.val); return { opts, positionals }; }
        opts.push([match.val, undefined]);
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j];
        if (c === ':' || !optstring.includes(c)) { fail(c); return { opts, positionals }; }
        if (takesArg(c)) {
          if (j + 1 < a.length) opts.push([c, a.slice(j + 1)]);
          else if (i < argv.length) opts.push([c, argv[i++]]);
          else { fail(c); return { opts, positionals }; }
          break;
        }
        opts.push([c, undefined]);
      }
      continue;
    }
    positionals.push(a);
  }
  return { opts, positionals };
}

/**
 * The global options: getopt(argc, argv, "+vftTN"), which stops at the first non-option.
 * Returns the index of the subcommand, or the bad option letter.
 */
export function getoptGlobal(argv: string[]): { opts: string[]; rest: string[] } | { bad: string } {
  const opts: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { i++; break; }
    if (!a.startsWith('-') || a === '-') break;
    for (const c of a.slice(1)) {
      if (!'vftTN'.includes(c)) return { bad: c };
      opts.push(c);
    }
  }
  return { opts, rest: argv.slice(i) };
}
