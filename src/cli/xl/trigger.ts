// trigger and button-press (xl_misc.c): an ACPI event, NMI or S3 wake-up sent to a domain. As
// the real xl, both ignore libxl's result: a failure is libxl's log line and exit status 0.
import { strtol } from '../../formats/libc/strtol.ts';
import { findDomain, parseArgs, type CommandRun, type XlContext } from './command.ts';

async function send(ctx: XlContext, domid: number, trigger: string, vcpu: number): Promise<void> {
  await (await ctx.daemon()).request('domain.trigger', { dom: String(domid), trigger, vcpu: vcpu >>> 0 });
}

const trigger: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: '' }, 2);
  const [dom, name, vcpuArg] = p.positionals as [string, string, string | undefined];
  const domid = await findDomain(ctx, dom);
  let vcpu = 0;
  if (vcpuArg !== undefined) {
    const n = strtol(vcpuArg, 10);
    vcpu = Number(BigInt.asIntN(32, n.value));
    if (vcpu === 0 && n.end === 0) ctx.io.err('Invalid vcpuid, using default vcpuid=0.\n\n');
  }
  // The daemon checks the name (libxl_trigger_from_string) before anything is sent.
  await send(ctx, domid, name, vcpu);
  return 0;
};

const buttonPress: CommandRun = async (ctx, argv, self) => {
  ctx.io.err('WARNING: "button-press" is deprecated. Please use "trigger"\n');
  const p = parseArgs(ctx, argv, self, { short: '' }, 2);
  const domid = await findDomain(ctx, p.positionals[0]!);
  const button = p.positionals[1]!;
  if (button !== 'power' && button !== 'sleep') { ctx.io.err(`${button} is an invalid button identifier\n`); return 1; }
  await send(ctx, domid, button, 0);
  return 0;
};

export const triggerCommands: Record<string, CommandRun> = { trigger, 'button-press': buttonPress };
