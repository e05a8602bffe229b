// uname(1) of GNU coreutils 9.1 (Debian 12) for the guest's kernel: the fields in their fixed
// order, -a leaving out the processor and platform Debian does not know, and coreutils' errors.
import { firstError, getoptLong, type LongOption } from '../formats/libc/getopt.ts';
import { failure, output, type CommandResult } from './command.ts';

/** The guest kernel's utsname (Debian 12's kernel, as in Dom0), as its boot log's "Linux version" line names it. */
export const GUEST_UTS = {
  sysname: 'Linux', release: '6.1.0-41-amd64', version: '#1 SMP PREEMPT_DYNAMIC Debian 6.1.158-1 (2025-11-09)', machine: 'x86_64',
};

const HELP = `Usage: uname [OPTION]...
Print certain system information.  With no OPTION, same as -s.

  -a, --all                print all information, in the following order,
                             except omit -p and -i if unknown:
  -s, --kernel-name        print the kernel name
  -n, --nodename           print the network node hostname
  -r, --kernel-release     print the kernel release
  -v, --kernel-version     print the kernel version
  -m, --machine            print the machine hardware name
  -p, --processor          print the processor type (non-portable)
  -i, --hardware-platform  print the hardware platform (non-portable)
  -o, --operating-system   print the operating system
      --help        display this help and exit
      --version     output version information and exit

GNU coreutils online help: <https://www.gnu.org/software/coreutils/>
Report any translation bugs to <https://translationproject.org/team/>
Full documentation <https://www.gnu.org/software/coreutils/uname>
or available locally via: info '(coreutils) uname invocation'
`;

const TRY = "Try 'uname --help' for more information.\n";

const LONG: LongOption[] = [
  { name: 'all', hasArg: false, val: 'a' }, { name: 'kernel-name', hasArg: false, val: 's' },
  { name: 'sysname', hasArg: false, val: 's' }, { name: 'nodename', hasArg: false, val: 'n' },
  { name: 'kernel-release', hasArg: false, val: 'r' }, { name: 'release', hasArg: false, val: 'r' },
  { name: 'kernel-version', hasArg: false, val: 'v' }, { name: 'machine', hasArg: false, val: 'm' },
  { name: 'processor', hasArg: false, val: 'p' }, { name: 'hardware-platform', hasArg: false, val: 'i' },
  { name: 'operating-system', hasArg: false, val: 'o' }, { name: 'help', hasArg: false, val: 'help' },
  { name: 'version', hasArg: false, val: 'version' },
];

export function uname(argv: string[], nodename: string): CommandResult {
  const p = getoptLong('uname', argv, 'asnrvmpio', LONG);
  const bad = firstError(p);
  if (bad) return failure(`${bad}${TRY}`);
  const keys = new Set(p.opts.map(o => o.opt));
  if (keys.has('help')) return output(HELP);
  if (keys.has('version')) return output('uname (GNU coreutils) 9.1\n');
  if (p.operands.length) return failure(`uname: extra operand ‘${p.operands[0]}’\n${TRY}`);
  const all = keys.has('a');
  const fields: [string, string | null][] = [
    ['s', GUEST_UTS.sysname], ['n', nodename], ['r', GUEST_UTS.release], ['v', GUEST_UTS.version], ['m', GUEST_UTS.machine],
    // "unknown" on Debian: shown when asked for, left out of -a.
    ['p', all ? null : 'unknown'], ['i', all ? null : 'unknown'], ['o', 'GNU/Linux'],
  ];
  const picked = fields.filter(([k, v]) => v !== null && (all || keys.has(k)));
  return output((picked.length ? picked : fields.slice(0, 1)).map(f => f[1]).join(' ') + '\n');
}
