// sysrq, debug-keys, set-parameters (xl_misc.c).
import { findDomain, parseArgs, type CommandRun } from './command.ts';

const sysrq: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: '' }, 2);
  const domid = await findDomain(ctx, p.positionals[0]!);
  const key = p.positionals[1]!;
  if (key.length !== 1) { ctx.io.err('Invalid sysrq.\n\n'); ctx.io.out(self.helpText); return 1; }
  await (await ctx.daemon()).request('domain.sysrq', { dom: String(domid), key });
  return 0;
};

const debugKeys: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: '' }, 1);
  await (await ctx.daemon()).request('host.debugKeys', { keys: p.positionals[0]! });
  return 0;
};

const setParameters: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: '' }, 1);
  await (await ctx.daemon()).request('host.setParameters', { params: p.positionals[0]! });
  return 0;
};

export const miscCommands: Record<string, CommandRun> = {
  sysrq, 'debug-keys': debugKeys, 'set-parameters': setParameters,
};
