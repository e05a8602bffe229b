// Information commands: list, vm-list, claims, info, uptime, domid, domname, dmesg, top.
import { join } from 'node:path';
import { findDomain, parseArgs, optionMap, type CommandRun } from './command.ts';
import { formatInfo } from './printers/info.ts';
import { formatList, formatSharing, formatVmList } from './printers/list.ts';
import { formatUptimeRow, formatUptimeShort, UPTIME_HEADER } from './printers/uptime.ts';
import { strtol } from '../../formats/libc/strtol.ts';

const list: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, {
    short: 'lvZcn',
    long: [
      { name: 'long', hasArg: false, val: 'l' }, { name: 'verbose', hasArg: false, val: 'v' },
      { name: 'context', hasArg: false, val: 'Z' }, { name: 'cpupool', hasArg: false, val: 'c' },
      { name: 'numa', hasArg: false, val: 'n' },
    ],
  }, 0);
  if (p.positionals.length > 1) { ctx.io.out(self.helpText); return 1; }
  const o = optionMap(p);
  const doms = p.positionals.length ? p.positionals : undefined;
  const d = await ctx.daemon();
  if (o.has('l')) {
    const configs = await d.request('domain.configs', { doms });
    const { formatListLong } = await import('../../formats/libxl-json.ts');
    ctx.io.out(formatListLong(configs as unknown as Parameters<typeof formatListLong>[0]));
    return 0;
  }
  const domains = await d.request('domain.list', { doms });
  ctx.io.out(formatList(domains, { verbose: o.has('v'), context: o.has('Z'), cpupool: o.has('c'), numa: o.has('n') }));
  return 0;
};

const vmList: CommandRun = async (ctx, argv, self) => {
  parseArgs(ctx, argv, self, { short: '' }, 0);
  ctx.io.out(formatVmList(await (await ctx.daemon()).request('domain.list', {})));
  return 0;
};

const sharing: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: '' }, 0);
  if (p.positionals.length > 1) { ctx.io.out(self.helpText); return 1; }
  const doms = p.positionals.length ? p.positionals : undefined;
  ctx.io.out(formatSharing(await (await ctx.daemon()).request('domain.list', { doms })));
  return 0;
};

const claims: CommandRun = async (ctx, argv, self) => {
  parseArgs(ctx, argv, self, { short: '' }, 0);
  ctx.io.out(formatList(await (await ctx.daemon()).request('domain.list', {}), { claim: true }));
  return 0;
};

const info: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: 'n', long: [{ name: 'numa', hasArg: false, val: 'n' }] }, 0);
  const numa = optionMap(p).has('n');
  const host = await (await ctx.daemon()).request('host.info', {});
  ctx.io.out(formatInfo(host, { numa, field: numa ? undefined : p.positionals[0] }));
  return 0;
};

const uptime: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: 's' }, 0);
  const short = optionMap(p).has('s');
  const d = await ctx.daemon();
  const all = await d.request('domain.list', {});
  // Named domains in argument order; an id with no domain prints nothing (it has no start time).
  const ids = p.positionals.length ? await Promise.all(p.positionals.map(q => findDomain(ctx, q))) : all.map(x => x.domid);
  const domains = ids.flatMap(id => all.filter(x => x.domid === id));
  const now = short ? new Date((await d.request('clock.get', {})).wallMs) : undefined;
  if (!short) ctx.io.out(UPTIME_HEADER);
  for (const dom of domains) {
    const name = dom.name ?? '(null)';
    ctx.io.out(now ? formatUptimeShort(now, name, dom.domid, dom.uptimeSec) : formatUptimeRow(name, dom.domid, dom.uptimeSec));
  }
  return 0;
};

const domid: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: '' }, 1);
  const name = p.positionals[0];
  // libxl_name_to_domid: a lookup by name only, digits included.
  const dom = (await (await ctx.daemon()).request('domain.list', {})).find(x => x.name === name);
  if (!dom) {
    ctx.io.err(`Can't get domid of domain name '${name}', maybe this domain does not exist.\n`);
    return 1;
  }
  ctx.io.out(`${dom.domid}\n`);
  return 0;
};

const domname: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: '' }, 1);
  // strtol into a uint32_t domid.
  const { value, end } = strtol(p.positionals[0], 10);
  if (end === 0) { ctx.io.err('Invalid domain id.\n\n'); return 1; }
  const id = Number(BigInt.asUintN(32, value));
  const dom = (await (await ctx.daemon()).request('domain.list', {})).find(x => x.domid === id);
  if (!dom || dom.name === null) {
    ctx.io.err(`Can't get domain name of domain id '${id}', maybe this domain does not exist.\n`);
    return 1;
  }
  ctx.io.out(`${dom.name}\n`);
  return 0;
};

const dmesg: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: 'c', long: [{ name: 'clear', hasArg: false, val: 'c' }] }, 0);
  const r = await (await ctx.daemon()).request('host.dmesg', { clear: optionMap(p).has('c') });
  ctx.io.out(r.text);
  return 0;
};

/** xl top is system("xentop"): ours runs the xentop installed beside this xl. */
const top: CommandRun = async (ctx, argv, self) => {
  parseArgs(ctx, argv, self, { short: '' }, 0);
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(join(ctx.binDir, 'xentop'), [], { stdio: 'inherit' });
  if (r.error) { ctx.io.err(`xl top: cannot run xentop: ${r.error.message}\n`); return 1; }
  return r.status ?? 1;
};

export const infoCommands: Record<string, CommandRun> = {
  list, 'vm-list': vmList, sharing, claims, info, uptime, domid, domname, dmesg, top,
};
