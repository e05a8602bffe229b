// free(1) of procps-ng 4.0.2 (Debian 12) over the guest's meminfo: the same options, layout,
// unit scaling and error texts. -s/-c repeat it: the shell runs those over simulated time.
import { firstError, getoptLong, type LongOption } from '../formats/libc/getopt.ts';
import { formatFixed } from '../formats/libc/printf.ts';
import { failure, output, type CommandResult } from './command.ts';
import type { Meminfo } from './meminfo.ts';

const USAGE = `
Usage:
 free [options]

Options:
 -b, --bytes         show output in bytes
     --kilo          show output in kilobytes
     --mega          show output in megabytes
     --giga          show output in gigabytes
     --tera          show output in terabytes
     --peta          show output in petabytes
 -k, --kibi          show output in kibibytes
 -m, --mebi          show output in mebibytes
 -g, --gibi          show output in gibibytes
     --tebi          show output in tebibytes
     --pebi          show output in pebibytes
 -h, --human         show human-readable output
     --si            use powers of 1000 not 1024
 -l, --lohi          show detailed low and high memory statistics
 -t, --total         show total for RAM + swap
 -v, --committed     show committed memory and commit limit
 -s N, --seconds N   repeat printing every N seconds
 -c N, --count N     repeat printing N times, then exit
 -w, --wide          wide output

     --help     display this help and exit
 -V, --version  output version information and exit

For more details see free(1).
`;

const SHORT = 'bkmghltvc:ws:V';
const LONG: LongOption[] = [
  { name: 'bytes', hasArg: false, val: 'b' }, { name: 'kilo', hasArg: false, val: 'kilo' },
  { name: 'mega', hasArg: false, val: 'mega' }, { name: 'giga', hasArg: false, val: 'giga' },
  { name: 'tera', hasArg: false, val: 'tera' }, { name: 'peta', hasArg: false, val: 'peta' },
  { name: 'kibi', hasArg: false, val: 'k' }, { name: 'mebi', hasArg: false, val: 'm' },
  { name: 'gibi', hasArg: false, val: 'g' }, { name: 'tebi', hasArg: false, val: 'tebi' },
  { name: 'pebi', hasArg: false, val: 'pebi' }, { name: 'human', hasArg: false, val: 'h' },
  { name: 'si', hasArg: false, val: 'si' }, { name: 'lohi', hasArg: false, val: 'l' },
  { name: 'total', hasArg: false, val: 't' }, { name: 'committed', hasArg: false, val: 'v' },
  { name: 'seconds', hasArg: true, val: 's' }, { name: 'count', hasArg: true, val: 'c' },
  { name: 'wide', hasArg: false, val: 'w' }, { name: 'help', hasArg: false, val: 'help' },
  { name: 'version', hasArg: false, val: 'V' },
];

/** Unit options: the power of the base they show (1 = bytes, 2 = kilo, ...) and whether SI. */
const UNITS: Record<string, [exponent: number, si: boolean]> = {
  b: [1, false], k: [2, false], m: [3, false], g: [4, false], tebi: [5, false], pebi: [6, false],
  kilo: [2, true], mega: [3, true], giga: [4, true], tera: [5, true], peta: [6, true],
};

interface Scale { exponent: number; si: boolean; human: boolean }

/** scale_size(): a KiB count in the chosen unit, or in the shortest human form that fits. */
export function scaleSize(kb: number, s: Scale): string {
  const base = s.si ? 1000 : 1024;
  const bytes = kb * 1024;
  if (!s.human) {
    if (s.exponent === 0) return String(Math.floor(bytes / base));
    if (s.exponent === 1) return String(bytes);
    return String(Math.trunc(bytes / base ** (s.exponent - 1)));
  }
  if (`${bytes}B`.length <= 4) return `${bytes}B`;
  const up = 'BKMGTP';
  let last = '';
  for (let i = 1; i < up.length; i++) {
    const scaled = bytes / base ** i;
    const suffix = s.si ? up[i]! : `${up[i]}i`;
    const fit = s.si ? 4 : 5;
    last = `${formatFixed(Math.fround(scaled), 1)}${suffix}`;
    if (last.length <= fit) return last;
    last = `${Math.trunc(scaled)}${suffix}`;
    if (last.length <= fit) return last;
  }
  return last;
}

/** A parsed command line: how to print the table, and how often (-s seconds, -c times). */
export interface FreeRun { table(m: Meminfo): string; intervalSec: number | null; count: number | null }

const STRTOD = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const STRTOL = /^\s*[+-]?\d+$/;

export function parseFree(argv: string[]): { result: CommandResult } | { run: FreeRun } {
  const p = getoptLong('free', argv, SHORT, LONG);
  const bad = firstError(p);
  if (bad) return { result: failure(`${bad}${USAGE}`) };
  const scale: Scale = { exponent: 0, si: false, human: false };
  const flags = new Set<string>();
  let unitSet = false, intervalSec: number | null = null, count: number | null = null;
  for (const { opt: key, arg = '' } of p.opts) {
    const unit = UNITS[key];
    if (unit) {
      if (unitSet) return { result: failure("free: Multiple unit options don't make sense.\n") };
      unitSet = true;
      scale.exponent = unit[0];
      if (unit[1]) scale.si = true;
    } else if (key === 'h') scale.human = true;
    else if (key === 'si') scale.si = true;
    else if (key === 'help') return { result: output(USAGE) };
    else if (key === 'V') return { result: output('free from procps-ng 4.0.2\n') };
    else if (key === 's') {
      if (!STRTOD.test(arg)) return { result: failure(`free: seconds argument failed: '${arg}': Invalid argument\n`) };
      // Kept in whole microseconds, as free does.
      const us = Math.trunc(Number(arg) * 1e6);
      if (us < 1) return { result: failure(`free: seconds argument \`${arg}' is not positive number\n`) };
      intervalSec = us / 1e6;
    } else if (key === 'c') {
      if (!STRTOL.test(arg)) return { result: failure(`free: failed to parse count argument: '${arg}'\n`) };
      count = Number(arg);
      if (count < 1) return { result: failure(`free: failed to parse count argument: '${arg}': Numerical result out of range\n`) };
    } else flags.add(key);
  }
  if (p.operands.length) return { result: failure(USAGE) };
  if (count !== null && intervalSec === null) intervalSec = 1;
  return { run: { table: m => table(m, scale, flags), intervalSec, count } };
}

/** One run of free: the table once (a repeating one is the shell's to continue). */
export function free(argv: string[], m: Meminfo): CommandResult {
  const p = parseFree(argv);
  return 'result' in p ? p.result : output(p.run.table(m));
}

function table(m: Meminfo, scale: Scale, flags: Set<string>): string {
  const wide = flags.has('w');
  // Columns are " %11s": a wider number pushes the rest of the line right.
  const cell = (text: string) => ' ' + text.padStart(11);
  const row = (label: string, kbs: number[]) => label.padEnd(8) + kbs.map(kb => cell(scaleSize(kb, scale))).join('') + '\n';
  const cachedAll = m.Cached + m.SReclaimable;
  const used = Math.max(0, m.MemTotal - m.MemAvailable);
  const swapUsed = m.SwapTotal - m.SwapFree;
  const heads = ['total', 'used', 'free', 'shared', ...(wide ? ['buffers', 'cache'] : ['buff/cache']), 'available'];
  let text = ' '.repeat(8) + heads.map(cell).join('') + '\n';
  text += row('Mem:', [m.MemTotal, used, m.MemFree, m.Shmem, ...(wide ? [m.Buffers, cachedAll] : [m.Buffers + cachedAll]), m.MemAvailable]);
  // x86-64 has no high memory: low memory is all of it.
  if (flags.has('l')) text += row('Low:', [m.MemTotal, m.MemTotal - m.MemFree, m.MemFree]) + row('High:', [0, 0, 0]);
  text += row('Swap:', [m.SwapTotal, swapUsed, m.SwapFree]);
  if (flags.has('t')) text += row('Total:', [m.MemTotal + m.SwapTotal, used + swapUsed, m.MemFree + m.SwapFree]);
  if (flags.has('v')) text += row('Comm:', [m.CommitLimit, m.Committed_AS, m.CommitLimit - m.Committed_AS]);
  return text;
}
