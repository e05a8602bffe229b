// xl save and xl restore (xl_saverestore.c, xl_vmcontrol.c create_domain's restore path), and
// the pieces xl migrate shares with them: the xl header is written and read by xl itself, the
// libxl stream is produced and consumed by the daemon over a raw channel that xl pumps.
import { closeSync, createReadStream, createWriteStream, openSync, readSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { parseArgs, optionMap, type CommandRun, type XlContext } from './command.ts';
import { openRawChannel } from '../../client/raw-channel.ts';
import { hostPaths } from '../../protocol/paths.ts';
import { ToolError } from '../../protocol/wire.ts';
import type { CheckpointWire, RemusWire, SaveEvent, SaveSummaryWire } from '../../protocol/migrate.ts';
import { XL_HEADER_SIZE, XlHeaderError, decodeXlHeader, encodeXlHeader, xlSavingInfo, type XlHeader } from '../../formats/save-stream/xl-header.ts';
import type { XlIo } from './io.ts';
import { jsonWithRawBytes, textFromBytes } from '../../formats/byte-text.ts';

/** Exactly-n reads from a byte stream (libxl_read_exactly): null when it ends first. */
export class ByteReader {
  private bufs: Buffer[] = [];
  private len = 0;
  private ended = false;
  private wake: (() => void) | null = null;
  private readonly onData = (d: Buffer) => { this.bufs.push(d); this.len += d.length; this.wake?.(); };
  private readonly onEnd = () => { this.ended = true; this.wake?.(); };

  constructor(private readonly src: Readable) {
    src.on('data', this.onData);
    src.on('end', this.onEnd);
    src.on('close', this.onEnd);
    src.on('error', this.onEnd);
    src.resume();
  }

  async read(n: number): Promise<Buffer | null> {
    while (this.len < n && !this.ended) await new Promise<void>(r => { this.wake = r; });
    this.wake = null;
    if (this.len < n) return null;
    const all = Buffer.concat(this.bufs);
    this.bufs = [all.subarray(n)];
    this.len -= n;
    return all.subarray(0, n);
  }

  /** Stop reading; returns what was read beyond the last read(). */
  detach(): Buffer {
    this.src.pause();
    this.src.removeListener('data', this.onData);
    this.src.removeListener('end', this.onEnd);
    this.src.removeListener('close', this.onEnd);
    this.src.removeListener('error', this.onEnd);
    const rest = Buffer.concat(this.bufs);
    this.bufs = [];
    this.len = 0;
    return rest;
  }
}

/** Read and check the xl header (xl's own code does this before libxl sees the stream). */
export async function readXlHeader(r: Pick<ByteReader, 'read'>, source: string): Promise<XlHeader> {
  const fixed = await r.read(XL_HEADER_SIZE);
  if (!fixed) {
    throw new ToolError('ETRUNC', `libxl: error: libxl_utils.c:505:libxl_read_exactly: file/stream truncated reading header from ${source}\n` +
      'xl: fatal error: xl_vmcontrol.c:713: Protocol error: libxl_read_exactly( ctx, restore_fd, &hdr, sizeof(hdr), restore_source, "header")', 1);
  }
  try {
    const quick = decodeXlHeader(fixed);
    if (quick) return quick.header;
    const opt = await r.read(fixed.readUInt32LE(44));
    if (!opt) throw new XlHeaderError('Savefile truncated.');
    return decodeXlHeader(Buffer.concat([fixed, opt]))!.header;
  } catch (e) {
    if (e instanceof XlHeaderError) throw new ToolError('EHEADER', e.message, 1);
    throw e;
  }
}

/** Where libxc's progress and log lines go: a live bar on a TTY, finished passes otherwise. */
export function progressPrinter(io: XlIo, tty: boolean) {
  let open = false;
  const text = (p: { what: string; done: number; total: number }) =>
    `${p.what}: ${p.done}/${p.total}  ${String(p.total ? Math.floor((p.done * 100) / p.total) : 100).padStart(3)}%`;
  return {
    line(t: string): void {
      if (open) { io.err('\n'); open = false; }
      io.err(t + '\n');
    },
    progress(p: { what: string; done: number; total: number }): void {
      const finished = p.done >= p.total;
      if (tty) {
        io.err(`\rxc: ${text(p)}`);
        open = !finished;
        if (finished) io.err('\n');
      } else if (finished) io.err(`xc: progress: ${text(p)}\n`);
    },
  };
}

/** The config to embed in a header: the domain's stored one, or the file given instead. */
export async function headerConfig(ctx: XlContext, dom: string, override: string | undefined, preserveDomid: boolean): Promise<{ domid: number; name: string; json: string } | null> {
  const d = await ctx.daemon();
  const saved = await d.request('domain.saveConfig', { dom });
  let config = saved.config as Record<string, any>;
  let workload = saved.workload;
  if (override !== undefined) {
    const { readFileSync } = await import('node:fs');
    const { configFromText } = await import('../../formats/domain-config/from-text.ts');
    let text: string;
    try { text = textFromBytes(readFileSync(override)); } catch {
      ctx.io.err('unable to read overridden config file\n');
      return null;
    }
    const built = configFromText(text, [], { filename: override, host: { nrCpus: 8, nodeCpus: [[0, 1, 2, 3, 4, 5, 6, 7]] } });
    if (!built.ok) { ctx.io.err(built.messages.join('\n') + '\n'); return null; }
    config = built.config as unknown as Record<string, any>;
    workload = built.extras.workload ?? null;
  }
  config = structuredClone(config);
  config.c_info ??= {};
  if (preserveDomid) config.c_info.domid = saved.domid; else delete config.c_info.domid;
  // xenlab extension: the guest's workload travels with its config.
  if (workload) config.xenlab = { workload };
  return { domid: saved.domid, name: saved.name, json: jsonWithRawBytes(JSON.stringify(config, null, 4)) };
}

/**
 * Run the daemon's save; resolves with the summary. The stream goes to `target`: a Writable xl
 * pumps the raw channel into, or a FIFO the daemon writes itself.
 */
export async function runSave(ctx: XlContext, dom: string, target: Writable | { path: string }, live: boolean, show: ReturnType<typeof progressPrinter>, onSuspended?: () => void, linkMbit?: number,
  remus?: { options: RemusWire; checkpoint(c: CheckpointWire): void }): Promise<SaveSummaryWire> {
  const d = await ctx.daemon();
  let raw: Awaited<ReturnType<typeof openRawChannel>> | null = null;
  let drained = Promise.resolve();
  if (!('path' in target)) {
    const out = target;
    const ch = raw = await openRawChannel(hostPaths().control);
    ch.socket.pipe(out, { end: false });
    // If the far end goes away, drop the channel so the daemon's writes fail and it stops.
    out.on('error', () => ch.socket.destroy());
    out.on('close', () => ch.socket.destroy());
    drained = new Promise<void>(r => ch.socket.once('close', () => r()));
  }
  let summary: SaveSummaryWire | undefined;
  try {
    await d.stream('domain.save', { dom, token: raw?.token ?? '', path: 'path' in target ? target.path : undefined, live, linkMbit, remus: remus?.options }, (e: SaveEvent) => {
      if (e.line) show.line(e.line);
      if (e.checkpoint) remus?.checkpoint(e.checkpoint);
      if (e.progress) show.progress(e.progress);
      if (e.suspended) onSuspended?.();
      if (e.summary) summary = e.summary;
    }).done;
  } catch (e) {
    raw?.socket.destroy();
    throw e;
  }
  await drained;
  return summary!;
}

const save: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, { short: 'cpD' }, 2);
  const o = optionMap(p);
  const [dom, file, cfg] = p.positionals as [string, string, string | undefined];
  if (p.positionals.length > 3) { ctx.io.out(self.helpText); return 2; }
  const hdr = await headerConfig(ctx, dom, cfg, o.has('D'));
  if (!hdr) return 1;
  let fd: number;
  try { fd = openSync(file, 'w', 0o644); } catch {
    ctx.io.err(`Failed to open temp file ${file} for writing\n`);
    return 1;
  }
  const head = encodeXlHeader(hdr.json);
  writeSync(fd, head);
  ctx.io.err(`Saving to ${file} new xl format (${xlSavingInfo({ mandatoryFlags: 3, optionalFlags: 0, optionalDataLen: head.length - XL_HEADER_SIZE })})\n`);
  const out = createWriteStream('', { fd, autoClose: false, highWaterMark: 1 << 20 });
  const show = progressPrinter(ctx.io, process.stderr.isTTY === true || ctx.globals.progress);
  const d = await ctx.daemon();
  try {
    await runSave(ctx, String(hdr.domid), out, false, show);
    await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
  } catch (e) {
    closeSync(fd);
    if (e instanceof ToolError && e.message) ctx.io.err(e.message + '\n');
    ctx.io.err('Failed to save domain, resuming domain\n');
    await d.request('domain.resume', { dom: String(hdr.domid) }).catch(() => {});
    return 1;
  }
  closeSync(fd);
  if (o.has('c') || o.has('p')) await d.request('domain.resume', { dom: String(hdr.domid), paused: o.has('p') });
  else await d.request('domain.destroy', { dom: String(hdr.domid) });
  return 0;
};

/** Where a restore reads from: a stream xl pumps, or its own stdin pipe the daemon reads directly. */
export type RestoreSource =
  | { kind: 'stream'; src: Readable }
  | { kind: 'pipe'; fd: number };

/** libxl_read_exactly on a pipe fd, without reading one byte more (the daemon reads the rest). */
export function readExactSync(fd: number, n: number): Buffer | null {
  const b = Buffer.alloc(n);
  let at = 0;
  const nap = new Int32Array(new SharedArrayBuffer(4));
  while (at < n) {
    let k: number;
    try { k = readSync(fd, b, at, n - at, null); } catch (e: any) {
      if (e.code === 'EAGAIN') { Atomics.wait(nap, 0, 0, 1); continue; }
      return null;
    }
    if (k === 0) return null;
    at += k;
  }
  return b;
}

/**
 * Restore from a save file or xl migrate's stream: the header, then the daemon builds the
 * domain from the rest. Returns the new domain and a reader for what follows the stream.
 */
export async function restoreFrom(ctx: XlContext, from: RestoreSource, source: string, o: { cfg?: string; paused: boolean; name?: (n: string) => string; checkpointed?: boolean; colo?: boolean }): Promise<{ domid: number; name: string; reader: () => { read(n: number): Promise<Buffer | null> } }> {
  const io = ctx.io;
  const r = from.kind === 'stream' ? new ByteReader(from.src) : { read: async (n: number) => readExactSync(from.fd, n) };
  const h = await readXlHeader(r as ByteReader, source);
  io.err(`Loading new save file ${source} (new xl fmt info 0x${h.mandatoryFlags.toString(16)}/0x${h.optionalFlags.toString(16)}/${h.optionalDataLen})\n`);
  if (h.config !== null) io.err(' Savefile contains xl domain config in JSON format\n');
  let config: Record<string, any>;
  let workload: string | undefined;
  let configText = '';
  let configFile = '';
  if (o.cfg !== undefined) {
    const { readFileSync } = await import('node:fs');
    const { configFromText } = await import('../../formats/domain-config/from-text.ts');
    try { configText = textFromBytes(readFileSync(o.cfg)); } catch { throw new ToolError('ENOENT', `Failed to read config file: ${o.cfg}: No such file or directory`, 1); }
    io.err(`Parsing config from ${o.cfg}\n`);
    const built = configFromText(configText, [], { filename: o.cfg, host: { nrCpus: 8, nodeCpus: [[0, 1, 2, 3, 4, 5, 6, 7]] } });
    if (!built.ok) throw new ToolError('EINVAL', built.messages.join('\n'), 1);
    config = built.config as unknown as Record<string, any>;
    workload = built.extras.workload;
    configFile = resolve(o.cfg);
  } else {
    if (h.config === null) throw new ToolError('ENOCONFIG', 'Config file not specified and none in save file', 1);
    io.err('Parsing config from <saved>\n');
    try { config = JSON.parse(h.config); } catch { throw new ToolError('EINVAL', 'Failed to parse config: Invalid argument', 1); }
    workload = config.xenlab?.workload;
    delete config.xenlab;
  }
  const d = await ctx.daemon();
  let raw: Awaited<ReturnType<typeof openRawChannel>> | null = null;
  if (from.kind === 'stream') {
    raw = await openRawChannel(hostPaths().control);
    const rest = (r as ByteReader).detach();
    if (rest.length) raw.socket.write(rest);
    from.src.pipe(raw.socket, { end: true });
    raw.socket.on('error', () => {});
  }
  const name: string = config.c_info?.name ?? '';
  let restored: { domid: number; name: string } | undefined;
  try {
    await d.stream('domain.restore', {
      token: raw?.token ?? '', path: from.kind === 'pipe' ? `/proc/${process.pid}/fd/${from.fd}` : undefined,
      config, workload, configText, configFile, paused: o.paused, cwd: process.cwd(),
      name: o.name ? o.name(name) : undefined, domid: config.c_info?.domid || undefined, checkpointed: o.checkpointed, colo: o.colo,
    }, e => {
      if (e.line) io.err(e.line + '\n');
      if (e.restored) restored = e.restored;
    }).done;
  } finally {
    if (from.kind === 'stream') from.src.unpipe(raw!.socket);
    raw?.socket.destroy();
  }
  return {
    ...restored!,
    reader: () => from.kind === 'stream' ? new ByteReader(from.src) : { read: async (n: number) => readExactSync(from.fd, n) },
  };
}

const restore: CommandRun = async (ctx, argv, self) => {
  const p = parseArgs(ctx, argv, self, {
    short: 'FhcpdeVA',
    long: [{ name: 'vncviewer', hasArg: false, val: 'V' }, { name: 'vncviewer-autopass', hasArg: false, val: 'A' }],
  }, 1);
  const o = optionMap(p);
  let cfg: string | undefined, file: string;
  if (p.positionals.length === 1) file = p.positionals[0]!;
  else if (p.positionals.length === 2) [cfg, file] = p.positionals as [string, string];
  else { ctx.io.out(self.helpText); return 2; }
  // 1 MiB reads: a sixteenth of the threadpool round trips of the default 64 KiB.
  const src = createReadStream(file, { highWaterMark: 1 << 20 });
  const opened = await new Promise<NodeJS.ErrnoException | null>(r => { src.once('open', () => r(null)); src.once('error', e => r(e)); });
  if (opened) {
    ctx.io.err(`Can't open restore file: ${opened.code === 'ENOENT' ? 'No such file or directory' : opened.message}\n`);
    return 1;
  }
  try {
    await restoreFrom(ctx, { kind: 'stream', src }, file, { cfg, paused: o.has('p') });
  } catch (e) {
    if (e instanceof ToolError) { if (e.message) ctx.io.err(e.message + '\n'); return 1; }
    throw e;
  } finally { src.destroy(); }
  return 0;
};

export const saveRestoreCommands: Record<string, CommandRun> = { save, restore };
