// xentrace: set up the hypervisor's trace buffers (event and CPU masks, size, enable) through
// the daemon, then write every window the daemon reads from the rings to the output file
// unchanged, until SIGINT/SIGTERM/SIGHUP or -T seconds of simulated time; then one last read,
// tracing disabled (unless -x), the -M buffer dumped, exit 0. Messages as Xen 4.17's.
import { closeSync, openSync, statfsSync, writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import { connectDaemon } from '../../client/autostart.ts';
import type { Connection } from '../../client/connection.ts';
import { openRawChannel } from '../../client/raw-channel.ts';
import { hostPaths } from '../../protocol/paths.ts';
import { invokedName } from '../invoked-name.ts';
import { ToolError } from '../../protocol/wire.ts';
import { OptionsExit, parseOptions, type XentraceOptions } from './options.ts';
import { CpuMaskError, cpusOf, parseCpuMask, printCpuMask } from './cpumask.ts';
import { MemBuffer } from './membuf.ts';

const DEFAULT_TBUF_SIZE = 32;
const CPU_CHANGE_HEADER = 0x2001f003;

class Exit extends Error { constructor(readonly code: number) { super(`exit ${code}`); } }

const err = (s: string): void => { writeSync(2, s); };
/** What one read of the data channel takes at most: more than the daemon's socket buffer holds. */
const READ_BUFFER = 1 << 20;

/** strerror() of a Node system error, as perror() prints it. */
function strerror(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const texts: Record<string, string> = {
    ENOENT: 'No such file or directory', EACCES: 'Permission denied', EISDIR: 'Is a directory',
    ENOTDIR: 'Not a directory', EROFS: 'Read-only file system', ENOSPC: 'No space left on device', EPIPE: 'Broken pipe',
  };
  return (code && texts[code]) ?? (e instanceof Error ? e.message : String(e));
}

/** Cuts the bytes of the data channel, which arrive in arbitrary pieces, into whole windows (cpu_change record + data). */
class WindowSplitter {
  private chunks: Buffer[] = [];
  private length = 0;

  constructor(private readonly onWindow: (cpu: number, bytes: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
    while (this.length >= 12) {
      let head = this.chunks[0]!;
      if (head.length < 12) head = this.join();
      if (head.readUInt32LE(0) !== CPU_CHANGE_HEADER) throw new Error('daemon sent a stream not made of windows');
      const size = 12 + head.readUInt32LE(8);
      if (this.length < size) return;
      if (head.length < size) head = this.join();
      this.onWindow(head.readInt32LE(4), head.subarray(0, size));
      this.length -= size;
      if (head.length === size) this.chunks.shift(); else this.chunks[0] = head.subarray(size);
    }
  }

  /** Bytes of an incomplete window left at the end. */
  get leftover(): number { return this.length; }

  private join(): Buffer {
    const all = Buffer.concat(this.chunks);
    this.chunks = [all];
    return all;
  }
}

class Output {
  private readonly membuf: MemBuffer | undefined;

  constructor(private readonly fd: number, private readonly path: string, private readonly o: XentraceOptions) {
    this.membuf = o.memoryBuffer > 0 ? new MemBuffer(o.memoryBuffer) : undefined;
  }

  /** -M and -r work window by window. */
  get needsWindows(): boolean { return this.membuf !== undefined || this.o.diskReserveMb > 0; }

  /** Whole windows, in order, as they came (neither -M nor -r). */
  bytes(chunk: Buffer): void { this.write(chunk); }

  window(cpu: number, bytes: Buffer): void {
    if (this.membuf) {
      const e = this.membuf.add(cpu, bytes);
      if (e) { err(e); throw new Exit(1); }
      return;
    }
    if (this.o.diskReserveMb) this.checkDiskSpace(bytes.length - 12);
    this.write(bytes);
  }

  /** -r: stop before a write that would leave no more than the reserve free. */
  private checkDiskSpace(size: number): void {
    let st;
    try { st = statfsSync(this.path); } catch { err('Statfs failed!\n'); this.failWrite(); }
    const free = Number((BigInt(st.bsize) * BigInt(st.bfree) - BigInt(size)) >> 20n);
    if (free <= this.o.diskReserveMb) {
      err(`Disk space limit reached (free space: ${free}MB, limit: ${this.o.diskReserveMb}MB).\n`);
      throw new Exit(1);
    }
  }

  private write(bytes: Buffer): void {
    try {
      for (let off = 0; off < bytes.length;) {
        try { off += writeSync(this.fd, bytes, off, bytes.length - off); } catch (e) {
          // A non-blocking stdout (a socket from the parent) is full: wait for the reader.
          if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        }
      }
    } catch (e) {
      err(`Write failed! (size ${bytes.length}, returned -1)\n`);
      this.failWrite(e);
    }
  }

  private failWrite(e?: unknown): never {
    const errno = e ? ` (${(e as { errno?: number }).errno === undefined ? '' : -(e as { errno: number }).errno + ' = '}${strerror(e)})` : '';
    err(`ERROR: Failed to write trace data${errno}\n`);
    throw new Exit(1);
  }

  finish(): void {
    if (this.membuf) {
      err('Dumping memory buffer.\n');
      for (const b of this.membuf.contents()) this.write(b);
    }
    closeSync(this.fd);
  }
}

async function trace(o: XentraceOptions): Promise<number> {
  let conn: Connection;
  const paths = hostPaths();
  try { conn = await connectDaemon({ paths }); } catch (e) {
    if (e instanceof ToolError) { err(`${e.message}\n`); return e.exitCode; }
    throw e;
  }
  try {
    if (o.evtMask !== 0) {
      await conn.request('trace.setEventMask', { mask: o.evtMask });
      err(`change evtmask to 0x${o.evtMask.toString(16)}\n`);
    }
    if (o.cpuMask !== undefined) {
      const { nrCpus } = await conn.request('trace.status', {});
      let map: Uint8Array;
      try { map = parseCpuMask(o.cpuMask, nrCpus); } catch (e) {
        if (e instanceof CpuMaskError) { err(e.stderr); return 1; }
        throw e;
      }
      await conn.request('trace.setCpuMask', { cpus: cpusOf(map, nrCpus) });
      err(printCpuMask(map, nrCpus));
    }
    // "-" is standard output whatever it is (an extension: the real tool would create a file "-").
    const path = o.outfile === '-' ? '/dev/stdout' : o.outfile;
    let fd: number;
    try { fd = o.outfile === '-' ? 1 : openSync(path, 'w', 0o644); } catch (e) {
      err(`Could not open output file: ${strerror(e)}\n`);
      return 1;
    }
    if (isatty(fd)) { err('Cannot output to a TTY, specify a log file.\n'); return 1; }
    const out = new Output(fd, path, o);

    // Stop on the usual signals: the daemon reads the rings one last time and ends the stream.
    let stream: ReturnType<Connection['stream']> | undefined;
    let interrupted = false;
    const onSignal = (): void => {
      if (interrupted) return;
      interrupted = true;
      stream?.input({ stop: true, disable: o.disableTracing });
    };
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);

    await conn.request('trace.enable', { pages: o.tbufSize || DEFAULT_TBUF_SIZE });
    if (o.startDisabled) await conn.request('trace.disable', {});
    if (o.discard) await conn.request('trace.discard', {});

    // The windows arrive on a raw channel of their own, which the daemon ends after the last read.
    let failure: unknown;
    // Windows come whole and in order, so the file is the bytes as they come, read into one
    // reused buffer and written before the next read; -M and -r need them cut into windows.
    const splitter = out.needsWindows ? new WindowSplitter((cpu, bytes) => out.window(cpu, bytes)) : undefined;
    const take = (chunk: Buffer): void => {
      if (failure) return;
      try { if (splitter) splitter.push(chunk); else out.bytes(chunk); } catch (e) { failure = e; stream!.cancel(); data.socket.destroy(); }
    };
    const readBuffer = splitter ? undefined : Buffer.allocUnsafeSlow(READ_BUFFER);
    const data = await openRawChannel(paths.control,
      readBuffer && { buffer: readBuffer, callback: n => { take(readBuffer.subarray(0, n)); return true; } });
    const dataDone = new Promise<void>(resolve => {
      if (splitter) data.socket.on('data', take);
      data.socket.on('error', e => { if (!failure) failure = e; });
      data.socket.on('close', () => resolve());
    });
    stream = conn.stream('trace.windows', {
      // -s 0 (poll without sleeping) is taken as the shortest period the daemon accepts.
      pollNs: (BigInt(Math.max(o.pollMs, 1)) * 1_000_000n).toString(),
      ...(o.timeoutS ? { timeoutNs: (BigInt(o.timeoutS) * 1_000_000_000n).toString() } : {}),
      disableAtStop: o.disableTracing,
      token: data.token,
    }, () => {});
    if (interrupted) stream.input({ stop: true, disable: o.disableTracing });
    await stream.done.catch(e => { if (!failure) failure = e; data.socket.destroy(); });
    await dataDone;
    if (failure) throw failure;
    if (splitter?.leftover) throw new Error('daemon ended the data channel inside a window');
    out.finish();
    return 0;
  } finally {
    conn.close();
  }
}

async function main(): Promise<number> {
  let o: XentraceOptions;
  try { o = parseOptions(process.argv.slice(2), invokedName()); } catch (e) {
    if (!(e instanceof OptionsExit)) throw e;
    if (e.stderr) err(e.stderr);
    if (e.stdout) writeSync(1, e.stdout);
    return e.code;
  }
  try { return await trace(o); } catch (e) {
    if (e instanceof Exit) return e.code;
    if (e instanceof ToolError) { err(`${e.message}\n`); return e.exitCode; }
    throw e;
  }
}

main().then(code => process.exit(code), e => { err(`xentrace: ${e instanceof Error ? e.message : String(e)}\n`); process.exit(1); });
