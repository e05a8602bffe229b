// sched-credit2 and cpupool-list (xl_sched.c, xl_cpupool.c): xl's option checks and printing;
// the parameters' range checks are libxl's, made by the toolstack.
import { findDomain, parseArgs, type CommandRun } from './command.ts';
import { strtol } from '../../formats/libc/strtol.ts';
import { CREDIT2_HEADER, formatCpupoolList, formatCredit2PoolLine, formatCredit2Row } from './printers/sched.ts';

/** strtol(optarg, NULL, 10) into an int. */
const toInt = (s: string) => Number(BigInt.asIntN(32, strtol(s, 10).value));

const schedCredit2: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, {
    short: 'd:w:c:p:r:s',
    long: [
      { name: 'domain', hasArg: true, val: 'd' }, { name: 'weight', hasArg: true, val: 'w' },
      { name: 'cap', hasArg: true, val: 'c' }, { name: 'schedparam', hasArg: false, val: 's' },
      { name: 'ratelimit_us', hasArg: true, val: 'r' }, { name: 'cpupool', hasArg: true, val: 'p' },
    ],
  }, 0);
  let dom: string | undefined, pool: string | undefined, weight: number | undefined, cap: number | undefined;
  let ratelimit: number | undefined, schedparam = false;
  for (const [o, a] of p.opts) {
    if (o === 'd') dom = a;
    else if (o === 'w') weight = toInt(a!);
    else if (o === 'c') cap = toInt(a!);
    else if (o === 's') schedparam = true;
    else if (o === 'r') ratelimit = toInt(a!);
    else if (o === 'p') pool = a;
  }
  const io = ctx.io;
  if (pool !== undefined && (dom !== undefined || weight !== undefined || cap !== undefined)) {
    io.err('Specifying a cpupool is not allowed with other options.\n');
    return 1;
  }
  if (dom === undefined && (weight !== undefined || cap !== undefined)) { io.err('Must specify a domain.\n'); return 1; }
  const d = await ctx.daemon();
  if (schedparam) {
    if (ratelimit === undefined) {
      const r = await d.request('sched.credit2.get', { pool: pool ?? undefined });
      const first = r.pools[0];
      if (first?.ratelimitUs === null) {
        io.err('libxl: error: libxl_sched.c:362:libxl_sched_credit2_params_get: getting Credit2 scheduler parameters: Invalid argument\nlibxl_sched_credit2_params_get failed.\n');
      }
      if (first) io.out(formatCredit2PoolLine(first.name, first.ratelimitUs));
      return 0;
    }
    await d.request('sched.credit2.setPool', { pool, ratelimitUs: ratelimit });
    return 0;
  }
  if (dom === undefined) {
    const r = await d.request('sched.credit2.get', { pool });
    // sched_domain_output lists the pools of this scheduler only.
    for (const pl of r.pools) if (pl.ratelimitUs !== null) io.out(formatCredit2PoolLine(pl.name, pl.ratelimitUs) + CREDIT2_HEADER + pl.domains.map(formatCredit2Row).join(''));
    return 0;
  }
  const domid = await findDomain(ctx, dom);
  if (weight === undefined && cap === undefined) {
    io.out(CREDIT2_HEADER);
    const r = await d.request('sched.credit2.get', { dom: String(domid) });
    for (const pl of r.pools) io.out(pl.domains.map(formatCredit2Row).join(''));
    return 0;
  }
  await d.request('sched.credit2.set', { dom: String(domid), weight, cap });
  return 0;
};

const cpupoolList: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: 'c', long: [{ name: 'cpus', hasArg: false, val: 'c' }] }, 0);
  const pools = await (await ctx.daemon()).request('cpupool.list', { pool: p.positionals[0] });
  ctx.io.out(formatCpupoolList(pools, p.opts.some(([o]) => o === 'c')));
  return 0;
};

export const schedCommands: Record<string, CommandRun> = { 'sched-credit2': schedCredit2, 'cpupool-list': cpupoolList };
