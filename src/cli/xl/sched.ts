// sched-credit2 and cpupool-list (xl_sched.c, xl_cpupool.c). The parameter range checks are
// libxl's (libxl_sched.c in 4.17, whose line numbers appear in its messages); they need no
// hypervisor state beyond the domain's vCPU count, so they are made here before asking the daemon.
import { findDomain, parseArgs, type CommandRun } from './command.ts';
import { strtol } from '../../formats/libc/strtol.ts';
import { CREDIT2_HEADER, formatCpupoolList, formatCredit2PoolLine, formatCredit2Row } from './printers/sched.ts';

/** libxl's `Domain N:` prefix appears for guest domids only. */
const domainCtx = (domid: number) => (domid >= 1 && domid <= 0x7fef ? `Domain ${domid}:` : '');

/** The libxl errors for a credit2 domain parameter out of range, or null when acceptable. */
export function credit2DomainParamError(domid: number, maxVcpuId: number, weight?: number, cap?: number): string | null {
  if (weight !== undefined && weight !== -1 && (weight < 1 || weight > 65535))
    return `libxl: error: libxl_sched.c:445:sched_credit2_domain_set: ${domainCtx(domid)}Cpu weight out of range, valid values are within range from 1 to 65535\n`;
  const maxCap = (maxVcpuId + 1) * 100;
  if (cap !== undefined && cap !== -1 && (cap < 0 || cap > maxCap))
    return `libxl: error: libxl_sched.c:455:sched_credit2_domain_set: ${domainCtx(domid)}Cpu cap out of range, valid range is from 0 to ${maxCap} for specified number of vcpus\n`;
  return null;
}

/** sched_ratelimit_check: 0 (off) or 100..500000 µs. */
export function ratelimitError(us: number): string | null {
  return us !== 0 && (us < 100 || us > 500000)
    ? 'libxl: error: libxl_sched.c:270:sched_ratelimit_check: Ratelimit out of range, valid range is from 100 to 500000\n'
    : null;
}

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
  if (schedparam && ratelimit !== undefined) {
    const e = ratelimitError(ratelimit);
    if (e) { io.err(e + 'libxl_sched_credit2_params_set failed.\n'); return 1; }
  }
  const d = await ctx.daemon();
  if (schedparam) {
    if (ratelimit === undefined) {
      const r = await d.request('sched.credit2.get', { pool: pool ?? undefined });
      const first = r.pools[0];
      if (first) io.out(formatCredit2PoolLine(first.name, first.ratelimitUs));
      return 0;
    }
    await d.request('sched.credit2.setPool', { pool, ratelimitUs: ratelimit });
    return 0;
  }
  if (dom === undefined) {
    const r = await d.request('sched.credit2.get', { pool });
    for (const pl of r.pools) io.out(formatCredit2PoolLine(pl.name, pl.ratelimitUs) + CREDIT2_HEADER + pl.domains.map(formatCredit2Row).join(''));
    return 0;
  }
  const domid = await findDomain(ctx, dom);
  if (weight === undefined && cap === undefined) {
    io.out(CREDIT2_HEADER);
    const r = await d.request('sched.credit2.get', { dom: String(domid) });
    for (const pl of r.pools) io.out(pl.domains.map(formatCredit2Row).join(''));
    return 0;
  }
  const info = (await d.request('domain.list', {})).find(x => x.domid === domid);
  const e = info && credit2DomainParamError(domid, info.vcpuMaxId, weight, cap);
  if (e) { io.err(e + 'libxl_domain_sched_params_set failed.\n'); return 1; }
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
