// Domain lifecycle (xl_vmcontrol.c): create (in create.ts, loaded lazily), destroy, shutdown,
// reboot, pause, unpause, rename.
import { findDomain, parseArgs, optionMap, type CommandRun, type DaemonClient, type XlContext } from './command.ts';
import { ShutdownReason } from '../../protocol/domain.ts';

const create: CommandRun = async (ctx, argv, self) => (await import('./create.ts')).runCreate(ctx, argv, self);

const destroy: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: 'f' }, 1);
  await (await ctx.daemon()).request('domain.destroy', { dom: p.positionals[0], force: optionMap(p).has('f') });
  return 0;
};

const pause: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: '' }, 1);
  await (await ctx.daemon()).request('domain.pause', { dom: p.positionals[0] });
  return 0;
};

const unpause: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: '' }, 1);
  await (await ctx.daemon()).request('domain.unpause', { dom: p.positionals[0] });
  return 0;
};

const rename: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: '' }, 2);
  await (await ctx.daemon()).request('domain.rename', { dom: p.positionals[0], name: p.positionals[1] });
  return 0;
};

/**
 * Follow the 'domain.wait' streams of the domains just asked to shut down, printing what xl's
 * wait_for_domain_deaths logs; `reason` is the shutdown reason asked for.
 */
export async function waitForDomains(ctx: XlContext, d: DaemonClient, domids: number[], reason: number): Promise<void> {
  ctx.io.err(`Waiting for ${domids.length} domains\n`);
  await Promise.all(domids.map(domid => d.stream('domain.wait', { domid, until: 'shutdown' }, e => {
    if (e.message) ctx.io.err(e.message + '\n');
    else if (e.reached) ctx.io.err(`Domain ${domid} has been shut down, reason code ${reason}\n`);
  }).done));
}

function shutdownOrReboot(action: 'poweroff' | 'reboot'): CommandRun {
  return async (ctx, argv, self) => {
    const p = parseArgs(ctx, argv, self, {
      short: 'awF', long: [{ name: 'all', hasArg: false, val: 'a' }, { name: 'wait', hasArg: false, val: 'w' }],
    }, 0);
    const o = optionMap(p);
    if (p.positionals.length === 0 && !o.has('a')) { ctx.io.err('You must specify -a or a domain id.\n\n'); return 1; }
    const d = await ctx.daemon();
    const domids = o.has('a')
      ? (await d.request('domain.list', {})).filter(x => x.domid !== 0).map(x => x.domid)
      : [await findDomain(ctx, p.positionals[0])];
    for (const domid of domids) {
      ctx.io.err(action === 'reboot' ? `Rebooting domain ${domid}\n` : `Shutting down domain ${domid}\n`);
      await d.request('domain.shutdown', { dom: String(domid), action, force: o.has('F') });
    }
    if (o.has('w')) await waitForDomains(ctx, d, domids, ShutdownReason[action]);
    return 0;
  };
}

export const lifecycleCommands: Record<string, CommandRun> = {
  create, destroy, shutdown: shutdownOrReboot('poweroff'), reboot: shutdownOrReboot('reboot'), pause, unpause, rename,
};
