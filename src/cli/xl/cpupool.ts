// The cpupool commands of xl_cpupool.c (cpupool-list stays with sched.ts): xl's own argument
// handling, config parsing and checks, in its words; the toolstack does the rest and answers
// libxl's messages.
import { parseArgs, type CommandRun, type XlContext } from './command.ts';
import { readConfigFile } from './create.ts';
import { parseCpuRange, type CpuTopology } from './cpurange.ts';
import { composeConfigText, getList, getString, listItem, parseXlCfg, type XlCfg } from '../../formats/xlcfg/config.ts';
import { atoi } from '../../formats/libc/strtol.ts';

/** libxl_scheduler_from_string: the libxl_scheduler enum's names. */
const LIBXL_SCHEDULERS = ['unknown', 'sedf', 'credit', 'credit2', 'arinc653', 'rtds', 'null'];

const noOptions = (ctx: XlContext, argv: string[], self: Parameters<CommandRun>[2], n: number) => parseArgs(ctx, argv, self, { short: '', long: [] }, n).positionals;

async function topology(ctx: XlContext): Promise<CpuTopology> {
  const host = await (await ctx.daemon()).request('host.info', {});
  return { nrCpus: host.nrCpus, nodeOfCpu: host.cpuTopology.map(c => c.node) };
}

const cpupoolCreate: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: 'nf:', long: [{ name: 'defconfig', hasArg: true, val: 'f' }, { name: 'dryrun', hasArg: false, val: 'n' }] }, 0);
  const io = ctx.io;
  let file: string | undefined, dryRun = ctx.globals.dryRun;
  for (const [o, a] of p.opts) { if (o === 'f') file = a; else if (o === 'n') dryRun = true; }
  const overrides: string[] = [];
  for (const a of p.positionals) {
    if (a.includes('=')) overrides.push(a);
    else if (file === undefined) file = a;
    else { io.out(self.helpText); return 1; }
  }
  let text = '';
  if (file !== undefined) {
    const r = readConfigFile(file);
    if ('lines' in r) { io.err(r.lines.map(l => `${l}\n`).join('')); return 1; }
    text = r.text;
  }
  const source = file ?? 'command line';
  const parsed = parseXlCfg(composeConfigText(text, overrides), source);
  if ('errors' in parsed) { io.err(parsed.errors.map(l => `${l}\n`).join('') + 'Failed to parse config file: Invalid argument\n'); return 1; }
  const cfg = parsed.cfg;
  const warnings: string[] = [];
  const warn = () => { io.err(warnings.splice(0).map(l => `${l}\n`).join('')); };

  const given = getString(cfg, 'name', warnings);
  warn();
  const name = given ?? (file !== undefined ? file.slice(file.lastIndexOf('/') + 1) : undefined);
  if (name === undefined) { io.err('Missing cpupool name!\n'); return 1; }
  const d = await ctx.daemon();
  if ((await d.request('cpupool.list', {})).some(x => x.name === name)) { io.err(`Pool name "${name}" already exists\n`); return 1; }

  let sched = getString(cfg, 'sched', warnings);
  warn();
  if (sched !== undefined && !LIBXL_SCHEDULERS.includes(sched)) { io.err('Unknown scheduler\n'); return 1; }
  sched ??= (await d.request('host.info', {})).scheduler;

  const free = new Set((await d.request('cpupool.free', {})).cpus);
  const chosen = await poolCpus(ctx, cfg, free, warnings);
  if (!chosen) return 1;

  io.out(`Using config file "${source}"\ncpupool name:   ${name}\nscheduler:      ${sched}\nnumber of cpus: ${chosen.count}\n`);
  if (!dryRun) await d.request('cpupool.create', { name, sched, cpus: [...chosen.cpus].sort((a, b) => a - b) });
  return 0;
};

/**
 * nodes= (their free pCPUs), else cpus= as a list or as a cpu range, each of them free; null
 * after xl's error. `count` is xl's "number of cpus", which counts a pCPU named twice twice.
 */
async function poolCpus(ctx: XlContext, cfg: XlCfg, free: Set<number>, warnings: string[]): Promise<{ cpus: Set<number>; count: number } | null> {
  const io = ctx.io;
  const flush = () => { io.err(warnings.splice(0).map(l => `${l}\n`).join('')); };
  const cpus = new Set<number>();
  let count = 0;
  const nodes = getList(cfg, 'nodes', warnings);
  flush();
  if (nodes) {
    const topo = await topology(ctx);
    for (let i = 0; listItem(nodes, i) !== null; i++) {
      const n = atoi(listItem(nodes, i)!);
      topo.nodeOfCpu.forEach((node, c) => { if (node === n && free.has(c)) { cpus.add(c); count++; } });
    }
    if (!count) { io.err('no free cpu found\n'); return null; }
    return { cpus, count };
  }
  const list = getList(cfg, 'cpus', warnings, true);
  if (list) {
    for (let i = 0; listItem(list, i) !== null; i++) {
      const c = atoi(listItem(list, i)!);
      if (c < 0 || !free.has(c)) { io.err(`cpu ${c} illegal or not free\n`); return null; }
      cpus.add(c);
      count++;
    }
    return { cpus, count };
  }
  const range = getString(cfg, 'cpus', warnings);
  flush();
  if (range === undefined) return { cpus, count };
  const map = parseCpuRange(io, range, await topology(ctx));
  if (!map) return null;
  for (const c of [...map].sort((a, b) => a - b)) if (!free.has(c)) { io.err(`cpu ${c} illegal or not free\n`); return null; }
  return { cpus: map, count: map.size };
}

const cpupoolDestroy: CommandRun = async (ctx, argv, self) => {
  const [pool] = noOptions(ctx, argv, self, 1);
  await (await ctx.daemon()).request('cpupool.destroy', { pool: pool! });
  return 0;
};

const cpupoolRename: CommandRun = async (ctx, argv, self) => {
  const [pool, name] = noOptions(ctx, argv, self, 2);
  await (await ctx.daemon()).request('cpupool.rename', { pool: pool!, name: name! });
  return 0;
};

/** cpupool-cpu-add and -remove: the pCPUs (a cpu range, node:N included), then the pool. */
const cpuMove = (request: 'cpupool.cpuAdd' | 'cpupool.cpuRemove'): CommandRun => async (ctx, argv, self) => {
  const [pool, range] = noOptions(ctx, argv, self, 2);
  const map = parseCpuRange(ctx.io, range!, await topology(ctx));
  if (!map) return 1;
  await (await ctx.daemon()).request(request, { pool: pool!, cpus: [...map].sort((a, b) => a - b) });
  return 0;
};

const cpupoolMigrate: CommandRun = async (ctx, argv, self) => {
  const [dom, pool] = noOptions(ctx, argv, self, 2);
  await (await ctx.daemon()).request('cpupool.migrate', { dom: dom!, pool: pool! });
  return 0;
};

const cpupoolNumaSplit: CommandRun = async (ctx, argv, self) => {
  noOptions(ctx, argv, self, 0);
  await (await ctx.daemon()).request('cpupool.numaSplit', {});
  return 0;
};

export const cpupoolCommands: Record<string, CommandRun> = {
  'cpupool-create': cpupoolCreate, 'cpupool-destroy': cpupoolDestroy, 'cpupool-rename': cpupoolRename,
  'cpupool-cpu-add': cpuMove('cpupool.cpuAdd'), 'cpupool-cpu-remove': cpuMove('cpupool.cpuRemove'),
  'cpupool-migrate': cpupoolMigrate, 'cpupool-numa-split': cpupoolNumaSplit,
};
