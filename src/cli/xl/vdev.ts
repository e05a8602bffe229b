// The paravirtual device classes beyond vif and vbd (xl_vtpm.c, xl_vkb.c, xl_vdispl.c,
// xl_vsnd.c): <class>-attach (with the global -N printing the libxl device JSON), -list in each
// command's own format, and -detach by devid (vtpm also by uuid). xl parses the device itself;
// the daemon's libxl adds it, lists it from xenstore and removes it.
import { findDomain, parseArgs, type CommandRun, type XlContext } from './command.ts';
import { blockDomain as qualifier } from './devices.ts';
import type { VdevInfo, VdevKind } from '../../protocol/vdev.ts';
import { CHANNEL_LIST_HEADER, formatChannelRow, formatVdevList } from './printers/vdev.ts';

/** The device JSON as `xl -N <class>-attach` prints it. */
async function dryRun(ctx: XlContext, label: VdevKind, device: object): Promise<number> {
  const { formatYajl } = await import('../../formats/libxl-json.ts');
  ctx.io.out(`${label}: ${formatYajl(device as never)}\n`);
  return 0;
}

async function attach(ctx: XlContext, domid: number, kind: VdevKind, device: object): Promise<void> {
  await (await ctx.daemon()).request('vdev.attach', { dom: String(domid), kind, device: device as Record<string, unknown> });
}

/** The device xl parses from the arguments after the domain, or the exit code of its refusal. */
type DeviceParser = (ctx: XlContext, args: string[]) => Promise<object | number>;

/** <class>-attach: xl parses the device, prints it under -N, or has libxl add it. */
function vdevAttach(kind: VdevKind, minArgs: number, parse: DeviceParser): CommandRun {
  return async (ctx, argv, self) => {
    const p = parseArgs(ctx, argv, self, { short: '' }, minArgs);
    // vtpm-attach looks the domain up itself and returns 1; the others exit in find_domain
    const domid = kind === 'vtpm' ? await qualifier(ctx, p.positionals[0]!) : await findDomain(ctx, p.positionals[0]!);
    if (domid === null) return 1;
    const device = await parse(ctx, p.positionals.slice(1));
    if (typeof device === 'number') return device;
    if (ctx.globals.dryRun) return dryRun(ctx, kind, device);
    await attach(ctx, domid, kind, device);
    return 0;
  };
}

const parseVtpm: DeviceParser = async (ctx, args) => {
  const { UUID_RE } = await import('../../formats/domain-config/devices-extra.ts');
  const vtpm: Record<string, unknown> = {};
  for (const a of args) {
    if (a.startsWith('uuid=')) {
      if (!UUID_RE.test(a.slice(5))) { ctx.io.err(`Invalid uuid specified (${a.slice(5)})\n`); return 1; }
      vtpm.uuid = a.slice(5).toLowerCase();
    } else if (a.startsWith('backend=')) vtpm.backend_domname = a.slice(8);
    else { ctx.io.err(`unrecognized argument \`${a}'\n`); return 1; }
  }
  const { ordered } = await import('../../formats/domain-config/ordered.ts');
  return ordered(vtpm, ['backend_domid', 'backend_domname', 'devid', 'uuid']);
};

// ERROR_FAIL returned from main: the process exits 253
const ERROR_FAIL_EXIT = 253;

const parseVkb: DeviceParser = async (ctx, args) => {
  const { applyVkbToken, finishVkb } = await import('../../formats/domain-config/devices-extra.ts');
  const vkb: Record<string, unknown> = {};
  for (const t of args) {
    const refused = applyVkbToken(vkb, t);
    // parse_vkb_config's -1, returned from main
    if (refused !== null) { ctx.io.err(`${refused}\n`); return 255; }
  }
  const device = finishVkb(vkb, '');
  if (typeof device === 'string') { ctx.io.err(`${device}\n`); return ERROR_FAIL_EXIT; }
  return device;
};

const parseVdispl: DeviceParser = async (ctx, args) => {
  const { applyVdisplToken, vdisplJson } = await import('../../formats/domain-config/vdispl.ts');
  const vdispl = {};
  for (const t of args) {
    const rc = applyVdisplToken(vdispl, t, line => ctx.io.err(`${line}\n`));
    if (rc) return rc & 0xff;
  }
  const device = vdisplJson(vdispl);
  if (!(device.connectors as unknown[] | undefined)?.length) {
    ctx.io.err('At least one connector should be specified.\n');
    return ERROR_FAIL_EXIT;
  }
  return device;
};

const parseVsnd: DeviceParser = async (ctx, args) => {
  const { applyVsndItem, newVsnd, vsndJson, VsndExit } = await import('../../formats/domain-config/vsnd.ts');
  const vsnd = newVsnd();
  for (const item of args) {
    let refused: string | null;
    try { refused = applyVsndItem(vsnd, item); } catch (e) {
      if (!(e instanceof VsndExit)) throw e;
      ctx.io.err(`${e.line}\n`);
      return 1;
    }
    if (refused !== null) { ctx.io.err(`${refused}\n`); return 255; }
  }
  return vsndJson(vsnd);
};

/** <class>-list: the header (where the command has one), then each domain's devices. */
function vdevList(kind: VdevKind): CommandRun {
  return async (ctx, argv, self) => {
    const p = parseArgs(ctx, argv, self, { short: '' }, 1);
    const out = (devs: VdevInfo[] | null) => ctx.io.out(formatVdevList(kind, devs));
    out(null);
    for (const q of p.positionals) {
      // vkb-list uses find_domain, which exits on a bad name; the others skip it
      const domid = kind === 'vkb' ? await findDomain(ctx, q) : await qualifier(ctx, q);
      if (domid === null) continue;
      out(await (await ctx.daemon()).request('vdev.list', { dom: String(domid), kind }));
    }
    return 0;
  };
}

function vdevDetach(kind: VdevKind): CommandRun {
  return async (ctx, argv, self) => {
    const p = parseArgs(ctx, argv, self, { short: '' }, 2);
    const domid = await findDomain(ctx, p.positionals[0]!);
    await (await ctx.daemon()).request('vdev.detach', { dom: String(domid), kind, id: p.positionals[1]! });
    return 0;
  };
}

/** channel-list: channels are consoles, listed with their pty (xl_console.c). */
const channelList: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: '' }, 1);
  ctx.io.out(CHANNEL_LIST_HEADER);
  for (const q of p.positionals) {
    const domid = await findDomain(ctx, q);
    ctx.io.out((await (await ctx.daemon()).request('channel.list', { dom: String(domid) })).map(formatChannelRow).join(''));
  }
  return 0;
};

export const vdevCommands: Record<string, CommandRun> = {
  'channel-list': channelList,
  'vtpm-attach': vdevAttach('vtpm', 1, parseVtpm), 'vtpm-list': vdevList('vtpm'), 'vtpm-detach': vdevDetach('vtpm'),
  'vkb-attach': vdevAttach('vkb', 2, parseVkb), 'vkb-list': vdevList('vkb'), 'vkb-detach': vdevDetach('vkb'),
  'vdispl-attach': vdevAttach('vdispl', 1, parseVdispl), 'vdispl-list': vdevList('vdispl'), 'vdispl-detach': vdevDetach('vdispl'),
  'vsnd-attach': vdevAttach('vsnd', 2, parseVsnd), 'vsnd-list': vdevList('vsnd'), 'vsnd-detach': vdevDetach('vsnd'),
};
