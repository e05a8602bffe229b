// xenpm (tools/misc/xenpm.c): the hypervisor's power management from Dom0 — C-state and P-state
// statistics, cpufreq parameters and governors, the C-state limit, turbo, and a statistics
// window (`start`, which on the virtual clock lasts simulated seconds). Commands match by
// prefix; messages and exit statuses (errno values) are xenpm's.
import { writeSync } from 'node:fs';
import { connectDaemon } from '../../client/autostart.ts';
import type { Connection } from '../../client/connection.ts';
import { hostPaths } from '../../protocol/paths.ts';
import { ToolError } from '../../protocol/wire.ts';
import type { HostInfo } from '../../protocol/host.ts';
import { CX_UNLIMITED, type PmSetting } from '../../protocol/pm.ts';
import { formatCpufreqPara, formatCxStat, formatGather, formatMaxCstate, formatPxStat, type GatherSnapshot } from './format.ts';
import { HELP } from './help.ts';

const out = (s: string): void => { if (s) writeSync(1, s); };
const err = (s: string): void => { if (s) writeSync(2, s); };

const EINVAL = 22, EIO = 5;
const ERRNO: Record<string, [number, string]> = {
  EINVAL: [22, 'Invalid argument'], ENODEV: [19, 'No such device'], ENOSYS: [38, 'Function not implemented'],
};
const errnoText = (e: unknown): string => {
  const [n, s] = (e instanceof ToolError && ERRNO[e.code]) || [EINVAL, 'Invalid argument'];
  return `(${n} - ${s})`;
};

class Exit extends Error { constructor(readonly status: number) { super(`exit ${status}`); } }

/** sscanf("%d"): the leading integer, or undefined. */
function scanInt(s: string): number | undefined {
  const m = /^\s*[+-]?\d+/.exec(s);
  return m ? Number(BigInt.asIntN(32, BigInt(m[0].trim()))) : undefined;
}

/** parse_cpuid: a pCPU number or "all" (-1). */
function parseCpuid(arg: string): number {
  const n = scanInt(arg);
  if (n === undefined || n < 0) {
    if (arg.toLowerCase() !== 'all') { err(`Invalid CPU identifier: '${arg}'\n`); throw new Exit(EINVAL); }
    return -1;
  }
  return n;
}

/** parse_cpuid_and_int: `[cpuid] <value>`. */
function parseCpuidAndInt(args: string[], what: string): { cpu: number; value: number } {
  if (args.length === 0) { err(`Missing ${what}\n`); throw new Exit(EINVAL); }
  const cpu = args.length > 1 ? parseCpuid(args[0]!) : -1;
  const arg = args[args.length > 1 ? 1 : 0]!;
  const value = scanInt(arg);
  if (value === undefined) { err(`Invalid ${what} '${arg}'\n`); throw new Exit(EINVAL); }
  return { cpu, value };
}

interface Ctx { conn: Connection; maxCpuNr: number; info: HostInfo }

/** One call per pCPU (cpu -1: all of them), failures as xenpm words them. */
async function setEach(c: Ctx, cpu: number, setting: PmSetting, value: string, what: string): Promise<void> {
  const cpus = cpu < 0 ? Array.from({ length: c.maxCpuNr }, (_, i) => i) : [cpu];
  for (const i of cpus) {
    try { await c.conn.request('pm.set', { cpu: i, setting, value }); } catch (e) {
      if (!(e instanceof ToolError) || e.exitCode === 0) throw e;
      err(`${cpu < 0 ? `[CPU${i}] ` : ''}failed to ${what} ${errnoText(e)}\n`);
    }
  }
}

/** A statistics call that fails prints nothing (xenpm moves on). */
async function quietly<T>(f: () => Promise<T>): Promise<T | null> {
  try { return await f(); } catch (e) { if (e instanceof ToolError) return null; throw e; }
}

const allOr = (c: Ctx, args: string[]): number[] => {
  const cpu = args.length > 0 ? parseCpuid(args[0]!) : -1;
  return cpu < 0 ? Array.from({ length: c.maxCpuNr }, (_, i) => i) : [cpu];
};

type Command = (c: Ctx, args: string[]) => Promise<void>;

const scalingSetter = (setting: PmSetting, what: string, label: string): Command => async (c, args) => {
  const { cpu, value } = parseCpuidAndInt(args, what);
  await setEach(c, cpu, setting, String(value), label);
};

const turbo = (on: boolean): Command => async (c, args) => {
  const cpu = args.length > 0 ? parseCpuid(args[0]!) : -1;
  await setEach(c, cpu, 'turbo', on ? '1' : '0', `${on ? 'enable' : 'disable'} turbo mode`);
};

async function gather(c: Ctx, args: string[]): Promise<void> {
  let timeout = 0;
  if (args.length === 1) {
    timeout = scanInt(args[0]!) ?? 0;
    if (timeout <= 0) err('failed to set timeout seconds, falling back...\n');
    else out(`Timeout set to ${timeout} seconds\n`);
  }
  const cpus = Array.from({ length: c.maxCpuNr }, (_, i) => i);
  const snapshot = async (): Promise<GatherSnapshot & { avg: number[]; ns: bigint }> => {
    const ns = BigInt((await c.conn.request('clock.get', {})).nowNs);
    const cx = [], px = [], avg = [];
    for (const cpu of cpus) {
      cx.push(await quietly(() => c.conn.request('pm.cxStat', { cpu })));
      px.push(await quietly(() => c.conn.request('pm.pxStat', { cpu })));
      avg.push((await quietly(() => c.conn.request('pm.avgFreq', { cpu })))?.khz ?? 0);
    }
    return { cx, px, avg, ns };
  };
  const start = await snapshot();
  out('Start sampling, waiting for CTRL-C or SIGINT or SIGALARM signal ...\n');
  await new Promise<void>(resolve => {
    process.once('SIGINT', () => resolve());
    if (timeout > 0) void c.conn.request('pm.sleepUntil', { ns: String(start.ns + BigInt(timeout) * 1_000_000_000n) }).then(() => resolve());
  });
  const end = await snapshot();
  out(formatGather(Number((end.ns - start.ns) / 1_000_000n), start, end, end.avg, c.info.cpuTopology));
  throw new Exit(0);
}

async function setMaxCstate(c: Ctx, args: string[]): Promise<void> {
  const parse = (a: string): number | null => {
    const n = scanInt(a);
    if (n !== undefined) return n < 0 ? null : n;
    return a === 'unlimited' ? CX_UNLIMITED : null;
  };
  const value = args.length >= 1 && args.length <= 2 ? parse(args[0]!) : null;
  const sub = args.length === 2 ? parse(args[1]!) : CX_UNLIMITED;
  if (value === null || sub === null) { err('Missing, excess, or invalid argument(s)\n'); throw new Exit(EINVAL); }
  const name = value === CX_UNLIMITED ? args[0]! : `C${value}`;
  await c.conn.request('pm.set', { cpu: 0, setting: 'max-cstate', value: String(value) });
  out(`max C-state set to ${name}\n`);
  if (value !== CX_UNLIMITED) {
    await c.conn.request('pm.set', { cpu: 0, setting: 'max-csubstate', value: String(sub) });
    out(`max C-substate set to ${sub === CX_UNLIMITED ? 'unlimited' : sub} succeeded\n`);
  }
}

async function cpufreqPara(c: Ctx, args: string[]): Promise<void> {
  for (const cpu of allOr(c, args)) {
    try { out(formatCpufreqPara(cpu, await c.conn.request('pm.cpufreqPara', { cpu }))); } catch (e) {
      if (!(e instanceof ToolError)) throw e;
      err(`[CPU${cpu}] failed to get cpufreq parameter\n`);
    }
  }
}

/** get/set-vcpu-migration-delay: credit's parameters of Pool-0, which runs credit2 here. */
const migrationDelay = (set: boolean): Command => async (_c, args) => {
  err(`WARNING: using xenpm for this purpose is deprecated. Check out \`xl sched-credit -s${set ? ' -m DELAY' : ''}'\n`);
  if (set && (args.length !== 1 || (scanInt(args[0]!) ?? 0) < 0)) { err('Missing or invalid argument(s)\n'); throw new Exit(EINVAL); }
  if (set) { err('getting Credit scheduler parameters failed\n'); throw new Exit(EINVAL); }
  if (args.length) err('Ignoring argument(s)\n');
  err(`Failed to get scheduler vcpu migration delay ${errnoText(new ToolError('EINVAL', ''))}\n`);
};

const COMMANDS: [string, Command][] = [
  ['help', async () => err(HELP)],
  ['get-cpuidle-states', async (c, args) => {
    const cpus = allOr(c, args);
    out(formatMaxCstate(await c.conn.request('pm.maxCstate', {})));
    for (const cpu of cpus) { const s = await quietly(() => c.conn.request('pm.cxStat', { cpu })); if (s) out(formatCxStat(cpu, s)); }
  }],
  ['get-cpufreq-states', async (c, args) => {
    for (const cpu of allOr(c, args)) { const s = await quietly(() => c.conn.request('pm.pxStat', { cpu })); if (s) out(formatPxStat(cpu, s)); }
  }],
  ['get-cpufreq-average', async (c, args) => {
    for (const cpu of allOr(c, args)) {
      const a = await quietly(() => c.conn.request('pm.avgFreq', { cpu }));
      if (a) out(`cpu id               : ${cpu}\naverage cpu frequency: ${a.khz}\n\n`);
    }
  }],
  ['start', gather],
  ['get-cpufreq-para', cpufreqPara],
  ['set-scaling-maxfreq', scalingSetter('maxfreq', 'frequency', 'set scaling max freq')],
  ['set-scaling-minfreq', scalingSetter('minfreq', 'frequency', 'set scaling min freq')],
  ['set-scaling-governor', async (c, args) => {
    if (args.length === 0) { err('Missing argument(s)\n'); throw new Exit(EINVAL); }
    const cpu = args.length >= 2 ? parseCpuid(args[0]!) : -1;
    await setEach(c, cpu, 'governor', args[args.length >= 2 ? 1 : 0]!, 'set governor name');
  }],
  ['set-scaling-speed', scalingSetter('speed', 'speed', 'set scaling speed')],
  ['set-sampling-rate', scalingSetter('sampling-rate', 'rate', 'set scaling sampling rate')],
  ['set-up-threshold', scalingSetter('up-threshold', 'threshold', 'set up scaling threshold')],
  ['get-cpu-topology', async c => {
    out('CPU\tcore\tsocket\tnode\n');
    c.info.cpuTopology.forEach((t, i) => out(`CPU${i}\t ${t.core}\t ${t.socket}\t ${t.node}\n`));
  }],
  ['set-sched-smt', async (_c, args) => {
    if (args.length !== 1) { err('Missing or invalid argument(s)\n'); throw new Exit(EINVAL); }
    const a = args[0]!.toLowerCase();
    if (a !== 'disable' && a !== 'enable') { err(`Invalid argument: ${args[0]}\n`); throw new Exit(EINVAL); }
    // XEN_SYSCTL_pm_op_set_sched_opt_smt is no longer handled by Xen 4.17's do_pm_op.
    err(`${args[0]} sched_smt_power_savings failed ${errnoText(new ToolError('ENOSYS', ''))}\n`);
  }],
  ['get-vcpu-migration-delay', migrationDelay(false)],
  ['set-vcpu-migration-delay', migrationDelay(true)],
  ['set-max-cstate', setMaxCstate],
  ['enable-turbo-mode', turbo(true)],
  ['disable-turbo-mode', turbo(false)],
];

async function main(argv: string[]): Promise<number> {
  if (argv.length < 1) { err(HELP); return 0; }
  let conn: Connection;
  try { conn = await connectDaemon({ paths: hostPaths() }); } catch (e) {
    if (e instanceof ToolError) { err('failed to get the handler\n'); return EIO; }
    throw e;
  }
  try {
    const info = await conn.request('host.info', {});
    const ctx: Ctx = { conn, maxCpuNr: info.maxCpuId + 1, info };
    const matches = COMMANDS.filter(([name]) => name.startsWith(argv[0]!));
    if (matches.length > 1) { err(`Ambiguous options: ${matches.map(([n]) => ` ${n}`).join('')}\n`); return EINVAL; }
    if (matches.length === 0) { err(HELP); return EINVAL; }
    await matches[0]![1](ctx, argv.slice(1));
    return 0;
  } catch (e) {
    if (e instanceof Exit) return e.status;
    if (e instanceof ToolError) { err(`${e.message}\n`); return e.exitCode; }
    throw e;
  } finally {
    conn.close();
  }
}

main(process.argv.slice(2)).then(code => process.exit(code), e => { err(`xenpm: ${e instanceof Error ? e.message : String(e)}\n`); process.exit(1); });
