// mem-set and mem-max (xl_mem.c).
import { findDomain, parseArgs, type CommandRun } from './command.ts';
import { ToolError } from '../../protocol/wire.ts';
import { strtol } from '../../formats/libc/strtol.ts';

/**
 * parse_mem_size_kb: strtoll then at most one unit letter (none or m = MiB, k, g, t, b = bytes);
 * null where xl gets its error value -1 (which `-1k` also produces).
 */
export function parseMemSizeKb(s: string): number | null {
  // strtoll in base 10: clamped to int64, and where the digits stop (all of s when there are none).
  const n = strtol(s, 10);
  let kb = n.value;
  const rest = s.slice(n.end);
  if (rest.length > 1) return null;
  const wrap = (x: bigint) => BigInt.asIntN(64, x);
  switch (rest.toLowerCase()) {
    case 't': kb = wrap(kb << 30n); break;
    case 'g': kb = wrap(kb << 20n); break;
    case '': case 'm': kb = wrap(kb << 10n); break;
    case 'k': break;
    case 'b': kb >>= 10n; break;
    default: return null;
  }
  return kb === -1n ? null : Number(kb);
}

function memCommand(kind: 'set' | 'max'): CommandRun {
  return async (ctx, argv, self) => {
    const p = parseArgs(ctx, argv, self, { short: '' }, 2);
    const domid = await findDomain(ctx, p.positionals[0]);
    const size = p.positionals[1];
    const kb = parseMemSizeKb(size);
    if (kb === null) { ctx.io.err(`invalid memory size: ${size}\n`); return 1; }
    const d = await ctx.daemon();
    try {
      if (kind === 'set') await d.request('domain.memSet', { dom: String(domid), targetKb: kb });
      else await d.request('domain.memMax', { dom: String(domid), maxKb: kb });
    } catch (e) {
      if (!(e instanceof ToolError)) throw e;
      // xl's own last line quotes the size as the user typed it.
      const what = kind === 'set' ? 'dynamic' : 'static';
      ctx.io.err(`${e.message}\ncannot set domid ${domid} ${what} max memory to : ${size}\n`);
      return 1;
    }
    return 0;
  };
}

export const memoryCommands: Record<string, CommandRun> = { 'mem-set': memCommand('set'), 'mem-max': memCommand('max') };
