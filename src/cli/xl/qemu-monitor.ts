// The device model's commands: qemu-monitor-command (xl_misc.c: an HMP line sent through QMP,
// its output printed with a newline) and vncviewer (xl_console.c over libxl_vncviewer_exec:
// find where the domain's QEMU serves VNC, then become the viewer — $VNCVIEWER or vncviewer on
// PATH — on host:display, giving it the password on its stdin with -autopass).
import { spawnSync } from 'node:child_process';
import { findDomain, parseArgs, type CommandRun } from './command.ts';

const qemuMonitorCommand: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: '' }, 2);
  const domid = await findDomain(ctx, p.positionals[0]!);
  if (p.positionals.length > 2) { ctx.io.err('Invalid arguments.\n'); return 1; }
  const { output } = await (await ctx.daemon()).request('dm.monitor', { dom: String(domid), command: p.positionals[1]! });
  ctx.io.out(`${output}\n`);
  return 0;
};

/** The first VNC port: display N listens on 5900 + N. */
const VNC_BASE_PORT = 5900;

const vncviewer: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, {
    short: 'a', long: [{ name: 'autopass', hasArg: false, val: 'a' }, { name: 'vncviewer-autopass', hasArg: false, val: 'a' }],
  }, 1);
  const autopass = p.opts.some(([o]) => o === 'a');
  const domid = await findDomain(ctx, p.positionals[0]!);
  const vnc = await (await ctx.daemon()).request('dm.vnc', { dom: String(domid), autopass });
  const viewer = process.env.VNCVIEWER || 'vncviewer';
  const args = [`${vnc.listen}:${vnc.port - VNC_BASE_PORT}`, ...(vnc.password !== null ? ['-autopass'] : [])];
  const r = spawnSync(viewer, args, { stdio: [vnc.password !== null ? 'pipe' : 'inherit', 'inherit', 'inherit'], input: vnc.password ?? undefined });
  if (r.error) {
    // libxl__exec's message when execvp fails, then _exit(-1)
    const code = (r.error as NodeJS.ErrnoException).code;
    ctx.io.err(`libxl: cannot execute ${viewer}: ${code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied' : r.error.message}\n`);
    return 255;
  }
  return r.status ?? 1;
};

export const deviceModelCommands: Record<string, CommandRun> = {
  'qemu-monitor-command': qemuMonitorCommand, vncviewer,
};
