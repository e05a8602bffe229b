// xl remus (main_remus in xl_migrate.c, libxl_domain_remus_start): the domain is migrated live
// to the backup, which runs `xl migrate-receive -r`, and then checkpointed there every -i ms for
// as long as it lives. The backup never starts its copy while the stream goes on; when the
// stream ends (the primary died), it fails over to the last complete checkpoint.
//
// This build of libxl is the one Debian ships for 4.17 as far as COLO goes (libxl_no_colo.c):
// -c is parsed and checked as xl does, then refused by libxl ("COLO is not supported"). Network
// buffering is built in (the plug qdiscs of remus-netbuf-setup, modelled by the daemon).
import { findDomain, parseArgs, optionMap, type CommandRun, type XlContext } from './command.ts';
import { ToolError } from '../../protocol/wire.ts';
import type { CheckpointWire } from '../../protocol/migrate.ts';
import { headerConfig, progressPrinter, runSave } from './saverestore.ts';
import { modelledLinkMbit, spawnTransport, startTransport, type Transport } from './migrate.ts';

const DEFAULT_INTERVAL_MS = 200;
/** perror's text after xl's checks: the errno left by the calls before them on a real host. */
const PERROR_ERRNO = 'Inappropriate ioctl for device';

const ms = (ns: string | number) => Number(ns) / 1e6;

/** The extension lines: one per checkpoint under -v, and the summary when remus ends. */
class CheckpointLog {
  readonly all: CheckpointWire[] = [];
  constructor(private readonly ctx: XlContext) {}

  add(c: CheckpointWire): void {
    this.all.push(c);
    if (this.ctx.globals.verbose) {
      this.ctx.io.err(`xenlab: remus checkpoint ${c.n}: ${c.pages} pages, ${c.bytes} bytes, paused ${ms(c.pauseNs).toFixed(6)} ms at ${(Number(c.suspendedAtNs) / 1e9).toFixed(9)} s; ` +
        `network buffers released ${c.releasedPackets} packets, holding ${c.bufferedPackets}\n`);
    }
  }

  summary(): string {
    const n = this.all.length;
    if (!n) return '';
    const bytes = this.all.reduce((a, c) => a + c.bytes, 0);
    const pauses = this.all.slice(1).map(c => ms(c.pauseNs));
    const pause = pauses.length ? `pause per checkpoint avg ${(pauses.reduce((a, b) => a + b, 0) / pauses.length).toFixed(3)} ms, max ${Math.max(...pauses).toFixed(3)} ms` : 'no checkpoint after the first';
    return `xenlab: remus summary: ${n} checkpoints, ${bytes} bytes, ${Math.round(this.all.slice(1).reduce((a, c) => a + c.bytes, 0) / Math.max(1, n - 1))} bytes per checkpoint after the first, ${pause}\n`;
  }
}

const remus: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: 'Fbundi:s:N:ecp' }, 2);
  const o = optionMap(p);
  const io = ctx.io;
  const [dom, host] = p.positionals as [string, string];
  const domid = await findDomain(ctx, dom);
  const colo = o.has('c');
  // atoi: anything not a number is 0, and 0 means the default.
  let interval = o.has('i') ? parseInt(o.get('i')!, 10) || 0 : 0;
  if (!colo && !interval) interval = DEFAULT_INTERVAL_MS;
  if (o.has('p') && !colo) { io.err('Option -p must be used in conjunction with -c'); return 255; }
  if (colo) {
    if (interval || o.has('b') || o.has('n') || o.has('d')) { io.err(`option -c is conflict with -i, -d, -n or -b: ${PERROR_ERRNO}\n`); return 255; }
    if (!o.has('u')) io.err(`COLO can't be used with memory compression. Disable memory checkpoint compression now...: ${PERROR_ERRNO}\n`);
  }
  const ha = colo ? 'COLO' : 'Remus';
  const blackhole = o.has('b');
  const daemonize = !o.has('e');
  const ssh = o.get('s') ?? 'ssh';
  const rune = ssh === '' ? host
    : colo ? `exec ${ssh} ${host} xl migrate-receive --colo --coloft-script ${o.get('N') ?? '/etc/xen/scripts/colo-proxy-setup'} ${o.has('p') ? '--userspace-colo-proxy' : ''} ${daemonize ? '' : ' -e'}`
      : `exec ${ssh} ${host} xl migrate-receive -r ${daemonize ? '' : ' -e'}`;

  const hdr = await headerConfig(ctx, String(domid), undefined, false);
  if (!hdr) return 1;
  // -b: the checkpoints go to /dev/null, with no receiver and so no preamble.
  const t: Transport | null = blackhole ? spawnTransport(io, 'exec cat >/dev/null') : await startTransport(ctx, rune, hdr.json);
  if (!t) return 1;

  // Point of no return: libxl_domain_remus_start's checks come after the preamble.
  const d = await ctx.daemon();
  const log = new CheckpointLog(ctx);
  const backupFailed = async (why: string | null) => {
    if (why) io.err(why + '\n');
    if (!(await d.request('domain.resolve', { dom: String(domid), strict: true }).then(() => true, () => false))) {
      io.err(`${ha}: Primary domain has been destroyed.\n`);
      io.err(log.summary());
      t.closeSend();
      return 0;
    }
    io.err(`${ha}: Backup failed? resuming domain at primary.\n`);
    await d.request('domain.resume', { dom: String(domid) }).catch(() => {});
    io.err(log.summary());
    await t.childReport();
    return 1;
  };
  const unsafe = blackhole || o.has('n') || o.has('d');
  if (unsafe && !o.has('F')) {
    return backupFailed(`libxl: error: libxl_domain.c:448:libxl_domain_remus_start: Domain ${domid}:Unsafe mode must be enabled to replicate to /dev/null,disable network buffering and disk replication`);
  }
  if (colo) return backupFailed(`libxl: error: libxl_no_colo.c:42:libxl__colo_save_setup: Domain ${domid}:COLO is not supported`);

  const tty = process.stderr.isTTY === true || ctx.globals.progress;
  try {
    await runSave(ctx, String(domid), { path: t.fifo }, true, progressPrinter(io, tty), undefined, modelledLinkMbit(),
      { options: { intervalMs: interval, netbuf: !o.has('n'), diskbuf: !o.has('d') }, checkpoint: c => log.add(c) });
  } catch (e) {
    // The primary host itself went down: nothing is left here to report to.
    if (e instanceof ToolError && e.code === 'EDAEMONGONE') { io.err(e.message + '\n'); t.closeSend(); return 1; }
    if (e instanceof ToolError && e.code === 'EGUESTTIMEDOUT') {
      io.err(e.message + '\n');
      io.err('Failed to suspend domain at primary.\n');
      await t.childReport();
      return 1;
    }
    // libxl__remus_setup refused a device: nothing was sent, nothing to tear down.
    if (e instanceof ToolError && e.code === 'ECHECKPOINTDEV') return backupFailed(e.message);
    const rc = -3;
    return backupFailed(`${e instanceof ToolError && e.message ? e.message + '\n' : ''}` +
      `libxl: warning: libxl_remus.c:168:libxl__remus_teardown: Domain ${domid}:Remus: Domain suspend terminated with rc ${rc}, teardown Remus devices...`);
  }
  // The save ends by itself only when the domain is gone.
  return backupFailed(null);
};

export const remusCommands: Record<string, CommandRun> = { remus };
