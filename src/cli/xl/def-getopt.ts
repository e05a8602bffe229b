// xl's option handling around glibc's getopt_long: the global options before the command
// (getopt "+vftTN", diagnostics on, under the name xl was invoked as), and def_getopt, which each
// command's SWITCH_FOREACH_OPT runs with "h" and "--help" added, diagnostics off (xl prints its
// own), options ending at the first operand, and the minimum positional count checked after them.
import { getoptLong, type LongOption } from '../../formats/libc/getopt.ts';
import { CommandExit, type XlIo } from './io.ts';

export interface OptionSpec { short: string; long?: LongOption[] }

export interface ParsedArgs {
  /** Options in command-line order: [option letter or long name's val, argument]. */
  opts: [string, string | undefined][];
  positionals: string[];
}

/** Parse `argv` (the words after the command name); prints help/errors and throws CommandExit as xl would. */
export function parseCommandArgs(io: XlIo, argv: string[], spec: OptionSpec, minArgs: number, command: string, helpText: string): ParsedArgs {
  // argv[0] is the command name here; with opterr = 0 it never shows. glibc sets its ordering up
  // once, on the first call: main()'s "+vftTN" then resets only optind, so a command's options also
  // end at its first operand (`xl vcpu-set web -1` sets -1 vCPUs, `xl list web -l` lists two names).
  const r = getoptLong(command, argv, '+h' + spec.short, [...(spec.long ?? []), { name: 'help', hasArg: false, val: 'h' }]);
  const opts: ParsedArgs['opts'] = [];
  for (const o of r.opts) {
    if ('optopt' in o) {
      if (o.optopt === 'h') { io.out(helpText); throw new CommandExit(0); }
      io.err(`option \`${o.optopt}' not supported.\n`);
      throw new CommandExit(2);
    }
    if (o.opt === 'h') { io.out(helpText); throw new CommandExit(0); }
    opts.push([o.opt, o.arg]);
  }
  if (r.operands.length < minArgs) {
    io.err(`'xl ${command}' requires at least ${minArgs} argument${minArgs > 1 ? 's' : ''}.\n\n`);
    io.out(helpText);
    throw new CommandExit(2);
  }
  return { opts, positionals: r.operands };
}

/**
 * The global options. A bad one gets getopt's message (naming xl as invoked) and xl's own line,
 * exit 1, as main() in xl.c.
 */
export function parseGlobalOptions(io: XlIo, argv0: string, argv: string[]): { opts: string[]; rest: string[] } | { exit: number } {
  const r = getoptLong(argv0, argv, '+vftTN');
  const opts: string[] = [];
  for (const o of r.opts) {
    if ('message' in o) { io.err(`${o.message}unknown global option\n`); return { exit: 1 }; }
    opts.push(o.opt);
  }
  return { opts, rest: r.operands };
}
