// Device hot-plug (xl_nic.c, xl_block.c): network-attach/-detach, block-attach/-detach, with the
// global -N dry runs printing the libxl device JSON as real xl does. xl parses the device itself
// (the spec grammars live in src/formats) and hands the daemon the parsed libxl device.
import { findDomain, parseArgs, type CommandRun, type XlContext } from './command.ts';
import { ToolError } from '../../protocol/wire.ts';
import { BLOCK_LIST_HEADER, formatBlockRow, formatNetworkRow, NETWORK_LIST_HEADER } from './printers/devices.ts';

/** block-attach's find_domain variant (libxl_domain_qualifier_to_domid): the same lookup, a message without the rc. */
export async function blockDomain(ctx: XlContext, q: string): Promise<number | null> {
  try { return await findDomain(ctx, q); } catch (e) {
    if (!(e instanceof ToolError) || e.code !== 'EINVALDOM') throw e;
    ctx.io.err(`${q} is an invalid domain identifier\n`);
    return null;
  }
}

const networkAttach: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: '' }, 1);
  const domid = await findDomain(ctx, p.positionals[0]);
  const { newNic, applyNicToken, toLibxlNic, VifError } = await import('../../formats/vif-spec.ts');
  const { formatDeviceDryRun } = await import('../../formats/libxl-json.ts');
  const nic = newNic(undefined);
  try {
    for (const token of p.positionals.slice(1)) {
      const r = applyNicToken(nic, token, 'command line');
      if (r.messages.length) ctx.io.err(r.messages.map(l => l + '\n').join(''));
      if (!r.ok) return 1;
    }
  } catch (e) {
    if (!(e instanceof VifError)) throw e;
    ctx.io.err(e.messages.map(l => l + '\n').join(''));
    return e.exitCode;
  }
  const device = toLibxlNic(nic);
  if (ctx.globals.dryRun) { ctx.io.out(formatDeviceDryRun('vif', device)); return 0; }
  await (await ctx.daemon()).request('device.attach', { dom: String(domid), kind: 'vif', device: device as unknown as Record<string, unknown> });
  return 0;
};

const blockAttach: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: '' }, 2);
  const domid = await blockDomain(ctx, p.positionals[0]);
  if (domid === null) return 1;
  const { parseDiskSpec } = await import('../../formats/disk-spec.ts');
  const { formatDeviceDryRun } = await import('../../formats/libxl-json.ts');
  const r = parseDiskSpec(p.positionals.slice(1), 'command line');
  if (r.errors.length) ctx.io.err(r.errors.map(l => l + '\n').join(''));
  if (!r.disk) return 1;
  if (ctx.globals.dryRun) { ctx.io.out(formatDeviceDryRun('disk', r.disk)); return 0; }
  await (await ctx.daemon()).request('device.attach', { dom: String(domid), kind: 'vbd', device: r.disk as unknown as Record<string, unknown>, cwd: process.cwd() });
  return 0;
};

const networkDetach: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: '' }, 2);
  const domid = await findDomain(ctx, p.positionals[0]);
  await (await ctx.daemon()).request('device.detach', { dom: String(domid), kind: 'vif', id: p.positionals[1] });
  return 0;
};

const blockDetach: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: 'f', long: [{ name: 'force', hasArg: false, val: 'f' }] }, 2);
  const domid = await findDomain(ctx, p.positionals[0]);
  await (await ctx.daemon()).request('device.detach', { dom: String(domid), kind: 'vbd', id: p.positionals[1] });
  return 0;
};

/** network-list / block-list: one header, then every device of each domain; bad names are skipped. */
function deviceList(kind: 'vif' | 'vbd'): CommandRun {
  return async (ctx, argv, self) => {
    const p = parseArgs(ctx, argv, self, { short: '' }, 1);
    ctx.io.out(kind === 'vif' ? NETWORK_LIST_HEADER : BLOCK_LIST_HEADER);
    for (const q of p.positionals) {
      const domid = await blockDomain(ctx, q);
      if (domid === null) continue;
      const devs = await (await ctx.daemon()).request('device.list', { dom: String(domid), kind });
      ctx.io.out(devs.map(kind === 'vif' ? formatNetworkRow : formatBlockRow).join(''));
    }
    return 0;
  };
}

export const deviceCommands: Record<string, CommandRun> = {
  'network-attach': networkAttach, 'network-list': deviceList('vif'), 'network-detach': networkDetach,
  'block-attach': blockAttach, 'block-list': deviceList('vbd'), 'block-detach': blockDetach,
};
