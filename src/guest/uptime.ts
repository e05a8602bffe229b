// uptime(1) of procps-ng 4.0.2 (Debian 12): the time of day, how long the guest has been up,
// its logged-in users and load averages, or the -p and -s forms; and the load averages the
// guest kernel keeps (/proc/loadavg).
import { firstError, getoptLong } from '../formats/libc/getopt.ts';
import { failure, output, type CommandResult } from './command.ts';

const USAGE = `
Usage:
 uptime [options]

Options:
 -p, --pretty   show uptime in pretty format
 -h, --help     display this help and exit
 -s, --since    system up since
 -V, --version  output version information and exit

For more details see uptime(1).
`;

export interface UptimeView { uptimeSec: number; wallMs: number; users: number; loadavg: [number, number, number] }

/**
 * Linux's load averages after `uptimeSec` with `runnable` tasks wanting a CPU all along: every
 * 5 s each average moves towards the count by 1 - exp(-5/period) (periods 1, 5 and 15 min).
 */
export function loadavg(runnable: number, uptimeSec: number): [number, number, number] {
  const samples = Math.floor(uptimeSec / 5);
  const avg = (periodSec: number) => runnable * (1 - Math.exp((-5 * samples) / periodSec));
  return [avg(60), avg(300), avg(900)];
}

/**
 * An average as /proc/loadavg shows it: Linux keeps it in 11-bit fixed point and prints two
 * decimals (adding 1/200 to round); uptime reads that and prints it back unchanged.
 */
export function kernelLoad(x: number): string {
  const f = Math.floor(x * 2048) + 10;
  return `${Math.floor(f / 2048)}.${two(Math.floor(((f % 2048) * 100) / 2048))}`;
}

const two = (n: number) => String(n).padStart(2, '0');
const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** "up 2 days,  7:33" / "up 1 day, 0 min" / "up 59 min", as 4.0.2's sprint_uptime prints it. */
function upShort(sec: number): string {
  const days = Math.floor(sec / 86400);
  const minutes = Math.floor(sec / 60) % 60, hours = Math.floor(sec / 3600) % 24;
  return (days ? `${plural(days, 'day')}, ` : '') + (hours ? `${String(hours).padStart(2)}:${two(minutes)}` : `${minutes} min`);
}

/** -p: the larger units only when strictly exceeded, minutes always (of the unrounded seconds). */
function upPretty(sec: number): string {
  const parts: string[] = [];
  for (const [unit, len] of [['decade', 315360000], ['year', 31536000], ['week', 604800], ['day', 86400], ['hour', 3600]] as const) {
    if (sec > len) { const n = Math.floor(sec / len); sec -= n * len; parts.push(plural(n, unit)); }
  }
  parts.push(plural(sec > 60 ? Math.floor(sec / 60) : 0, 'minute'));
  return 'up ' + parts.join(', ');
}

/** The guest's clock is UTC. */
const clock = (ms: number) => { const d = new Date(ms); return `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`; };

export function uptime(argv: string[], v: UptimeView): CommandResult {
  const p = getoptLong('uptime', argv, 'phsV', [
    { name: 'pretty', hasArg: false, val: 'p' }, { name: 'help', hasArg: false, val: 'h' },
    { name: 'since', hasArg: false, val: 's' }, { name: 'version', hasArg: false, val: 'V' },
  ]);
  const bad = firstError(p);
  if (bad) return failure(`${bad}${USAGE}`);
  const keys = p.opts.map(o => o.opt);
  for (const k of keys) {
    if (k === 'h') return output(USAGE);
    if (k === 'V') return output('uptime from procps-ng 4.0.2\n');
  }
  if (p.operands.length) return failure(USAGE);
  if (keys.includes('s')) {
    const d = new Date(Math.floor((v.wallMs - v.uptimeSec * 1000) / 1000) * 1000);
    return output(`${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${clock(d.getTime())}\n`);
  }
  if (keys.includes('p')) return output(upPretty(v.uptimeSec) + '\n');
  const users = `${String(v.users).padStart(2)} ${v.users > 1 ? 'users' : 'user'}`;
  const load = v.loadavg.map(kernelLoad).join(', ');
  return output(` ${clock(v.wallMs)} up ${upShort(Math.floor(v.uptimeSec))}, ${users},  load average: ${load}\n`);
}
