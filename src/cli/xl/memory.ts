// mem-set and mem-max (xl_mem.c).
import { findDomain, parseArgs, type CommandRun } from './command.ts';
import { ToolError } from '../../protocol/wire.ts';

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/**
 * parse_mem_size_kb: strtoll then at most one unit letter (none or m = MiB, k, g, t, b = bytes);
 * null where xl gets its error value -1 (which `-1k` also produces).
 */
export function parseMemSizeKb(s: string): number | null {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)?/.exec(s)!;
  let kb = m[1] === undefined ? 0n : BigInt(m[1]);
  if (kb > INT64_MAX) kb = INT64_MAX;
  if (kb < INT64_MIN) kb = INT64_MIN;
  const rest = m[1] === undefined ? s : s.slice(m[0].length);
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
