// xentrace's command line as its parse_args() reads it: GNU getopt_long over
// "t:s:c:e:S:r:T:M:DxX?V", strtol-style numbers, event class names ORed together. A bad option
// or number prints the usage (on stdout) and exits 1, as the real tool does.

import { getoptLong, type LongOption } from '../../formats/libc/getopt.ts';
import { strtol } from '../../formats/libc/strtol.ts';

export const VERSION = 'xentrace v1.2';
const BUG_ADDRESS = '<mark.a.williamson@intel.com>';

export const USAGE = `Usage: xentrace [OPTION...] [output file]
Tool to capture Xen trace buffer data

  -c, --cpu-mask=c        Set cpu-mask, using either hex, CPU ranges, or
                          for all CPUs
  -e, --evt-mask=e        Set evt-mask
  -s, --poll-sleep=p      Set sleep time, p, in milliseconds between
                          polling the trace buffer for new data
                          (default 100).
  -S, --trace-buf-size=N  Set trace buffer size in pages (default 32).
                          N.B. that the trace buffer cannot be resized.
                          if it has already been set this boot cycle,
                          this argument will be ignored.
  -D  --discard-buffers   Discard all records currently in the trace
                          buffers before beginning.
  -x  --dont-disable-tracing
                          By default, xentrace will disable tracing when
                          it exits. Selecting this option will tell it to
                          keep tracing on.  Traces will be collected in
                          Xen's trace buffers until they become full.
  -X  --start-disabled    Setup trace buffers and listen, but don't enable
                          tracing. (Useful if tracing will be enabled by
                          else.)
  -T  --time-interval=s   Run xentrace for s seconds and quit.
  -?, --help              Show this message
  -V, --version           Print program version
  -M, --memory-buffer=b   Copy trace records to a circular memory buffer.
                          Dump to file on exit.
  -r  --reserve-disk-space=n Before writing trace records to disk, check to see
                          that after the write there will be at least n space
                          left on the disk.

This tool is used to capture trace buffer data from Xen. The
data is output in a binary format, in the following order:

  CPU(uint) TSC(uint64_t) EVENT(uint32_t) D1 D2 D3 D4 D5 (all uint32_t)

The output should be parsed using the tool xentrace_format,
which can produce human-readable output in ASCII format.

Report bugs to ${BUG_ADDRESS}
`;

// Event classes (public/trace.h) for -e names.
const CLASSES: Record<string, number> = { gen: 0x0001f000, sched: 0x0002f000, dom0op: 0x0004f000, hvm: 0x0008f000, all: 0x0ffff000 };

export interface XentraceOptions {
  outfile: string;
  pollMs: number;
  /** 0 = leave the hypervisor's mask alone. */
  evtMask: number;
  cpuMask: string | undefined;
  /** Pages per CPU; 0 = the default. */
  tbufSize: number;
  diskReserveMb: number;
  timeoutS: number;
  memoryBuffer: number;
  discard: boolean;
  disableTracing: boolean;
  startDisabled: boolean;
}

/** What main() should do instead of tracing: print and exit. */
export class OptionsExit extends Error {
  constructor(readonly code: number, readonly stdout = '', readonly stderr = '') { super(`exit ${code}`); }
}

const usage = (stderr = ''): OptionsExit => new OptionsExit(1, USAGE, stderr);

const ERANGE = (arg: string): OptionsExit => usage(`Invalid option argument: ${arg}\nError: Numerical result out of range\n\n`);

/** argtol(): the whole argument must be a number. */
export function argtol(arg: string): number {
  const { value, end, erange } = strtol(arg);
  if (erange) throw ERANGE(arg);
  if (end === 0 || end !== arg.length) throw usage(`Invalid option argument: ${arg}\n\n`);
  return Number(value);
}

/** sargtol(): a number with an optional k/K/M suffix (what follows the suffix is ignored). */
function sargtol(arg: string): number {
  const { value, end, erange } = strtol(arg);
  if (erange) throw ERANGE(arg);
  if (end === 0) throw usage(`Invalid option argument: ${arg}\n\n`);
  const suffix = arg[end];
  if (suffix === undefined) return Number(value);
  if (suffix === 'M') return Number(value) * 1024 * 1024;
  if (suffix === 'K' || suffix === 'k') return Number(value) * 1024;
  throw new OptionsExit(1, '', `Unknown suffix ${suffix}\n`);
}

/** An unsigned long option given as a negative number wraps, as in C. */
const ulong = (n: number): number => (n < 0 ? Number(BigInt.asUintN(64, BigInt(n))) : n);

const LONGS: LongOption[] = [
  { name: 'log-thresh', hasArg: true, val: 't' }, { name: 'poll-sleep', hasArg: true, val: 's' },
  { name: 'cpu-mask', hasArg: true, val: 'c' }, { name: 'evt-mask', hasArg: true, val: 'e' },
  { name: 'trace-buf-size', hasArg: true, val: 'S' }, { name: 'reserve-disk-space', hasArg: true, val: 'r' },
  { name: 'time-interval', hasArg: true, val: 'T' }, { name: 'memory-buffer', hasArg: true, val: 'M' },
  { name: 'discard-buffers', hasArg: false, val: 'D' }, { name: 'dont-disable-tracing', hasArg: false, val: 'x' },
  { name: 'start-disabled', hasArg: false, val: 'X' }, { name: 'help', hasArg: false, val: '?' },
  { name: 'version', hasArg: false, val: 'V' },
];
/** `argv0`: the name xentrace was invoked as, which getopt's messages (not the usage) start with. */
export function parseOptions(argv: string[], argv0 = 'xentrace'): XentraceOptions {
  const o: XentraceOptions = {
    outfile: '', pollMs: 100, evtMask: 0, cpuMask: undefined, tbufSize: 0, diskReserveMb: 0, timeoutS: 0,
    memoryBuffer: 0, discard: false, disableTracing: true, startDisabled: false,
  };
  const { opts, operands } = getoptLong(argv0, argv, 't:s:c:e:S:r:T:M:DxX?V', LONGS);
  for (const item of opts) {
    if ('message' in item) throw usage(item.message);
    const a = item.arg ?? '';
    switch (item.opt) {
      case 's': o.pollMs = ulong(argtol(a)); break;
      case 'c': o.cpuMask = a; break;
      case 'e':
        if (a in CLASSES) o.evtMask = (o.evtMask | CLASSES[a]!) >>> 0;
        else o.evtMask = argtol(a) >>> 0;
        break;
      case 'S': o.tbufSize = ulong(argtol(a)); break;
      case 'V': throw new OptionsExit(0, `${VERSION}\n`);
      case 'D': o.discard = true; break;
      case 'r': o.diskReserveMb = ulong(argtol(a)); break;
      case 'x': o.disableTracing = false; break;
      case 'X': o.startDisabled = true; break;
      case 'T': o.timeoutS = ulong(argtol(a)); break;
      case 'M': o.memoryBuffer = ulong(sargtol(a)); break;
      default: throw usage();
    }
  }
  if (operands.length !== 1) throw usage();
  o.outfile = operands[0]!;
  return o;
}
