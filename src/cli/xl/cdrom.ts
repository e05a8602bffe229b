// xl cd-insert / cd-eject (xl_cdrom.c): the drive and medium as a disk spec
// ("vdev=V,access=r,devtype=cdrom,target=T"), the medium's existence checked where xl runs
// ("Cannot stat file"), then libxl_cdrom_insert in the daemon; an eject inserts nothing.
import { statSync } from 'node:fs';
import { findDomain, parseArgs, type CommandRun, type XlContext } from './command.ts';

async function cdInsert(ctx: XlContext, dom: string, vdev: string, target: string): Promise<number> {
  const domid = await findDomain(ctx, dom);
  const { parseDiskSpec } = await import('../../formats/disk-spec.ts');
  const r = parseDiskSpec([`vdev=${vdev},access=r,devtype=cdrom,target=${target}`], 'command line');
  if (r.errors.length) ctx.io.err(r.errors.map(l => l + '\n').join(''));
  if (!r.disk) return 1;
  const disk = r.disk as { pdev_path?: string; format?: string };
  if (disk.format !== 'empty') {
    try { statSync(disk.pdev_path ?? ''); } catch { ctx.io.err(`Cannot stat file: ${disk.pdev_path}\n`); return 1; }
  }
  await (await ctx.daemon()).request('cdrom.insert', { dom: String(domid), vdev, target: disk.format === 'empty' ? '' : disk.pdev_path ?? '', format: disk.format ?? 'raw', cwd: process.cwd() });
  return 0;
}

const cdInsertCmd: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: '' }, 3);
  return cdInsert(ctx, p.positionals[0]!, p.positionals[1]!, p.positionals[2]!);
};

const cdEjectCmd: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: '' }, 2);
  return cdInsert(ctx, p.positionals[0]!, p.positionals[1]!, '');
};

export const cdromCommands: Record<string, CommandRun> = { 'cd-insert': cdInsertCmd, 'cd-eject': cdEjectCmd };
