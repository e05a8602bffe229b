// xentop's command line, parsed the way glibc's getopt_long parses "hVnxrvd:bi:f" with its long
// options: bundled short flags, attached or separate arguments, unique long-option prefixes,
// getopt's own error messages, and usage on stdout with exit 0 for any bad option (xentop treats
// getopt's '?' like -h). `--dashboard` is a xenlab extension matched only in full, so that it
// makes no real abbreviation (`--d` for `--delay`) ambiguous.

export interface XentopOptions {
  batch: boolean;
  /** Seconds between refreshes (atoi of -d; 0 refreshes without waiting). */
  delay: number;
  /** Refreshes before exiting; null = until interrupted. */
  iterations: number | null;
  networks: boolean;
  vbds: boolean;
  vcpus: boolean;
  repeatHeader: boolean;
  fullName: boolean;
  dashboard: boolean;
}

export type ParsedArgs =
  | { kind: 'run'; options: XentopOptions }
  | { kind: 'exit'; stdout: string; stderr: string; code: number };

const PROG = 'xentop';

export const USAGE = `Usage: ${PROG} [OPTION]
Displays ongoing information about xen vm resources 

-h, --help           display this help and exit
-V, --version        output version information and exit
-d, --delay=SECONDS  seconds between updates (default 3)
-n, --networks       output vif network data
-x, --vbds           output vbd block device data
-r, --repeat-header  repeat table header before each domain
-v, --vcpus          output vcpu data
-b, --batch\t     output in batch mode, no user input accepted
-i, --iterations     number of iterations before exiting
-f, --full-name      output the full domain name (not truncated)

Report bugs to <xen-devel@lists.xen.org>.
`;

export const VERSION = `xentop 1.0
Written by Judy Fischbach, David Hendricks, Josh Triplett

Copyright (C) 2005  International Business Machines  Corp
This is free software; see the source for copying conditions.There is NO
warranty; not even for MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.
`;

const LONG: [string, string, boolean][] = [
  ['help', 'h', false], ['version', 'V', false], ['networks', 'n', false], ['vbds', 'x', false],
  ['repeat-header', 'r', false], ['vcpus', 'v', false], ['delay', 'd', true], ['batch', 'b', false],
  ['iterations', 'i', true], ['full-name', 'f', false],
];
const SHORT_WITH_ARG = new Set(['d', 'i']);
const SHORT = new Set(['h', 'V', 'n', 'x', 'r', 'v', 'd', 'b', 'i', 'f']);

/** C's atoi: optional blanks and sign, then digits; anything else ends the number. */
export function atoi(s: string): number {
  const m = /^[\t\n\v\f\r ]*([+-]?\d+)/.exec(s);
  if (!m) return 0;
  const n = parseInt(m[1], 10);
  return Math.max(-2147483648, Math.min(2147483647, n));
}

export function parseArgs(argv: string[]): ParsedArgs {
  const o: XentopOptions = {
    batch: false, delay: 3, iterations: null, networks: false, vbds: false, vcpus: false,
    repeatHeader: false, fullName: false, dashboard: false,
  };
  const bad = (msg: string): ParsedArgs => ({ kind: 'exit', stdout: USAGE, stderr: `${PROG}: ${msg}\n`, code: 0 });
  const apply = (opt: string, arg?: string): ParsedArgs | null => {
    switch (opt) {
      case 'h': return { kind: 'exit', stdout: USAGE, stderr: '', code: 0 };
      case 'V': return { kind: 'exit', stdout: VERSION, stderr: '', code: 0 };
      case 'n': o.networks = true; break;
      case 'x': o.vbds = true; break;
      case 'r': o.repeatHeader = true; break;
      case 'v': o.vcpus = true; break;
      case 'd': o.delay = atoi(arg!); break;
      case 'b': o.batch = true; break;
      // `-i 0` counts down from 0 through unsigned wrap-around: effectively forever.
      case 'i': { const n = atoi(arg!); o.iterations = n === 0 ? null : n >>> 0; break; }
      case 'f': o.fullName = true; break;
    }
    return null;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') break;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const value = eq < 0 ? undefined : a.slice(eq + 1);
      if (name === 'dashboard' && value === undefined) { o.dashboard = true; continue; }
      const exact = LONG.find(([n]) => n === name);
      const matches = exact ? [exact] : LONG.filter(([n]) => n.startsWith(name));
      if (matches.length === 0) return bad(`unrecognized option '${a}'`);
      if (matches.length > 1) return bad(`option '--${name}' is ambiguous; possibilities:${matches.map(([n]) => ` '--${n}'`).join('')}`);
      const [long, short, hasArg] = matches[0];
      let arg = value;
      if (!hasArg && arg !== undefined) return bad(`option '--${long}' doesn't allow an argument`);
      if (hasArg && arg === undefined) {
        if (i + 1 >= argv.length) return bad(`option '--${long}' requires an argument`);
        arg = argv[++i];
      }
      const r = apply(short, arg);
      if (r) return r;
      continue;
    }
    if (!a.startsWith('-') || a === '-') continue; // getopt permutes operands away; xentop ignores them
    for (let j = 1; j < a.length; j++) {
      const c = a[j];
      if (!SHORT.has(c)) return bad(`invalid option -- '${c}'`);
      if (SHORT_WITH_ARG.has(c)) {
        let arg = a.slice(j + 1);
        if (!arg) {
          if (i + 1 >= argv.length) return bad(`option requires an argument -- '${c}'`);
          arg = argv[++i];
        }
        const r = apply(c, arg);
        if (r) return r;
        break;
      }
      const r = apply(c);
      if (r) return r;
    }
  }
  return { kind: 'run', options: o };
}
