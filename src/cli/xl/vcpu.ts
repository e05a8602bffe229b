// vcpu-list, vcpu-pin, vcpu-set (xl_vcpu.c).
import { findDomain, parseArgs, optionMap, type CommandRun } from './command.ts';
import { parseCpuRange, type CpuTopology } from './cpurange.ts';
import { strtol, strtoul } from '../../formats/libc/strtol.ts';
import { formatCpuBitmap } from './printf.ts';
import { formatVcpuRow, VCPU_LIST_HEADER } from './printers/vcpu.ts';

const vcpuList: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: '' }, 0);
  const r = await (await ctx.daemon()).request('vcpu.list', { doms: p.positionals.length ? p.positionals : undefined });
  ctx.io.out(VCPU_LIST_HEADER + r.vcpus.map(v => formatVcpuRow(v, r.nrCpus)).join(''));
  return 0;
};

const vcpuPin: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, {
    short: 'fi',
    long: [{ name: 'force', hasArg: false, val: 'f' }, { name: 'ignore-global-affinity-masks', hasArg: false, val: 'i' }],
  }, 3);
  const opts = optionMap(p);
  const force = opts.has('f');
  const [dom, vcpuArg, hardStr, softStr] = p.positionals;
  const domid = await findDomain(ctx, dom);
  // strtol into an int vcpuid.
  const n = strtol(vcpuArg, 10);
  let vcpu: number | 'all' = Number(BigInt.asIntN(32, n.value));
  if (n.end === 0 || vcpu < 0) {
    if (vcpuArg !== 'all') { ctx.io.err(`Error: Invalid argument ${vcpuArg} as VCPU.\n`); return 1; }
    if (force) { ctx.io.err("Error: --force and 'all' as VCPU not allowed.\n"); return 1; }
    vcpu = 'all';
  }
  // Syntax errors come before anything is asked of the hypervisor.
  const anyTopo: CpuTopology = { nrCpus: 8, nodeOfCpu: [] };
  for (const s of [hardStr, softStr]) if (s !== undefined && s !== '-' && !parseCpuRange(ctx.io, s, anyTopo)) return 1;
  const d = await ctx.daemon();
  const host = await d.request('host.info', {});
  const topo: CpuTopology = { nrCpus: host.nrCpus, nodeOfCpu: host.cpuTopology.map(c => c.node) };
  let hard: Set<number> | null = null;
  let soft: Set<number> | null = null;
  if (hardStr !== '-') { hard = parseCpuRange(ctx.io, hardStr, topo); if (!hard) return 1; }
  if (softStr !== undefined && softStr !== '-') { soft = parseCpuRange(ctx.io, softStr, topo); if (!soft) return 1; }
  if (ctx.globals.dryRun) {
    let t = 'cpumap: ' + (hard ? formatCpuBitmap(hard, host.nrCpus) : '-');
    if (soft) t += ' ' + formatCpuBitmap(soft, host.nrCpus);
    ctx.io.out(t + '\n');
    return 0;
  }
  const list = (s: Set<number> | null) => s && [...s].filter(c => c < host.nrCpus).sort((a, b) => a - b);
  // xl intersects the hard affinity with xl.conf's global masks (all pCPUs here) and refuses
  // an empty result before asking libxl; with -i an empty map goes to Xen, which refuses it
  if (!opts.has('i') && hard && list(hard)!.length === 0) { ctx.io.err('vcpu hard affinity map is empty\n'); return 1; }
  await d.request('vcpu.pin', { dom: String(domid), vcpu, hard: list(hard), soft: list(soft), force });
  return 0;
};

const vcpuSet: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: 'i', long: [{ name: 'ignore-host', hasArg: false, val: 'i' }] }, 2);
  const domid = await findDomain(ctx, p.positionals[0]);
  // strtoul into an unsigned long that must not pass INT_MAX (so "-1" fails too).
  const n = strtoul(p.positionals[1], 10);
  if (n.end === 0 || n.value > 0x7fffffffn) { ctx.io.err('Error: Invalid argument.\n'); return 1; }
  const count = Number(n.value);
  const d = await ctx.daemon();
  // xl's own check before asking libxl: growing a domain past the host's pCPUs needs --ignore-host.
  if (!optionMap(p).has('i')) {
    const { nrCpus } = await d.request('host.info', {});
    const dom = (await d.request('domain.list', {})).find(x => x.domid === domid);
    if (dom && count > dom.vcpuOnline && count > nrCpus) {
      ctx.io.err(`You are overcommmitting! You have ${nrCpus} physical CPUs and want ${count} vCPUs! Aborting, use --ignore-host to continue\n`);
      return 1;
    }
  }
  await d.request('vcpu.set', { dom: String(domid), count });
  return 0;
};

export const vcpuCommands: Record<string, CommandRun> = { 'vcpu-list': vcpuList, 'vcpu-pin': vcpuPin, 'vcpu-set': vcpuSet };
