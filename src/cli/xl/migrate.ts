// xl migrate and xl migrate-receive (xl_migrate.c). The sender runs the transport command
// ("rune") under sh with its stdin/stdout as the two pipes, checks the receiver's banner, sends
// the xl header and the live libxl stream, then the handshake of xl.h: ready, go, report.
// The source copy is destroyed only after the target reports a successful start.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, fstatSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, optionMap, type CommandRun, type XlContext } from './command.ts';
import { ToolError } from '../../protocol/wire.ts';
import { XL_HEADER_SIZE, encodeXlHeader, xlSavingInfo } from '../../formats/save-stream/xl-header.ts';
import { MIGRATED_AWAY_SUFFIX, type SaveSummaryWire } from '../../protocol/migrate.ts';
import { ByteReader, headerConfig, progressPrinter, restoreFrom, runSave } from './saverestore.ts';

/** What a fixed message is read from. */
type Reader = { read(n: number): Promise<Buffer | null> };

export const BANNER = Buffer.from('xl migration receiver ready, send binary domain data.\n', 'latin1');
const READY = Buffer.from('domain received, ready to unpause\0', 'latin1');
const GO = Buffer.from('domain is yours, you are cleared to unpause\0', 'latin1');
const REPORT = Buffer.from('my copy unpause results are as follows\0', 'latin1');

/** xenlab extension: the link modelled under the virtual clock (Mbit/s). */
const LINK_ENV = 'XENLAB_MIGRATE_MBIT';
export const modelledLinkMbit = (): number | undefined => Number(process.env[LINK_ENV]) || undefined;

const SIGNALS: Record<string, string> = { SIGKILL: 'Killed', SIGTERM: 'Terminated', SIGPIPE: 'Broken pipe', SIGINT: 'Interrupt', SIGSEGV: 'Segmentation fault' };

/** Linux's F_SETPIPE_SZ. */
const F_SETPIPE_SZ = 1031;

/**
 * A 64 KiB pipe makes the two ends take turns every 64 KiB; 1 MiB lets both run. Node has no
 * fcntl, so python3 (there with Xen's tools) does it when present; without it, nothing changes.
 */
function growPipe(fd: number): void {
  spawnSync('python3', ['-c', `import fcntl\ntry: fcntl.fcntl(0, ${F_SETPIPE_SZ}, 1 << 20)\nexcept OSError: pass`], { stdio: [fd, 'ignore', 'ignore'] });
}

/** migrate_read_fixedmessage: false after printing why not. */
export async function readFixed(ctx: XlContext, r: Reader, msg: Buffer, what: string, rune: string | null): Promise<boolean> {
  const stream = rune !== null ? 'migration receiver stream' : 'migration stream';
  const got = await r.read(msg.length);
  if (!got) {
    ctx.io.err(`libxl: error: libxl_utils.c:505:libxl_read_exactly: file/stream truncated reading ${what} from ${stream}\n`);
    return false;
  }
  if (!got.equals(msg)) {
    ctx.io.err(`${stream} contained unexpected data instead of ${what}\n`);
    if (rune !== null) ctx.io.err(`(command run was: ${rune} )\n`);
    return false;
  }
  return true;
}

function summaryLines(s: SaveSummaryWire, downtimeMs: number, simulated: boolean): string {
  const sent = s.rounds.reduce((a, b) => a + b, 0) + s.finalPages;
  return `xenlab: migration summary: ${s.rounds.length} live rounds, pages per round ${s.rounds.join(' ')}, final ${s.finalPages}\n` +
    `xenlab: sent ${sent} pages, ${s.bytes} bytes for ${s.memoryBytes} bytes of guest memory, amplification ${(s.bytes / s.memoryBytes).toFixed(3)}\n` +
    `xenlab: downtime ${downtimeMs.toFixed(1)} ms${simulated ? ` (simulated, ${s.linkMbit} Mbit/s link)` : ''}\n`;
}

const migrate: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, {
    short: 'FC:s:epD',
    long: [{ name: 'debug', hasArg: false, val: 'debug' }, { name: 'live', hasArg: false, val: 'live' }],
  }, 2);
  const o = optionMap(p);
  const [dom, host] = p.positionals as [string, string];
  const io = ctx.io;
  const ssh = o.get('s');
  const tty = process.stderr.isTTY === true || ctx.globals.progress;
  const rune = ssh === '' ? host
    : `exec ${ssh ?? 'ssh'} ${host} xl${tty ? ' -t' : ''}${ctx.globals.timestamps ? ' -T' : ''}${' -v'.repeat(ctx.globals.verbose)} migrate-receive` +
      `${o.has('e') || o.has('F') ? ' -e' : ''}${o.has('debug') ? ' -d' : ''}${o.has('p') ? ' -p' : ''}`;
  const hdr = await headerConfig(ctx, dom, o.get('C'), o.has('D'));
  if (!hdr) return 1;
  const d = await ctx.daemon();
  const domid = String(hdr.domid);
  const t = await startTransport(ctx, rune, hdr.json);
  if (!t) return 1;
  const { fifo, send, fromTarget, childReport, closeSend, exited } = t;

  const show = progressPrinter(io, tty);
  let suspendedAt = 0;
  let summary: SaveSummaryWire;
  const linkMbit = modelledLinkMbit();
  try {
    summary = await runSave(ctx, domid, { path: fifo }, true, show, () => { suspendedAt = performance.now(); }, linkMbit);
  } catch (e) {
    if (e instanceof ToolError && e.message) io.err(e.message + '\n');
    const timedOut = e instanceof ToolError && e.code === 'EGUESTTIMEDOUT';
    io.err(`migration sender: libxl_domain_suspend failed (rc=${timedOut ? -8 : -3})\n`);
    await childReport();
    if (timedOut) { io.err('Migration failed, failed to suspend at sender.\n'); return 1; }
    io.err('Migration failed, resuming at sender.\n');
    await d.request('domain.resume', { dom: domid }).catch(() => {});
    return 1;
  }

  const failedResume = async () => {
    await childReport();
    io.err('Migration failed, resuming at sender.\n');
    await d.request('domain.resume', { dom: domid }).catch(() => {});
    return 1;
  };
  const failedBadly = async () => {
    io.err('** Migration failed during final handshake **\nDomain state is now undefined !\n' +
      'Please CHECK AT BOTH ENDS for running instances, before renaming and\n' +
      ' resuming at most one instance.  Two simultaneous instances of the domain\n' +
      ' would probably result in SEVERE DATA LOSS and it is now your\n' +
      ' responsibility to avoid that.  Sorry.\n');
    await childReport();
    return 1;
  };

  if (!(await readFixed(ctx, fromTarget, READY, 'ready message', rune))) return failedResume();
  io.err('migration sender: Target has acknowledged transfer.\n');
  try { await d.request('domain.rename', { dom: domid, name: `${hdr.name}${MIGRATED_AWAY_SUFFIX}` }); } catch (e) {
    if (e instanceof ToolError && e.message) io.err(e.message + '\n');
    return failedResume();
  }
  io.err('migration sender: Giving target permission to start.\n');
  if (!send(GO)) return failedBadly();
  if (!(await readFixed(ctx, fromTarget, REPORT, 'success/failure report message', rune))) return failedBadly();
  const status = await fromTarget.read(1);
  if (!status) {
    io.err('libxl: error: libxl_utils.c:505:libxl_read_exactly: file/stream truncated reading success/failure status from migration ack stream\n');
    return failedBadly();
  }
  if (status[0] !== 0) {
    io.err(`migration sender: Target reports startup failure (status code ${status.readInt8(0)}).\n`);
    if (!(await readFixed(ctx, fromTarget, GO, 'permission for sender to resume', rune))) return failedBadly();
    io.err('migration sender: Trying to resume at our end.\n');
    await d.request('domain.rename', { dom: domid, name: hdr.name }).catch(() => {});
    try { await d.request('domain.resume', { dom: domid }); io.err('migration sender: Resumed OK.\n'); } catch {}
    io.err('Migration failed due to problems at target.\n');
    closeSend();
    return 1;
  }
  io.err('migration sender: Target reports successful startup.\n');
  const downtime = summary.downtimeMs ?? performance.now() - suspendedAt;
  await d.request('domain.destroy', { dom: domid });
  io.err('Migration successful.\n');
  io.err(summaryLines(summary, downtime, summary.downtimeMs !== null));
  closeSend();
  fromTarget.detach();
  await exited;
  return 0;
};

/** The transport (create_migration_child) and the stream's start (migrate_do_preamble). */
export interface Transport {
  /** The FIFO that is the transport's stdin: the daemon writes the stream there. */
  fifo: string;
  /** Write to the transport ourselves (false if it is gone). */
  send(b: Buffer): boolean;
  fromTarget: ByteReader;
  /** Stop writing; the FIFO goes. */
  closeSend(): void;
  /** migration_child_report: how the transport ended, if it did so badly (after closeSend). */
  childReport(): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Run `rune` under sh with a FIFO as its stdin, so the daemon can write the stream into it
 * directly (xl only adds the header before it and its messages after it); check the receiver's
 * banner and send the xl header. Null, with the reason printed, if that failed.
 */
export async function startTransport(ctx: XlContext, rune: string, configJson: string): Promise<Transport | null> {
  const t = spawnTransport(ctx.io, rune);
  if (!t) return null;
  if (!(await readFixed(ctx, t.fromTarget, BANNER, 'banner', rune))) { await t.childReport(); return null; }
  const head = encodeXlHeader(configJson);
  if (!t.send(head)) { await t.childReport(); return null; }
  ctx.io.err(`Saving to migration stream new xl format (${xlSavingInfo({ mandatoryFlags: 3, optionalFlags: 0, optionalDataLen: head.length - XL_HEADER_SIZE })})\n`);
  return t;
}

/** create_migration_child: `rune` under sh, its stdin a FIFO of ours, its stdout a pipe. */
export function spawnTransport(io: XlContext['io'], rune: string): Transport | null {
  const dir = mkdtempSync(join(tmpdir(), 'xl-migrate-'));
  const fifo = join(dir, 'stream');
  if (spawnSync('mkfifo', ['-m', '600', fifo]).status !== 0) { io.err(`failed to make the migration pipe ${fifo}\n`); return null; }
  const probe = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  let toTarget: number | null = openSync(fifo, constants.O_WRONLY);
  const childIn = openSync(fifo, constants.O_RDONLY);
  closeSync(probe);
  growPipe(childIn);
  const child = spawn('sh', ['-c', rune], { stdio: [childIn, 'pipe', 'inherit'] });
  closeSync(childIn);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(r => child.on('exit', (code, signal) => r({ code, signal })));
  const closeSend = () => { if (toTarget !== null) { closeSync(toTarget); toTarget = null; } rmSync(dir, { recursive: true, force: true }); };
  const send = (b: Buffer): boolean => { try { writeSync(toTarget!, b); return true; } catch { return false; } };
  const fromTarget = new ByteReader(child.stdout!);
  const childReport = async () => {
    closeSend();
    const t = await Promise.race([exited, new Promise<null>(r => setTimeout(() => r(null), 2000).unref())]);
    if (!t) { io.err(`migration child [${child.pid}] not exiting, no longer waiting (exit status will be unreported)\n`); return; }
    if (t.signal) io.err(`libxl: info: libxl_exec.c:117:libxl_report_child_exitstatus: migration transport process [${child.pid}] died due to fatal signal ${SIGNALS[t.signal] ?? t.signal}\n`);
    else if (t.code) io.err(`libxl: info: libxl_exec.c:117:libxl_report_child_exitstatus: migration transport process [${child.pid}] exited with error status ${t.code}\n`);
  };
  return { fifo, send, fromTarget, closeSend, childReport, exited };
}

const migrateReceive: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, {
    short: 'Fedrp',
    long: [
      { name: 'colo', hasArg: false, val: 'colo' }, { name: 'coloft-script', hasArg: true, val: 'coloft-script' },
      { name: 'userspace-colo-proxy', hasArg: false, val: 'userspace-colo-proxy' }, { name: 'debug', hasArg: false, val: 'd' },
    ],
  }, 0);
  if (p.positionals.length) { ctx.io.out(self.helpText); return 1; }
  const o = optionMap(p);
  const io = ctx.io;
  io.err('migration target: Ready to receive domain.\n');
  process.stdout.write(BANNER);
  // A pipe on stdin (the usual transport) is read by the daemon itself; anything else is pumped.
  let direct = false;
  try { direct = fstatSync(0).isFIFO(); } catch {}
  let got: Awaited<ReturnType<typeof restoreFrom>>;
  try {
    got = await restoreFrom(ctx, direct ? { kind: 'pipe', fd: 0 } : { kind: 'stream', src: process.stdin }, '<incoming migration stream>',
      { paused: true, name: n => `${n}--incoming`, checkpointed: o.has('r'), colo: o.has('colo') });
  } catch (e) {
    if (e instanceof ToolError && e.message) io.err(e.message + '\n');
    io.err(`migration target: Domain creation failed (code ${e instanceof ToolError && e.exitCode === 3 ? -3 : -1}).\n`);
    return 1;
  }
  const d = await ctx.daemon();
  if (o.has('r')) return remusFailover(ctx, d, got);
  io.err('migration target: Transfer complete, requesting permission to start domain.\n');
  await new Promise<void>(r => process.stdout.write(READY, () => r()));
  const fromSender = got.reader();
  let rc = 0;
  if (!(await readFixed(ctx, fromSender, GO, 'GO message', null))) rc = -3;
  else {
    io.err('migration target: Got permission, starting domain.\n');
    const name = got.name.replace(/--incoming$/, '');
    try {
      // libxl_domain_rename then libxl_domain_unpause, as one commit of the daemon's.
      await d.request('domain.rename', { dom: String(got.domid), name, unpause: !o.has('p') });
      io.err('migration target: Domain started successsfully.\n');
    } catch (e) {
      if (e instanceof ToolError && e.message) io.err(e.message + '\n');
      rc = -3;
    }
  }
  const status = Buffer.alloc(1);
  status.writeInt8(-rc, 0);
  await new Promise<void>(r => process.stdout.write(Buffer.concat([REPORT, status]), () => r()));
  if (rc) {
    io.err('migration target: Failure, destroying our copy.\n');
    await d.request('domain.destroy', { dom: String(got.domid) }).catch(() => {});
    io.err('migration target: Cleanup OK, granting sender permission to resume.\n');
    await new Promise<void>(r => process.stdout.write(GO, () => r()));
    return 1;
  }
  if (fromSender instanceof ByteReader) { fromSender.detach(); process.stdin.destroy(); }
  return 0;
};

/**
 * A Remus stream ends only when the primary is gone: the domain, built from the last complete
 * checkpoint, takes its name and runs (migrate_receive's checkpointed case).
 */
async function remusFailover(ctx: XlContext, d: Awaited<ReturnType<XlContext['daemon']>>, got: { domid: number; name: string }): Promise<number> {
  ctx.io.err(`migration target: Remus Failover for domain ${got.domid}\n`);
  const name = got.name.replace(/--incoming$/, '');
  try {
    await d.request('domain.rename', { dom: String(got.domid), name, unpause: true });
    return 0;
  } catch (e) {
    ctx.io.err(`migration target (Remus): Failed to unpause domain ${name} (id: ${got.domid}):${e instanceof ToolError && e.exitCode === 3 ? -3 : -1}\n`);
    return 1;
  }
}

export const migrateCommands: Record<string, CommandRun> = { migrate, 'migrate-receive': migrateReceive };
