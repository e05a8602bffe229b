// The `xl` of a driver domain's console: Debian's xen-utils in the domain, whose one job there is
// `xl devd`, the daemon that brings up the backends Dom0's toolstack puts in the domain's home.
// It daemonizes (the shell gets its prompt back), or with -F holds the terminal until ^C. The
// other subcommands need a toolstack domain; xenlab's driver domains do not carry them.
import { failure, output, type CommandResult } from './command.ts';

/** What the domain's xl asks of its kernel's side: start the handler, and stop it (-F interrupted). */
export interface DevdHost { start(): void; stop(): void }

const USAGE = `Usage: xl [-vtTf] devd [options]

Daemon that listens for devices and launches backends.

Options:

-F                      Run in the foreground.
-p, --pidfile [FILE]    Write PID to pidfile when daemonizing.
`;

/** `xl ARGS`: the result, and whether the command stays in the foreground (devd -F). */
export function driverDomainXl(args: string[], devd: DevdHost): { result: CommandResult; foreground: boolean } {
  const [cmd, ...rest] = args;
  if (cmd !== 'devd') return { result: failure('command not implemented\n'), foreground: false };
  let foreground = false;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '-F') foreground = true;
    else if (a === '-p' || a === '--pidfile') { if (rest[++i] === undefined) return { result: failure(USAGE, 2), foreground: false }; }
    else if (a.startsWith('--pidfile=')) continue;
    else if (a === '-h' || a === '--help') return { result: output(USAGE), foreground: false };
    else return { result: failure(USAGE, 2), foreground: false };
  }
  devd.start();
  return { result: output(''), foreground };
}
