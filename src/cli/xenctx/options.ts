// xenctx's command line as its main() reads it: getopt_long over "fs:hak:SCn:b:l:Dtm:d:", then
// <domid> [vcpu] with atoi. A bad value prints the real message and exits -1 (255).
import { getoptLong, type LongOption } from '../../formats/libc/getopt.ts';
import { atoi, strtol, strtoul } from '../../formats/libc/strtol.ts';

export const DEFAULT_NR_STACK_PAGES = 1, DEFAULT_BYTES_PER_LINE = 32, DEFAULT_LINES = 5;
const MAX_BYTES_PER_LINE = 128;
const INT_MAX = 0x7fffffff;

export interface XenctxOptions {
  domid: number;
  vcpu: number;
  framePtrs: boolean;
  symbolTable?: string;
  stackTrace: boolean;
  dispAll: boolean;
  allVcpus: boolean;
  /** Run the default dump of one vCPU (not with -C, -m or -d). */
  doDefault: boolean;
  nrStackPages: number;
  bytesPerLine: number;
  lines: number;
  decodeAsAscii: boolean;
  tagStackDump: boolean;
  kernelStart: bigint;
  kernelStartSet: boolean;
  memAddr?: bigint;
  stkAddr?: bigint;
}

const LONG: LongOption[] = [
  { name: 'stack-trace', hasArg: false, val: 'S' }, { name: 'symbol-table', hasArg: true, val: 's' },
  { name: 'frame-pointers', hasArg: false, val: 'f' }, { name: 'kernel-start', hasArg: true, val: 'k' },
  { name: 'display-stack-pages', hasArg: false, val: 'n' }, { name: 'decode-as-ascii', hasArg: false, val: 'D' },
  { name: 'tag-stack-dump', hasArg: false, val: 't' }, { name: 'memory', hasArg: true, val: 'm' },
  { name: 'dump-as-stack', hasArg: true, val: 'd' }, { name: 'bytes-per-line', hasArg: true, val: 'b' },
  { name: 'lines', hasArg: true, val: 'l' }, { name: 'all', hasArg: false, val: 'a' },
  { name: 'all-vcpus', hasArg: false, val: 'C' }, { name: 'help', hasArg: false, val: 'h' },
];

export const USAGE = `usage:

  xenctx [options] <DOMAIN> [VCPU]

options:
  -f, --frame-pointers
                     assume the kernel was compiled with
                     frame pointers.
  -s SYMTAB, --symbol-table=SYMTAB
                     read symbol table from SYMTAB.
  -S, --stack-trace  print a complete stack trace.
  -k KADDR, --kernel-start=KADDR
                     set user/kernel split. (default 0xffffffff80000000)
  -a, --all          display more registers
  -C, --all-vcpus    print info for all vcpus
  -n PAGES, --display-stack-pages=PAGES
                     Display N pages from the stack pointer. (default ${DEFAULT_NR_STACK_PAGES})
                     Changes stack limit.  Note: use with caution (easy
                     to get garbage).
  -b <bytes>, --bytes-per-line <bytes>
                     change the number of bytes per line output for Stack.
                     (default ${DEFAULT_BYTES_PER_LINE}) Note: rounded to native size (4 or 8 bytes).
  -l <lines>, --lines <lines>
                     change the number of lines output for Stack. (default ${DEFAULT_LINES})
                     Can be specified as MAX.  Note: Fewer lines will be output
                     if stack limit reached.
  -D, --decode-as-ascii
                     add a decode of Stack dump as ascii.
  -t, --tag-stack-dump
                     add address on each line of Stack dump.
  -m maddr, --memory=maddr
                     dump memory at maddr.
  -d daddr, --dump-as-stack=daddr
                     dump memory as a stack at daddr.
`;

/** What main() does instead of running: print to stdout and/or stderr, then exit. */
export class OptionsExit { constructor(readonly stdout: string, readonly stderr: string, readonly status: number) {} }

const int = (s: string): number => Number(BigInt.asIntN(32, strtol(s, 0).value));

export function parseOptions(prog: string, args: string[]): XenctxOptions {
  const o: XenctxOptions = {
    domid: 0, vcpu: 0, framePtrs: false, stackTrace: false, dispAll: false, allVcpus: false, doDefault: true,
    nrStackPages: DEFAULT_NR_STACK_PAGES, bytesPerLine: DEFAULT_BYTES_PER_LINE, lines: DEFAULT_LINES,
    decodeAsAscii: false, tagStackDump: false, kernelStart: 0xffffffff80000000n, kernelStartSet: false,
  };
  const fail = (msg: string): never => { throw new OptionsExit('', msg, 255); };
  const r = getoptLong(prog, args, 'fs:hak:SCn:b:l:Dtm:d:', LONG);
  for (const it of r.opts) {
    const arg = it.arg ?? '';
    switch (it.opt) {
      case 'f': o.framePtrs = true; break;
      case 's': o.symbolTable = arg; break;
      case 'S': o.stackTrace = true; break;
      case 'a': o.dispAll = true; break;
      case 'n':
        o.nrStackPages = int(arg);
        if (o.nrStackPages < 1) fail(`${prog}: Unsupported value(${o.nrStackPages}) for --display-stack-pages '${arg}'. Needs to be >= 1\n`);
        break;
      case 'D': o.decodeAsAscii = true; break;
      case 't': o.tagStackDump = true; break;
      case 'b':
        o.bytesPerLine = int(arg);
        if (o.bytesPerLine < 4 || o.bytesPerLine > MAX_BYTES_PER_LINE) fail(`${prog}: Unsupported value for --bytes-per-line '${arg}'. Needs to be 4 <= ${o.bytesPerLine} <= ${MAX_BYTES_PER_LINE}\n`);
        break;
      case 'l':
        o.lines = ['all', 'ALL', 'max', 'MAX'].includes(arg) ? INT_MAX - 1 : int(arg);
        if (o.lines < 0 || o.lines === INT_MAX) fail(`${prog}: Unsupported value(${o.lines}) for --lines '${arg}'. Needs to be >= 0, < ${INT_MAX}\n`);
        break;
      case 'C': o.allVcpus = true; o.doDefault = false; break;
      case 'k': o.kernelStart = strtoul(arg, 0).value; o.kernelStartSet = true; break;
      case 'm': o.memAddr = strtoul(arg, 0).value; o.doDefault = false; break;
      case 'd': o.stkAddr = strtoul(arg, 0).value; o.doDefault = false; break;
      case 'h': throw new OptionsExit(USAGE, '', 255);
      default: throw new OptionsExit('', `${'message' in it ? it.message : ''}${prog} --help for more options\n`, 255);
    }
  }
  const pos = r.operands;
  if (pos.length < 1 || pos.length > 2) throw new OptionsExit('usage: xenctx [options] <domid> <optional vcpu>\n', '', 255);
  if (o.framePtrs && o.stkAddr !== undefined) fail(`${prog}: both --frame-pointers and --dump-as-stack is not supported\n`);
  o.domid = atoi(pos[0]!);
  if (o.domid === 0) fail('cannot trace dom0\n');
  if (pos.length === 2) {
    if (o.allVcpus) fail(`${prog}: both --all-vcpus and [VCPU] is not supported\n`);
    o.vcpu = atoi(pos[1]!);
  }
  return o;
}
