// xl: global options, the command table, dispatch. Kept small: handlers load heavy parts lazily.
import { realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Connection } from '../../client/connection.ts';
import { openControl } from '../../client/control.ts';
import { hostPaths } from '../../protocol/paths.ts';
import { ToolError } from '../../protocol/wire.ts';
import { formatFullHelp, lookupCommand } from './command-table.ts';
import type { DaemonClient, XlContext, XlGlobals } from './command.ts';
import { parseGlobalOptions } from './def-getopt.ts';
import { CommandExit, processIo, type XlIo } from './io.ts';

/** The launchers' directory: bin/ beside the dist/ holding this bundle, whatever link ran it. */
function binDir(): string {
  const d = dirname(realpathSync(process.argv[1] ?? '.'));
  return basename(d) === 'dist' ? join(d, '..', 'bin') : d;
}

/** `argv0`: the name xl was invoked as, which getopt's messages start with. */
export async function xlMain(argv: string[], io: XlIo, connect: () => Promise<DaemonClient & { close?: () => void }>, opts: { binDir?: string; argv0?: string } = {}): Promise<number> {
  const g = parseGlobalOptions(io, opts.argv0 ?? 'xl', argv);
  if ('exit' in g) return g.exit;
  const [name, ...rest] = g.rest;
  if (name === undefined) { io.out(formatFullHelp()); return 1; }
  const globals: XlGlobals = {
    verbose: g.opts.filter(o => o === 'v').length, dryRun: g.opts.includes('N'), force: g.opts.includes('f'),
    progress: g.opts.includes('t'), timestamps: g.opts.includes('T'),
  };
  const cmd = lookupCommand(name);
  if (!cmd) {
    if (name !== 'help') { io.err('command not implemented\n'); return 1; }
    const topic = rest[0];
    if (topic === undefined || topic === 'help') io.out(formatFullHelp());
    else {
      const c = lookupCommand(topic);
      io.out(c ? c.helpText : `command "${topic}" not implemented\n`);
    }
    return 0;
  }
  if (globals.dryRun && !cmd.canDryRun) { io.err('command does not implement -N (dryrun) option\n'); return 1; }
  let conn: (DaemonClient & { close?: () => void }) | undefined;
  const ctx: XlContext = { io, globals, binDir: opts.binDir ?? binDir(), daemon: async () => (conn ??= await connect()) };
  try {
    return (await cmd.run(ctx, rest, cmd)) & 0xff;
  } catch (e) {
    if (e instanceof CommandExit) return e.status;
    if (e instanceof ToolError) {
      // The daemon's message is the exact text without the final newline.
      if (e.message) io.err(e.message + '\n');
      return e.code === 'EDAEMON' || e.code === 'ENODAEMON' ? EXIT_UNAVAILABLE : e.exitCode;
    }
    throw e;
  } finally {
    conn?.close?.();
  }
}

/** Exit status when the daemon cannot be reached (EX_UNAVAILABLE, as client/autostart.ts). */
const EXIT_UNAVAILABLE = 69;

/**
 * A running daemon is reached directly; the auto-start machinery (child_process, lock files) is
 * loaded only when none answers, which keeps `xl list` close to node's own start-up cost.
 */
async function connectFast(): Promise<Connection> {
  const paths = hostPaths();
  try { return await openControl(paths); } catch (e) { if (e instanceof ToolError) throw e; }
  const { connectDaemon } = await import('../../client/autostart.ts');
  return connectDaemon({ paths });
}

/** xl as the program node runs (dist/xl.cjs, and xm's commands through it): process I/O and exit status. */
export function runXlProcess(argv: string[], argv0: string): void {
  // A reader that went away (xl list | head) ends xl quietly, as SIGPIPE ends the real one.
  process.stdout.on('error', e => { if ((e as NodeJS.ErrnoException).code === 'EPIPE') process.exit(141); throw e; });
  xlMain(argv, processIo, connectFast, { argv0 }).then(
    status => { process.exitCode = status; },
    e => { process.stderr.write(`xl: ${e?.stack ?? e}\n`); process.exitCode = 1; },
  );
}
