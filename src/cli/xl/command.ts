// What a command handler gets and what the table holds.
import type { CommandSpec } from './command-specs.ts';
import type { ArgsOf, RequestType, ResultOf } from '../../protocol/requests.ts';
import type { StreamType, Streams } from '../../protocol/streams.ts';
import { parseCommandArgs, type OptionSpec, type ParsedArgs } from './def-getopt.ts';
import type { XlIo } from './io.ts';

/** The global options before the subcommand (getopt "+vftTN"). */
export interface XlGlobals {
  /** Number of -v: each lowers the log threshold one level. */
  verbose: number;
  /** -N */
  dryRun: boolean;
  /** -f (read by nothing in xl 4.17, kept for the banner semantics). */
  force: boolean;
  /** -t */
  progress: boolean;
  /** -T */
  timestamps: boolean;
}

/** The part of a daemon Connection that commands use (a fake in tests). */
export interface DaemonClient {
  request<T extends RequestType>(type: T, args: ArgsOf<T>): Promise<ResultOf<T>>;
  stream<T extends StreamType>(type: T, args: Streams[T]['args'], onEvent: (e: Streams[T]['event']) => void):
    { done: Promise<void>; input: (x: unknown) => void; cancel: () => void };
}

export interface XlContext {
  io: XlIo;
  globals: XlGlobals;
  /** Connects on first use (auto-starting the daemon). */
  daemon(): Promise<DaemonClient>;
  /** The directory holding this xl's launcher (xl top runs the xentop beside it). */
  binDir: string;
}

/** A handler gets the words after the command name; it returns the exit status. */
export type CommandRun = (ctx: XlContext, argv: string[], self: XlCommand) => Promise<number>;

export interface XlCommand extends CommandSpec {
  /** `xl help <name>` output, byte for byte. */
  helpText: string;
  run: CommandRun;
}

/** The per-command help, as xl's help() prints it. */
export function formatCommandHelp(s: CommandSpec): string {
  let t = `Usage: xl [-vtT${s.modifies ? 'f' : ''}${s.canDryRun ? 'N' : ''}] ${s.name} ${s.usage}\n\n${s.description}.\n\n`;
  if (s.options !== null) t += `Options:\n\n${s.options}\n`;
  return t;
}

/** SWITCH_FOREACH_OPT for a handler: options and positionals, or the help/usage exit. */
export function parseArgs(ctx: XlContext, argv: string[], self: XlCommand, spec: OptionSpec, minArgs: number): ParsedArgs {
  return parseCommandArgs(ctx.io, argv, spec, minArgs, self.name, self.helpText);
}

/** Options as a letter → last argument map (for flags, presence). */
export function optionMap(p: ParsedArgs): Map<string, string | undefined> {
  return new Map(p.opts);
}

/**
 * find_domain: a string of digits (even the empty string) is a domid taken as is, without asking
 * whether it exists; anything else is a name the daemon looks up (and answers the real error for).
 */
export async function findDomain(ctx: XlContext, q: string): Promise<number> {
  if (/^\d*$/.test(q)) return Number(q || '0') >>> 0;
  return (await (await ctx.daemon()).request('domain.resolve', { dom: q })).domid;
}
