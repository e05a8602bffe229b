// Reach the daemon of this XENLAB_HOME, starting it if none answers (the Nx pattern: spawn
// detached with logs to a file, poll until the socket accepts). The daemon itself holds the
// host's lock (src/daemon/host-lock.ts), so tools racing here may each spawn one: all but one
// of those exit with EXIT_LOCKED, and every tool reaches the one that won.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, existsSync, fstatSync, mkdirSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection } from './connection.ts';
import { openControl, EXIT_UNAVAILABLE } from './control.ts';
import { hostPaths, type HostPaths } from '../protocol/paths.ts';
import { ToolError } from '../protocol/wire.ts';
import { openStateFile, privateDir } from '../dom0/state-files.ts';

/** xenlabd's exit code when another daemon holds the home's lock (EX_TEMPFAIL). */
export const EXIT_LOCKED = 75;

/** The package root: the nearest directory upwards holding dist/xenlabd.js. */
function daemonScript(): string {
  if (process.env.XENLAB_DAEMON_SCRIPT) return process.env.XENLAB_DAEMON_SCRIPT;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    for (const cand of [join(dir, 'xenlabd.js'), join(dir, 'dist', 'xenlabd.js')]) if (existsSync(cand)) return cand;
    dir = dirname(dir);
  }
  throw new ToolError('ENODAEMON', 'cannot find xenlabd (dist/xenlabd.js): run npm run build', EXIT_UNAVAILABLE);
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Spawn `xenlabd run` detached, with extra arguments (machine options), its output in the daemon log from `logFrom` on. */
export function spawnDaemon(paths: HostPaths, extraArgs: string[] = []): { child: ChildProcess; logFrom: number } {
  let log: number;
  try {
    mkdirSync(dirname(paths.home), { recursive: true, mode: 0o700 });
    privateDir(paths.home);
    privateDir(paths.logs);
    log = openStateFile(join(paths.logs, 'xenlabd.log'), constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT);
  } catch (e: any) {
    throw new ToolError('EDAEMON', `cannot start xenlabd for ${paths.home}: ${e.message}`, EXIT_UNAVAILABLE);
  }
  const child = spawn(process.execPath, [daemonScript(), 'run', ...extraArgs], {
    detached: true, stdio: ['ignore', log, log], env: { ...process.env, XENLAB_HOME: paths.home },
  });
  const logFrom = fstatSync(log).size;
  child.unref();
  closeSync(log);
  return { child, logFrom };
}

/**
 * Connect to the daemon, auto-starting it unless XENLAB_NO_AUTOSTART=1. A spawned daemon that
 * lost the lock to another one is no failure: that other one is coming up, or is up.
 */
export function connectDaemon(opts: { autostart?: boolean; startArgs?: string[]; paths?: HostPaths } = {}): Promise<Connection> {
  const paths = opts.paths ?? hostPaths();
  // A start that fails on the file system (a full disk) is reported, never as a stack trace.
  return connectOrStart(paths, opts).catch(e => {
    throw e instanceof ToolError ? e : new ToolError('EDAEMON', `xenlabd could not be started for ${paths.home}: ${e instanceof Error ? e.message : String(e)}`, EXIT_UNAVAILABLE);
  });
}

async function connectOrStart(paths: HostPaths, opts: { autostart?: boolean; startArgs?: string[] }): Promise<Connection> {
  try { return await openControl(paths); } catch (e) { if (e instanceof ToolError) throw e; }
  const autostart = opts.autostart ?? process.env.XENLAB_NO_AUTOSTART !== '1';
  if (!autostart) throw new ToolError('EDAEMON', `xenlabd is not running for ${paths.home} (XENLAB_NO_AUTOSTART=1)`, EXIT_UNAVAILABLE);
  const { child, logFrom } = spawnDaemon(paths, opts.startArgs);
  let exitCode: number | null = null;
  child.on('exit', code => { exitCode = code ?? 128; }); // null: killed by a signal
  // Recovering many guests on a loaded machine takes seconds; a daemon that fails exits sooner.
  const deadline = Date.now() + 60_000;
  const log = join(paths.logs, 'xenlabd.log');
  while (Date.now() < deadline) {
    try { return await openControl(paths); } catch {}
    if (exitCode !== null && exitCode !== EXIT_LOCKED) {
      throw new ToolError('EDAEMON', refusal(log, logFrom) || `xenlabd did not start for ${paths.home}: see ${log}`, EXIT_UNAVAILABLE);
    }
    await sleep(15);
  }
  throw new ToolError('EDAEMON', `xenlabd did not start for ${paths.home}: see ${log}`, EXIT_UNAVAILABLE);
}

/** The daemon's last words: what it wrote to its log since it was spawned (its reason for not starting). */
function refusal(log: string, from: number): string {
  const fd = openStateFile(log, constants.O_RDONLY);
  try {
    const buf = Buffer.alloc(16384);
    const n = readSync(fd, buf, 0, buf.length, Math.max(from, fstatSync(fd).size - buf.length));
    return buf.subarray(0, n).toString().trim();
  } finally { closeSync(fd); }
}
