// xl dump-core (xl_misc.c main_dump_core): the daemon writes the ELF core to the path given,
// resolved against xl's working directory.
import { resolve } from 'node:path';
import { parseArgs, type CommandRun } from './command.ts';

const dumpCore: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: '' }, 2);
  const [dom, file] = p.positionals as [string, string];
  await (await ctx.daemon()).request('domain.dumpCore', { dom, path: resolve(file) });
  return 0;
};

export const dumpCoreCommands: Record<string, CommandRun> = { 'dump-core': dumpCore };
