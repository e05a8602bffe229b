// sched-credit2, sched-credit, sched-rtds and cpupool-list (xl_sched.c, xl_cpupool.c): xl's option checks and printing;
// the parameters' range checks are libxl's, made by the toolstack.
import { findDomain, parseArgs, type CommandRun } from './command.ts';
import { strtol } from '../../formats/libc/strtol.ts';
import { CREDIT2_HEADER, formatCpupoolList, formatCredit2PoolLine, formatCredit2Row } from './printers/sched.ts';
import {
  RTDS_DOMAIN_HEADER, RTDS_VCPU_HEADER, formatCreditPoolLine, formatRtdsDomainRow, formatRtdsPoolLine, formatRtdsVcpuRows,
} from './printers/sched.ts';

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

// ---- sched-credit --------------------------------------------------------------------------------

const schedCredit: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, {
    short: 'd:w:c:p:t:r:m:s',
    long: [
      { name: 'domain', hasArg: true, val: 'd' }, { name: 'weight', hasArg: true, val: 'w' },
      { name: 'cap', hasArg: true, val: 'c' }, { name: 'schedparam', hasArg: false, val: 's' },
      { name: 'tslice_ms', hasArg: true, val: 't' }, { name: 'ratelimit_us', hasArg: true, val: 'r' },
      { name: 'migration_delay_us', hasArg: true, val: 'm' }, { name: 'cpupool', hasArg: true, val: 'p' },
    ],
  }, 0);
  let dom: string | undefined, pool: string | undefined, weight: number | undefined, cap: number | undefined;
  let tsliceMs: number | undefined, ratelimitUs: number | undefined, migrDelayUs: number | undefined, schedparam = false;
  for (const [o, a] of p.opts) {
    if (o === 'd') dom = a;
    else if (o === 'w') weight = toInt(a!);
    else if (o === 'c') cap = toInt(a!);
    else if (o === 't') tsliceMs = toInt(a!);
    else if (o === 'r') ratelimitUs = toInt(a!);
    else if (o === 'm') migrDelayUs = toInt(a!);
    else if (o === 's') schedparam = true;
    else if (o === 'p') pool = a;
  }
  const io = ctx.io;
  const domainOpts = dom !== undefined || weight !== undefined || cap !== undefined;
  if ((pool !== undefined || schedparam) && domainOpts) { io.err('Specifying a cpupool or schedparam is not allowed with domain options.\n'); return 1; }
  if (dom === undefined && (weight !== undefined || cap !== undefined)) { io.err('Must specify a domain.\n'); return 1; }
  const poolParams = tsliceMs !== undefined || ratelimitUs !== undefined || migrDelayUs !== undefined;
  if (!schedparam && poolParams) { io.err('Must specify schedparam to set schedule parameter values.\n'); return 1; }
  const d = await ctx.daemon();
  if (schedparam) {
    if (poolParams) {
      await d.request('sched.credit.setPool', { pool, tsliceMs, ratelimitUs, migrDelayUs });
      return 0;
    }
    const r = await d.request('sched.credit.getPool', { pool });
    if (r.error) io.err(`${r.error}\n`);
    io.out(formatCreditPoolLine(r.name, r.params));
    return 0;
  }
  if (dom === undefined) {
    const r = await d.request('sched.credit.get', { pool });
    for (const pl of r.pools) io.out(formatCreditPoolLine(pl.name, pl) + CREDIT2_HEADER + pl.domains.map(formatCredit2Row).join(''));
    return 0;
  }
  const domid = await findDomain(ctx, dom);
  if (weight === undefined && cap === undefined) {
    io.out(CREDIT2_HEADER);
    const r = await d.request('sched.credit.get', { dom: String(domid) });
    for (const pl of r.pools) io.out(pl.domains.map(formatCredit2Row).join(''));
    return 0;
  }
  await d.request('sched.credit.set', { dom: String(domid), weight, cap });
  return 0;
};

// ---- sched-rtds ----------------------------------------------------------------------------------

const schedRtds: CommandRun = async (ctx, argv, self) => {
  // xl declares the short -c without an argument (so `-c POOL` restricts nothing); --cpupool=POOL works.
  const p = parseArgs(ctx, argv, self, {
    short: 'd:p:b:e:v:c',
    long: [
      { name: 'domain', hasArg: true, val: 'd' }, { name: 'period', hasArg: true, val: 'p' },
      { name: 'budget', hasArg: true, val: 'b' }, { name: 'extratime', hasArg: true, val: 'e' },
      { name: 'vcpuid', hasArg: true, val: 'v' }, { name: 'cpupool', hasArg: true, val: 'c' },
    ],
  }, 0);
  const io = ctx.io;
  let dom: string | undefined, pool: string | undefined, all = false;
  const periods: number[] = [], budgets: number[] = [], extratimes: number[] = [], vcpus: number[] = [];
  for (const [o, a] of p.opts) {
    if (o === 'd') dom = a;
    else if (o === 'p') periods.push(toInt(a!));
    else if (o === 'b') budgets.push(toInt(a!));
    else if (o === 'e') {
      if (a !== '0' && a !== '1') { io.err('Invalid extratime.\n'); return 1; }
      extratimes.push(Number(a));
    } else if (o === 'v') {
      if (a === 'all') all = true;
      else vcpus.push(toInt(a!));
    } else if (o === 'c') pool = a;
  }
  const optP = periods.length > 0, optB = budgets.length > 0, optE = extratimes.length > 0, optV = vcpus.length > 0;
  if (pool !== undefined && (dom !== undefined || optP || optB || optE || optV || all)) { io.err('Specifying a cpupool is not allowed with other options.\n'); return 1; }
  if (dom === undefined && (optP || optB || optE || optV)) { io.err('Missing parameters.\n'); return 1; }
  if (dom !== undefined && !optV && !all && (optP || optB || optE)) { io.err('Must specify VCPU.\n'); return 1; }
  if (optV && all) { io.err('Incorrect VCPU IDs.\n'); return 1; }
  const nv = vcpus.length;
  if ((nv > budgets.length && optB) || (nv > periods.length && optP) || (nv > extratimes.length && optE)
    || periods.length !== budgets.length || periods.length !== extratimes.length) {
    io.err('Incorrect number of period, budget and extratime\n');
    return 1;
  }
  const d = await ctx.daemon();
  if (dom === undefined) {
    const r = await d.request('sched.rtds.get', { pool, vcpus: all ? 'all' : undefined });
    for (const pl of r.pools) {
      io.out(formatRtdsPoolLine(pl.name) + (all ? RTDS_VCPU_HEADER : RTDS_DOMAIN_HEADER));
      io.out(pl.domains.map(x => (all ? formatRtdsVcpuRows(x) : formatRtdsDomainRow(x))).join(''));
    }
    return 0;
  }
  const domid = String(await findDomain(ctx, dom));
  if (!optV && !all) {
    io.out(RTDS_DOMAIN_HEADER);
    const r = await d.request('sched.rtds.get', { dom: domid });
    for (const pl of r.pools) io.out(pl.domains.map(formatRtdsDomainRow).join(''));
    return 0;
  }
  if (!optP && !optB && !optE) {
    io.out(RTDS_VCPU_HEADER);
    const r = await d.request('sched.rtds.get', { dom: domid, vcpus: nv > 0 ? vcpus : 'all' });
    for (const pl of r.pools) io.out(pl.domains.map(formatRtdsVcpuRows).join(''));
    return 0;
  }
  const list = nv > 0
    ? vcpus.map((vcpuid, i) => ({ vcpuid, periodUs: periods[i]!, budgetUs: budgets[i]!, extratime: extratimes[i] !== 0 }))
    : [{ vcpuid: 0, periodUs: periods[0]!, budgetUs: budgets[0]!, extratime: extratimes[0] !== 0 }];
  await d.request('sched.rtds.set', { dom: domid, vcpus: list, all: nv === 0 });
  return 0;
};

export const schedCommands: Record<string, CommandRun> = {
  'sched-credit2': schedCredit2, 'cpupool-list': cpupoolList, 'sched-credit': schedCredit, 'sched-rtds': schedRtds,
};
