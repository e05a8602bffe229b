// xl devd (xl_misc.c main_devd): libxl's device events handler in the domain xl runs in, here
// Dom0. It watches the domain's backend directory, runs the hotplug scripts of the devices that
// reach InitWait and cleans up those unplugged (Closed, online 0). It daemonizes: the handler
// goes on in Dom0 (in xenlabd) once xl has returned, and -p names the file that gets that
// process's pid. With -F xl stays in the foreground until a signal ends it, and the handler
// with it. (A driver domain's own `xl devd` runs on its console.)
import { writeFileSync } from 'node:fs';
import { optionMap, parseArgs, type CommandRun } from './command.ts';

const devd: CommandRun = async (ctx, argv, self) => {
  const o = optionMap(parseArgs(ctx, argv, self, { short: 'Fp:', long: [{ name: 'pidfile', hasArg: true, val: 'p' }] }, 0));
  const daemon = await ctx.daemon();
  const { pid } = await daemon.request('devd.start', {});
  if (!o.has('F')) {
    const pidfile = o.get('p');
    if (pidfile !== undefined) writeFileSync(pidfile, `${pid}\n`);
    return 0;
  }
  await new Promise(resolve => { process.once('SIGINT', resolve); process.once('SIGTERM', resolve); });
  await daemon.request('devd.stop', {});
  return 0;
};

export const devdCommands: Record<string, CommandRun> = { devd };
