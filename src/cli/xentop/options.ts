// xentop's command line: glibc's getopt_long over "hVnxrvd:bi:f" and its long options, and
// usage on stdout with exit 0 for any bad option (xentop treats getopt's '?' like -h). Usage and
// getopt's messages name the program as invoked. `--dashboard` is a xenlab extension matched only
// in full, taken out before getopt sees the line, so that it makes no real abbreviation (`--d`
// for `--delay`) ambiguous.
import { getoptLong, type LongOption } from '../../formats/libc/getopt.ts';
import { atoi } from '../../formats/libc/strtol.ts';

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

export const usage = (program: string): string => `Usage: ${program} [OPTION]
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

const LONG: LongOption[] = [
  { name: 'help', hasArg: false, val: 'h' }, { name: 'version', hasArg: false, val: 'V' },
  { name: 'networks', hasArg: false, val: 'n' }, { name: 'vbds', hasArg: false, val: 'x' },
  { name: 'repeat-header', hasArg: false, val: 'r' }, { name: 'vcpus', hasArg: false, val: 'v' },
  { name: 'delay', hasArg: true, val: 'd' }, { name: 'batch', hasArg: false, val: 'b' },
  { name: 'iterations', hasArg: true, val: 'i' }, { name: 'full-name', hasArg: false, val: 'f' },
];

/** `argv0`: the name xentop was invoked as. */
export function parseArgs(argv: string[], argv0 = 'xentop'): ParsedArgs {
  const o: XentopOptions = {
    batch: false, delay: 3, iterations: null, networks: false, vbds: false, vcpus: false,
    repeatHeader: false, fullName: false, dashboard: argv.includes('--dashboard'),
  };
  const help: ParsedArgs = { kind: 'exit', stdout: usage(argv0), stderr: '', code: 0 };
  const r = getoptLong(argv0, argv.filter(a => a !== '--dashboard'), 'hVnxrvd:bi:f', LONG);
  for (const item of r.opts) {
    if ('message' in item) return { ...help, stderr: item.message };
    const arg = item.arg ?? '';
    switch (item.opt) {
      case 'h': return help;
      case 'V': return { kind: 'exit', stdout: VERSION, stderr: '', code: 0 };
      case 'n': o.networks = true; break;
      case 'x': o.vbds = true; break;
      case 'r': o.repeatHeader = true; break;
      case 'v': o.vcpus = true; break;
      case 'd': o.delay = atoi(arg); break;
      case 'b': o.batch = true; break;
      // `-i 0` counts down from 0 through unsigned wrap-around: effectively forever.
      case 'i': { const n = atoi(arg); o.iterations = n === 0 ? null : n >>> 0; break; }
      case 'f': o.fullName = true; break;
    }
  }
  return { kind: 'run', options: o };
}
