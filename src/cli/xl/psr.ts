// psr-* (xl_psr.c): Intel RDT — hardware info, cache monitoring (CMT/MBM) per domain, cache
// allocation (CAT) and memory bandwidth allocation (MBA) per domain and socket, printed in xl's
// formats. libxl's refusals arrive as its log lines with xl's exit status.
import { strtol } from '../../formats/libc/strtol.ts';
import type { PsrCmtType, PsrHwInfo, PsrValType } from '../../protocol/psr.ts';
import { findDomain, optionMap, parseArgs, type CommandRun, type XlContext } from './command.ts';

/** xl's exit status when a function returns libxl's ERROR_FAIL (-3). */
const EXIT_ERROR_FAIL = 253;
const hex = (n: number | bigint): string => (BigInt(n) === 0n ? '0' : `0x${BigInt(n).toString(16)}`);
const field = (name: string, value: string | number): string => `${name.padEnd(16)}: ${value}\n`;

function cmtHwinfo(h: PsrHwInfo): string {
  let t = 'Cache Monitoring Technology (CMT):\n' + field('Enabled', h.cmt.enabled ? '1' : '0');
  if (!h.cmt.enabled) return t;
  t += field('Total RMID', h.cmt.totalRmid) + 'Supported monitor types:\n';
  return t + h.cmt.types.map(x => `${x}\n`).join('');
}

function l3CatHwinfo(h: PsrHwInfo): string {
  if (!h.l3Cat) return '';
  let t = 'Cache Allocation Technology (CAT):\n';
  for (const s of h.sockets) {
    t += field('Socket ID', s) + field('L3 Cache', `${h.l3CacheKb}KB`) + field('CDP Status', h.l3Cat.cdp ? 'Enabled' : 'Disabled');
    t += field('Maximum COS', h.l3Cat.cosMax) + field('CBM length', h.l3Cat.cbmLen) + field('Default CBM', hex((1n << BigInt(h.l3Cat.cbmLen)) - 1n));
  }
  return t;
}

function mbaHwinfo(h: PsrHwInfo): string {
  if (!h.mba) return '';
  let t = 'Memory Bandwidth Allocation (MBA):\n';
  for (const s of h.sockets) {
    t += `Socket ID               : ${s}\nLinear Mode             : ${h.mba.linear ? 'Enabled' : 'Disabled'}\n`;
    t += `Maximum COS             : ${h.mba.cosMax}\nMaximum Throttling Value: ${h.mba.thrtlMax}\nDefault Throttling Value: 0\n`;
  }
  return t;
}

/** main_psr_hwinfo: a failing section (L2 CAT, absent on this CPU) prints nothing but sets the status. */
const psrHwinfo: CommandRun = async (ctx, argv, self) => {
  const o = optionMap(parseArgs(ctx, argv, self, { short: 'mab', long: [{ name: 'cmt', hasArg: false, val: 'm' }, { name: 'cat', hasArg: false, val: 'a' }, { name: 'mba', hasArg: false, val: 'b' }] }, 0));
  const all = !o.has('m') && !o.has('a') && !o.has('b');
  const h = await (await ctx.daemon()).request('psr.hwinfo', {});
  let ret = 0;
  if (all || o.has('m')) ctx.io.out(cmtHwinfo(h));
  if (all || o.has('a')) {
    ctx.io.out(l3CatHwinfo(h));
    ret = h.l2Cat ? 0 : EXIT_ERROR_FAIL;
  }
  if (all || o.has('b')) { ctx.io.out(mbaHwinfo(h)); ret = h.mba ? 0 : EXIT_ERROR_FAIL; }
  return ret;
};

const cmtAttach = (detach: boolean): CommandRun => async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: '' }, 1);
  const domid = await findDomain(ctx, p.positionals[0]!);
  await (await ctx.daemon()).request('psr.cmtAttach', { domid, detach });
  return 0;
};

const CMT_TYPES: readonly PsrCmtType[] = ['cache-occupancy', 'total-mem-bandwidth', 'local-mem-bandwidth'];

/** psr_cmt_show: the header, the L3 size for occupancy, and each attached domain's samples. */
const psrCmtShow: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: '' }, 1);
  const type = CMT_TYPES.find(t => t === p.positionals[0]);
  if (!type || p.positionals.length > 2) { ctx.io.out(self.helpText); return 2; }
  const domid = p.positionals.length === 2 ? await findDomain(ctx, p.positionals[1]!) : undefined;
  const d = await ctx.daemon();
  const h = await d.request('psr.hwinfo', {});
  const { domains } = await d.request('psr.cmtShow', { type, domid });
  let t = `Total RMID: ${h.cmt.totalRmid}\n${'Name'.padEnd(40)} ${'ID'.padStart(5)}${h.sockets.map(s => `${'Socket'.padStart(14)} ${s}`).join('')}\n`;
  if (type === 'cache-occupancy') t += `${'Total L3 Cache Size'.padEnd(46)}${h.sockets.map(() => `${String(h.l3CacheKb).padStart(13)} KB`).join('')}\n`;
  for (const x of domains) {
    t += `${x.name.padEnd(40)} ${String(x.domid).padStart(5)}`;
    t += x.values.map(v => (type === 'cache-occupancy' ? `${String(Math.floor(v / 1024)).padStart(13)} KB` : `${String(Math.floor(v / 1024)).padStart(11)} KB/s`)).join('');
    t += '\n';
  }
  ctx.io.out(t);
  return 0;
};

/** -s: sockets as a comma list of numbers and ranges (xl's parse_range). */
function socketList(arg: string): number[] {
  const out: number[] = [];
  for (const item of arg.trim().split(',')) {
    const [a, b] = item.split('-').map(x => Number(strtol(x, 10).value));
    for (let s = a!; s <= (b ?? a!); s++) out.push(s);
  }
  return out;
}

/** The value as strtoll(arg, NULL, 0) reads it, as the uint64 libxl is handed. */
const strtollU64 = (s: string): string => BigInt.asUintN(64, strtol(s, 0).value).toString();

const psrCatSet: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, {
    short: 's:l:cd',
    long: [{ name: 'socket', hasArg: true, val: 's' }, { name: 'data', hasArg: false, val: 'd' }, { name: 'code', hasArg: false, val: 'c' }, { name: 'level', hasArg: true, val: 'l' }],
  }, 2);
  let sockets: number[] | undefined, lvl = 3, data = false, code = false;
  for (const [o, a] of p.opts) {
    if (o === 's') sockets = [...(sockets ?? []), ...socketList(a!)];
    else if (o === 'l') lvl = Number(BigInt.asIntN(32, strtol(a!, 10).value));
    else if (o === 'd') data = true;
    else if (o === 'c') code = true;
  }
  if (lvl === 3 && data && code) { ctx.io.err('Cannot handle -c and -d at the same time\n'); return 1; }
  if (lvl !== 2 && lvl !== 3) { ctx.io.err(`Input lvl ${lvl} is wrong\n`); return 1; }
  if (p.positionals.length !== 2) { ctx.io.out(self.helpText); return 2; }
  const domid = await findDomain(ctx, p.positionals[0]!);
  const value = strtollU64(p.positionals[1]!);
  const type: PsrValType = lvl === 2 ? 'l2-cbm' : data ? 'l3-cbm-data' : code ? 'l3-cbm-code' : 'l3-cbm';
  await (await ctx.daemon()).request('psr.setVal', { domid, type, sockets, value });
  return 0;
};

const psrMbaSet: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: 's:', long: [{ name: 'socket', hasArg: true, val: 's' }] }, 0);
  let sockets: number[] | undefined;
  for (const [o, a] of p.opts) if (o === 's') sockets = [...(sockets ?? []), ...socketList(a!)];
  if (p.positionals.length !== 2) { ctx.io.out(self.helpText); return 1; }
  const domid = await findDomain(ctx, p.positionals[0]!);
  await (await ctx.daemon()).request('psr.setVal', { domid, type: 'mba-thrtl', sockets, value: strtollU64(p.positionals[1]!) });
  return 0;
};

/** psr_val_show: per socket its header and each domain's value. */
async function valShow(ctx: XlContext, type: 'l3-cbm' | 'mba-thrtl', domid: number | undefined): Promise<number> {
  const d = await ctx.daemon();
  const h = await d.request('psr.hwinfo', {});
  const { domains } = await d.request('psr.showVal', { type, domid });
  let t = '';
  h.sockets.forEach((s, i) => {
    t += field('Socket ID', s);
    if (type === 'l3-cbm') {
      t += field('L3 Cache', `${h.l3CacheKb}KB`) + field('Default CBM', hex((1n << BigInt(h.l3Cat!.cbmLen)) - 1n));
      t += `${'ID'.padStart(5)}${'NAME'.padStart(25)}${'CBM'.padStart(16)}\n`;
    } else {
      t += field('Default THRTL', 0) + `${'ID'.padStart(5)}${'NAME'.padStart(25)}${'THRTL'.padStart(16)}\n`;
    }
    for (const x of domains) {
      const v = x.values[i]!;
      t += `${String(x.domid).padStart(5)}${x.name.padStart(25)}${(type === 'mba-thrtl' && h.mba!.linear ? String(v) : hex(v)).padStart(16)}\n`;
    }
  });
  ctx.io.out(t);
  return 0;
}

const psrCatShow: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: 'l:', long: [{ name: 'level', hasArg: true, val: 'l' }] }, 0);
  let lvl = 3;
  for (const [o, a] of p.opts) if (o === 'l') lvl = Number(BigInt.asIntN(32, strtol(a!, 10).value));
  if (p.positionals.length > 1) { ctx.io.out(self.helpText); return 2; }
  const domid = p.positionals.length ? await findDomain(ctx, p.positionals[0]!) : undefined;
  if (lvl !== 2 && lvl !== 3) { ctx.io.err(`Input lvl ${lvl} is wrong\n`); return 1; }
  // libxl_psr_get_hw_info fails for L2 CAT on this CPU without a log line.
  if (lvl === 2) { ctx.io.err('Failed to get info\n'); return EXIT_ERROR_FAIL; }
  return valShow(ctx, 'l3-cbm', domid);
};

const psrMbaShow: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: '' }, 0);
  if (p.positionals.length > 1) { ctx.io.out(self.helpText); return 2; }
  const domid = p.positionals.length ? await findDomain(ctx, p.positionals[0]!) : undefined;
  return valShow(ctx, 'mba-thrtl', domid);
};

export const psrCommands: Record<string, CommandRun> = {
  'psr-hwinfo': psrHwinfo, 'psr-cmt-attach': cmtAttach(false), 'psr-cmt-detach': cmtAttach(true), 'psr-cmt-show': psrCmtShow,
  'psr-cat-set': psrCatSet, 'psr-cat-show': psrCatShow, 'psr-mba-set': psrMbaSet, 'psr-mba-show': psrMbaShow,
};
