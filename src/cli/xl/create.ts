// xl create (xl_vmcontrol.c main_create/create_domain). xl reads and parses the config itself,
// prints the dry-run JSON, then asks the daemon to build the domain. The restart/destroy actions
// that real xl's forked monitor performs are done by xenlabd, so `create` returns once the domain
// exists; with -F it reports them and follows the domain through its restarts (monitor.ts), with
// -c it attaches the console.
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs, type CommandRun, type XlCommand, type XlContext } from './command.ts';
import { composeConfigText } from '../../formats/xlcfg/index.ts';
import { DEFAULT_TOPOLOGY, type HostTopology } from '../../formats/domain-config/index.ts';
import { configFromText } from '../../formats/domain-config/from-text.ts';
import { formatCreateDryRun } from '../../formats/libxl-json.ts';
import { textFromBytes } from '../../formats/byte-text.ts';
import type { HostInfo } from '../../protocol/host.ts';
import { monitorDomains } from './monitor.ts';

/** libxl error numbers that create returns negated as its exit status. */
const ERROR_FAIL = 3;
const ERROR_INVAL = 6;

/** strerror() texts for the errors reading a config file can meet. */
const STRERROR: Record<string, string> = {
  ENOENT: 'No such file or directory', EACCES: 'Permission denied', ENOTTY: 'Inappropriate ioctl for device',
  ENOTDIR: 'Not a directory', ELOOP: 'Too many levels of symbolic links', ENAMETOOLONG: 'File name too long',
};

/**
 * libxl_read_file_contents as xl calls it: the file's text, or the lines printed when it fails
 * (libxl's own line first, except for a missing file; anything but a plain file is refused).
 */
export function readConfigFile(file: string): { text: string } | { lines: string[] } {
  const failed = (code: string, libxlLine?: string) => {
    const why = STRERROR[code] ?? code;
    const head = libxlLine ? [`libxl: error: libxl_utils.c:${libxlLine}: ${why}`] : [];
    return { lines: [...head, `Failed to read config file: ${file}: ${why}`] };
  };
  try {
    if (!statSync(file).isFile()) return failed('ENOTTY', `346:libxl_read_file_contents: ${file} is not a plain file`);
    return { text: textFromBytes(readFileSync(file)) };
  } catch (e: any) {
    return e.code === 'ENOENT' ? failed('ENOENT') : failed(e.code, `336:libxl_read_file_contents: failed to open ${file}`);
  }
}

export interface CreateRequest {
  file?: string;
  overrides: string[];
  paused: boolean;
  debug: boolean;
  dryRun: boolean;
  quiet: boolean;
  console: boolean;
  /** -F: stay and report until no domain is left to follow; -e: not even that (the daemon acts either way). */
  foreground: boolean;
}

/** main_create's argument handling; null after printing help (exit 2). */
export function parseCreateArgs(ctx: XlContext, argv: string[], self: XlCommand): CreateRequest | null {
  let file: string | undefined;
  let rest = argv;
  // A first argument that is neither an option nor KEY=VALUE is the config file.
  if (argv[0] !== undefined && !argv[0].startsWith('-') && !argv[0].includes('=')) { file = argv[0]; rest = argv.slice(1); }
  const p = parseArgs(ctx, rest, self, {
    short: 'Fnqf:pcdeVAi',
    long: [
      { name: 'dryrun', hasArg: false, val: 'n' }, { name: 'quiet', hasArg: false, val: 'q' },
      { name: 'defconfig', hasArg: true, val: 'f' }, { name: 'vncviewer', hasArg: false, val: 'V' },
      { name: 'vncviewer-autopass', hasArg: false, val: 'A' },
      { name: 'ignore-global-affinity-masks', hasArg: false, val: 'i' },
    ],
  }, 0);
  const r: CreateRequest = {
    file, overrides: [], paused: false, debug: false, dryRun: ctx.globals.dryRun, quiet: false, console: false, foreground: false,
  };
  for (const [o, a] of p.opts) {
    if (o === 'f') r.file = a;
    else if (o === 'p') r.paused = true;
    else if (o === 'c') r.console = true;
    else if (o === 'd') r.debug = true;
    else if (o === 'F') r.foreground = true;
    else if (o === 'n') r.dryRun = true;
    else if (o === 'q') r.quiet = true;
  }
  for (const a of p.positionals) {
    if (a.includes('=')) r.overrides.push(a);
    else if (r.file === undefined) r.file = a;
    else { ctx.io.out(self.helpText); return null; }
  }
  return r;
}

function topologyOf(h: HostInfo): HostTopology {
  const nodeCpus: number[][] = Array.from({ length: Math.max(1, h.nrNodes) }, () => []);
  h.cpuTopology.forEach((c, cpu) => (nodeCpus[c.node] ??= []).push(cpu));
  return { nrCpus: h.nrCpus, nodeCpus };
}

export const runCreate: CommandRun = async (ctx, argv, self) => {
  const io = ctx.io;
  const req = parseCreateArgs(ctx, argv, self);
  if (!req) return 2;
  if (req.file === undefined) { io.err('Config file not specified and none in save file\n'); return ERROR_INVAL; }
  let fileText = '';
  if (req.file !== '/dev/null') {
    const read = readConfigFile(req.file);
    if ('lines' in read) { io.err(read.lines.map(l => l + '\n').join('')); return ERROR_FAIL; }
    fileText = read.text;
  }
  const text = composeConfigText(fileText, req.overrides);
  // A dry run needs no host: it uses the default machine's topology (8 pCPUs, one node).
  const d = req.dryRun ? undefined : await ctx.daemon();
  const host = d ? topologyOf(await d.request('host.info', {})) : DEFAULT_TOPOLOGY;
  if (!req.quiet) io.err(`Parsing config from ${req.file}\n`);
  const built = configFromText(fileText, req.overrides, { filename: req.file, host });
  if (!built.ok) {
    const last = built.messages.length - 1;
    io.err(built.messages.map((l, i) => (i === last && built.unterminated ? l : l + '\n')).join(''));
    return built.exitCode;
  }
  if (built.warnings.length) io.err(built.warnings.map(l => l + '\n').join(''));
  const json = formatCreateDryRun(built.config);
  if (req.dryRun) { io.out(json); return 0; }
  if (req.debug) io.err(json);

  const monitor = req.foreground && !req.console ? monitorDomains(d!, io) : undefined;
  let created;
  try {
    created = await d!.request('domain.create', {
      config: built.config as unknown as Record<string, unknown>, workload: built.extras.workload,
      configText: text, configFile: resolve(req.file), paused: req.paused, cwd: process.cwd(),
    });
  } catch (e) { monitor?.cancel(); throw e; }
  if (req.console) {
    const { attachConsole } = await import('./console.ts');
    return attachConsole(d!, String(created.domid));
  }
  return monitor ? monitor.follow(created.domid, created.name) : 0;
};
