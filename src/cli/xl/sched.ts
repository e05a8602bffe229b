// sched-credit2, sched-credit, sched-rtds and cpupool-list (xl_sched.c, xl_cpupool.c): xl's option checks and printing;
// the parameters' range checks are libxl's, made by the toolstack.
import { findDomain, parseArgs, type CommandRun, type DaemonClient } from './command.ts';
import type { SchedCredit2Params } from '../../protocol/domain.ts';
import type { SchedCreditPoolParams } from '../../protocol/sched.ts';
import { strtol } from '../../formats/libc/strtol.ts';
import { CREDIT2_HEADER, formatCpupoolList, formatCredit2PoolLine, formatCredit2Row } from './printers/sched.ts';
import {
  RTDS_DOMAIN_HEADER, RTDS_VCPU_HEADER, formatCreditPoolLine, formatRtdsDomainRow, formatRtdsPoolLine, formatRtdsVcpuRows,
} from './printers/sched.ts';

/** strtol(optarg, NULL, 10) into an int. */
const toInt = (s: string) => Number(BigInt.asIntN(32, strtol(s, 10).value));

/** A pool with its parameters (null: Xen gave none, the pool runs another scheduler) and domains. */
interface PoolRows<P> { name: string; params: P | null; domains: SchedCredit2Params[] }

/**
 * What main_sched_credit and main_sched_credit2 (xl_sched.c) differ in: the pool parameters'
 * options, how strictly they are combined with the domain options, the pool line, and the
 * requests that carry them.
 */
interface CreditVariant<P> {
  /** Letter, long name and request field of each pool parameter (-s with them sets, without them shows). */
  poolOpts: readonly (readonly [string, string, string])[];
  /** sched-credit also refuses -s with domain options, and pool parameters without -s. */
  strict: boolean;
  poolLine(name: string, params: P | null): string;
  getPool(d: DaemonClient, pool: string | undefined): Promise<{ name: string; params: P | null; error?: string } | undefined>;
  setPool(d: DaemonClient, pool: string | undefined, params: Record<string, number | undefined>): Promise<unknown>;
  list(d: DaemonClient, q: { pool?: string; dom?: string }): Promise<PoolRows<P>[]>;
  setDomain(d: DaemonClient, dom: string, weight: number | undefined, cap: number | undefined): Promise<unknown>;
}

const CREDIT2: CreditVariant<number> = {
  poolOpts: [['r', 'ratelimit_us', 'ratelimitUs']],
  strict: false,
  poolLine: formatCredit2PoolLine,
  getPool: async (d, pool) => {
    const first = (await d.request('sched.credit2.get', { pool })).pools[0];
    if (!first) return undefined;
    const error = 'libxl: error: libxl_sched.c:362:libxl_sched_credit2_params_get: getting Credit2 scheduler parameters: Invalid argument\nlibxl_sched_credit2_params_get failed.';
    return { name: first.name, params: first.ratelimitUs, error: first.ratelimitUs === null ? error : undefined };
  },
  setPool: (d, pool, p) => d.request('sched.credit2.setPool', { pool, ratelimitUs: p.ratelimitUs! }),
  list: async (d, q) => (await d.request('sched.credit2.get', q)).pools.map(pl => ({ name: pl.name, params: pl.ratelimitUs, domains: pl.domains })),
  setDomain: (d, dom, weight, cap) => d.request('sched.credit2.set', { dom, weight, cap }),
};

const CREDIT: CreditVariant<SchedCreditPoolParams> = {
  poolOpts: [['t', 'tslice_ms', 'tsliceMs'], ['r', 'ratelimit_us', 'ratelimitUs'], ['m', 'migration_delay_us', 'migrDelayUs']],
  strict: true,
  poolLine: formatCreditPoolLine,
  getPool: async (d, pool) => {
    const r = await d.request('sched.credit.getPool', { pool });
    return { name: r.name, params: r.params, error: r.error };
  },
  setPool: (d, pool, p) => d.request('sched.credit.setPool', { pool, tsliceMs: p.tsliceMs, ratelimitUs: p.ratelimitUs, migrDelayUs: p.migrDelayUs }),
  list: async (d, q) => (await d.request('sched.credit.get', q)).pools.map(pl => ({ name: pl.name, params: pl, domains: pl.domains })),
  setDomain: (d, dom, weight, cap) => d.request('sched.credit.set', { dom, weight, cap }),
};

/** xl sched-credit and xl sched-credit2: a domain's weight and cap, a pool's parameters, or every domain of the scheduler's pools. */
const schedWeightCap = <P>(v: CreditVariant<P>): CommandRun => async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, {
    short: `d:w:c:p:${v.poolOpts.map(([o]) => `${o}:`).join('')}s`,
    long: [
      { name: 'domain', hasArg: true, val: 'd' }, { name: 'weight', hasArg: true, val: 'w' },
      { name: 'cap', hasArg: true, val: 'c' }, { name: 'schedparam', hasArg: false, val: 's' },
      ...v.poolOpts.map(([val, name]) => ({ name, hasArg: true, val })), { name: 'cpupool', hasArg: true, val: 'p' },
    ],
  }, 0);
  let dom: string | undefined, pool: string | undefined, weight: number | undefined, cap: number | undefined, schedparam = false;
  const poolParams: Record<string, number | undefined> = {};
  for (const [o, a] of p.opts) {
    const param = v.poolOpts.find(([letter]) => letter === o);
    if (o === 'd') dom = a;
    else if (o === 'w') weight = toInt(a!);
    else if (o === 'c') cap = toInt(a!);
    else if (o === 's') schedparam = true;
    else if (o === 'p') pool = a;
    else if (param) poolParams[param[2]] = toInt(a!);
  }
  const io = ctx.io;
  const domainOpts = dom !== undefined || weight !== undefined || cap !== undefined;
  if (v.strict && (pool !== undefined || schedparam) && domainOpts) { io.err('Specifying a cpupool or schedparam is not allowed with domain options.\n'); return 1; }
  if (!v.strict && pool !== undefined && domainOpts) { io.err('Specifying a cpupool is not allowed with other options.\n'); return 1; }
  if (dom === undefined && (weight !== undefined || cap !== undefined)) { io.err('Must specify a domain.\n'); return 1; }
  const setsPool = Object.keys(poolParams).length > 0;
  if (v.strict && !schedparam && setsPool) { io.err('Must specify schedparam to set schedule parameter values.\n'); return 1; }
  const d = await ctx.daemon();
  if (schedparam) {
    if (setsPool) { await v.setPool(d, pool, poolParams); return 0; }
    const r = await v.getPool(d, pool);
    if (r?.error) io.err(`${r.error}\n`);
    if (r) io.out(v.poolLine(r.name, r.params));
    return 0;
  }
  if (dom === undefined) {
    // sched_domain_output lists the pools of this scheduler only.
    for (const pl of await v.list(d, { pool })) if (pl.params !== null) io.out(v.poolLine(pl.name, pl.params) + CREDIT2_HEADER + pl.domains.map(formatCredit2Row).join(''));
    return 0;
  }
  const domid = String(await findDomain(ctx, dom));
  if (weight === undefined && cap === undefined) {
    io.out(CREDIT2_HEADER);
    for (const pl of await v.list(d, { dom: domid })) io.out(pl.domains.map(formatCredit2Row).join(''));
    return 0;
  }
  await v.setDomain(d, domid, weight, cap);
  return 0;
};

const cpupoolList: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: 'c', long: [{ name: 'cpus', hasArg: false, val: 'c' }] }, 0);
  const pools = await (await ctx.daemon()).request('cpupool.list', { pool: p.positionals[0] });
  ctx.io.out(formatCpupoolList(pools, p.opts.some(([o]) => o === 'c')));
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
  'sched-credit2': schedWeightCap(CREDIT2), 'cpupool-list': cpupoolList, 'sched-credit': schedWeightCap(CREDIT), 'sched-rtds': schedRtds,
};
