// sysrq, debug-keys, set-parameters (xl_misc.c) and sched-credit on a credit2 host (xl_sched.c).
import { findDomain, optionMap, parseArgs, type CommandRun } from './command.ts';

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

/** Every cpupool of a xenlab host runs credit2, so credit's view of it is empty, as on such a Xen host. */
const schedCredit: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, {
    short: 'd:w:c:p:t:sm:r:',
    long: [
      { name: 'domain', hasArg: true, val: 'd' }, { name: 'weight', hasArg: true, val: 'w' }, { name: 'cap', hasArg: true, val: 'c' },
      { name: 'cpupool', hasArg: true, val: 'p' }, { name: 'tslice_ms', hasArg: true, val: 't' }, { name: 'schedparam', hasArg: false, val: 's' },
      { name: 'ratelimit_us', hasArg: true, val: 'r' }, { name: 'migration_delay_us', hasArg: true, val: 'm' },
    ],
  }, 0);
  const o = optionMap(p);
  const domOpts = o.has('d') || o.has('w') || o.has('c');
  if (domOpts && (o.has('p') || o.has('s') || o.has('t') || o.has('r') || o.has('m'))) {
    ctx.io.err('Specifying a cpupool or schedparam is not allowed with domain options.\n');
    return 1;
  }
  if (!o.has('d') && (o.has('w') || o.has('c'))) { ctx.io.err('Must specify a domain.\n'); return 1; }
  if (!o.has('s') && (o.has('t') || o.has('r') || o.has('m'))) { ctx.io.err('Must specify schedparam to set schedule parameter values.\n'); return 1; }
  if (o.has('d')) {
    await findDomain(ctx, o.get('d')!);
    ctx.io.out(`${'Name'.padEnd(33)} ${'ID'.padStart(4)} ${'Weight'.padStart(6)} ${'Cap'.padStart(4)}\n`);
    ctx.io.err('libxl_domain_sched_params_get returned credit2 not credit.\n');
    return 1;
  }
  return 0;
};

export const miscCommands: Record<string, CommandRun> = {
  sysrq, 'debug-keys': debugKeys, 'set-parameters': setParameters, 'sched-credit': schedCredit,
};
