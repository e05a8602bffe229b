// xl console: what real xl does by exec'ing xenconsole — raw terminal passthrough to the guest's
// console over the daemon's 'console.attach' stream; Ctrl-] (0x1d) detaches. Without -t the
// daemon picks the domain's primary console (libxl's choice); -t serial on a guest without a
// serial port gets its PV console, as xenconsole falls back to it.
import { findDomain, parseArgs, type CommandRun } from './command.ts';
import { atoi } from '../../formats/libc/strtol.ts';

const CTRL_CLOSE_BRACKET = 0x1d;
const TYPES = ['pv', 'serial', 'vuart'];
const ENOENT = 2;

const consoleCmd: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, {
    short: 'n:t:', long: [{ name: 'type', hasArg: true, val: 't' }, { name: 'num', hasArg: true, val: 'n' }],
  }, 1);
  let type: string | undefined, num = 0;
  for (const [o, a] of p.opts) {
    if (o === 't' && !TYPES.includes(a!)) { ctx.io.err('console type supported are: pv, serial, vuart\n'); return 1; }
    if (o === 't') type = a;
    if (o === 'n') num = atoi(a!);
  }
  const domid = await findDomain(ctx, p.positionals[0]);
  // xenconsole refuses dom0 and exits with EINVAL.
  if (domid === 0) { ctx.io.err("Can't specify Domain-0\n"); return 22; }
  // A guest has one PV console and at most one serial port, and an x86 guest no vuart: xenconsole
  // finds no tty in xenstore for any other console and gives up (err(3) with ENOENT).
  if (type === 'vuart' || num !== 0) { ctx.io.err('xenconsole: Could not read tty from store: No such file or directory\n'); return ENOENT; }
  return attachConsole(await ctx.daemon(), String(domid), type as 'pv' | 'serial' | undefined);
};

/** Attach the terminal to a domain's console until Ctrl-] or the console closes; returns the exit status. */
export async function attachConsole(d: Awaited<ReturnType<Parameters<CommandRun>[0]['daemon']>>, dom: string, type?: 'pv' | 'serial'): Promise<number> {
  const stdin = process.stdin;
  const tty = stdin.isTTY === true;
  let s: ReturnType<typeof d.stream<'console.attach'>> | undefined;
  let detached = false;
  const onInput = (chunk: Buffer) => {
    if (chunk.length === 1 && chunk[0] === CTRL_CLOSE_BRACKET) { detached = true; s?.cancel(); return; }
    s?.input(chunk.toString('base64'));
  };
  try {
    if (tty) stdin.setRawMode(true);
    stdin.on('data', onInput);
    s = d.stream('console.attach', { dom, ...(type ? { type } : {}) }, e => {
      if (e.data) process.stdout.write(Buffer.from(e.data, 'base64'));
      if (e.closed) s?.cancel();
    });
    await s.done.catch(e => { if (!detached) throw e; });
    return 0;
  } finally {
    stdin.off('data', onInput);
    stdin.pause();
    if (tty) stdin.setRawMode(false);
  }
}

export const consoleCommands: Record<string, CommandRun> = { console: consoleCmd };
