// PCI passthrough commands (xl_pci.c): pci-attach, pci-detach, pci-list and the assignable
// devices. xl parses the BDF or PCI_SPEC_STRING itself; libxl's log lines come back from the
// daemon and go to stderr, as xl's logger prints them.
import { findDomain, optionMap, parseArgs, type CommandRun, type XlContext } from './command.ts';
import { parsePciBdf, parsePciSpec, type LibxlDevicePci } from '../../formats/pci-spec.ts';
import { ToolError } from '../../protocol/wire.ts';

const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');

function printLog(ctx: XlContext, log: string[]): void { if (log.length) ctx.io.err(log.map(l => `${l}\n`).join('')); }

/** A failure of libxl's: its lines on stderr and xl's EXIT_FAILURE. */
async function libxl(ctx: XlContext, op: () => Promise<{ log: string[] }>): Promise<number> {
  try { printLog(ctx, (await op()).log); return 0; } catch (e) {
    if (!(e instanceof ToolError) || e.code !== 'EPCI') throw e;
    ctx.io.err(`${e.message}\n`);
    return 1;
  }
}

function spec(ctx: XlContext, cmd: string, s: string): LibxlDevicePci | null {
  const r = parsePciSpec(s);
  if (r.report) ctx.io.err(r.report);
  if (!r.pci) ctx.io.err(`${cmd}: malformed PCI_SPEC_STRING "${s}"\n`);
  return r.pci ?? null;
}

const pciAttach: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: '' }, 2);
  const domid = await findDomain(ctx, p.positionals[0]!);
  const pci = spec(ctx, 'pci-attach', p.positionals[1]!);
  if (!pci) return 2;
  return libxl(ctx, async () => (await ctx.daemon()).request('pci.attach', { dom: String(domid), device: pci as Record<string, unknown> }));
};

const pciDetach: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: 'f' }, 2);
  const domid = await findDomain(ctx, p.positionals[0]!);
  const pci = spec(ctx, 'pci-detach', p.positionals[1]!);
  if (!pci) return 2;
  const force = optionMap(p).has('f');
  return libxl(ctx, async () => (await ctx.daemon()).request('pci.detach', { dom: String(domid), device: pci as Record<string, unknown>, force }));
};

const pciList: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: '' }, 1);
  const domid = await findDomain(ctx, p.positionals[0]!);
  const devs = await (await ctx.daemon()).request('pci.list', { dom: String(domid) });
  if (!devs) return 0;
  ctx.io.out('Vdev Device\n' + devs.map(d =>
    `${hex((d.vdevfn >> 3) & 0x1f, 2)}.${(d.vdevfn & 7).toString(16)} ${hex(d.domain, 4)}:${hex(d.bus, 2)}:${hex(d.dev, 2)}.${d.func.toString(16)}\n`).join(''));
  return 0;
};

const assignableAdd: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: 'n:', long: [{ name: 'name', hasArg: true, val: 'n' }] }, 1);
  const bdf = p.positionals[0]!;
  const pci = parsePciBdf(bdf);
  if (!pci) { ctx.io.err(`pci-assignable-add: malformed BDF "${bdf}"\n`); return 2; }
  const name = optionMap(p).get('n');
  if (name !== undefined) pci.name = name;
  return libxl(ctx, async () => (await ctx.daemon()).request('pci.assignableAdd', { device: pci as Record<string, unknown> }));
};

const assignableRemove: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: 'r' }, 1);
  const ident = p.positionals[0]!;
  const pci = parsePciBdf(ident);
  const rebind = optionMap(p).has('r');
  let malformed = false;
  const rc = await libxl(ctx, async () => {
    const r = await (await ctx.daemon()).request('pci.assignableRemove', { ident, device: pci as Record<string, unknown> | null, rebind });
    malformed = r.malformed === true;
    return r;
  });
  if (malformed) { ctx.io.err(`pci-assignable-remove: malformed BDF '${ident}'\n`); return 2; }
  return rc;
};

const assignableList: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: 'n', long: [{ name: 'show-names', hasArg: false, val: 'n' }] }, 0);
  const names = optionMap(p).has('n');
  const devs = await (await ctx.daemon()).request('pci.assignableList', {});
  ctx.io.out(devs.map(d => `${hex(d.domain, 4)}:${hex(d.bus, 2)}:${hex(d.dev, 2)}.${d.func.toString(16)} ${names ? d.name ?? '' : ''}\n`).join(''));
  return 0;
};

export const pciCommands: Record<string, CommandRun> = {
  'pci-attach': pciAttach, 'pci-detach': pciDetach, 'pci-list': pciList,
  'pci-assignable-add': assignableAdd, 'pci-assignable-remove': assignableRemove, 'pci-assignable-list': assignableList,
};
