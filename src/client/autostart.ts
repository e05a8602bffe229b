// Reach the daemon of this XENLAB_HOME, starting it if none answers (the Nx pattern: spawn
// detached with logs to a file, poll until the socket accepts, serialise starts with an
// exclusive lock file holding the starter's pid; a dead pid in the lock is stale).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from './connection.ts';
import { hostPaths, type HostPaths } from '../protocol/paths.ts';
import { ToolError } from '../protocol/wire.ts';

/** Exit code for "daemon unreachable" (EX_UNAVAILABLE), used by every tool. */
export const EXIT_UNAVAILABLE = 69;

function pidAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e: any) { return e.code === 'EPERM'; }
}

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

function tryLock(path: string): boolean {
  try {
    const fd = openSync(path, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (e: any) {
    if (e.code !== 'EEXIST') throw e;
    const pid = Number(readFileSync(path, 'utf8').trim());
    if (!pid || !pidAlive(pid)) { try { unlinkSync(path); } catch {} return tryLock(path); }
    return false;
  }
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/**
 * Spawn `xenlabd run` detached, with extra arguments (machine options). Resolves, if the daemon
 * exits, with what it wrote to its log meanwhile (its reason for refusing to start).
 */
export function spawnDaemon(paths: HostPaths, extraArgs: string[] = []): Promise<string> {
  mkdirSync(paths.logs, { recursive: true });
  const logPath = join(paths.logs, 'xenlabd.log');
  const log = openSync(logPath, 'a');
  const from = fstatSync(log).size;
  const child = spawn(process.execPath, [daemonScript(), 'run', ...extraArgs], {
    detached: true, stdio: ['ignore', log, log], env: { ...process.env, XENLAB_HOME: paths.home },
  });
  child.unref();
  closeSync(log);
  return new Promise(resolve => child.once('exit', () => {
    try { resolve(readFileSync(logPath).subarray(from).toString().trim()); } catch { resolve(''); }
  }));
}

/**
 * Connect to the daemon, auto-starting it unless XENLAB_NO_AUTOSTART=1. Two tools racing here
 * start exactly one daemon: only the holder of the lock spawns, the others poll.
 */
export function connectDaemon(opts: { autostart?: boolean; startArgs?: string[]; paths?: HostPaths } = {}): Promise<Connection> {
  const paths = opts.paths ?? hostPaths();
  // A start that fails on the file system (a full disk) is reported, never as a stack trace.
  return connectOrStart(paths, opts).catch(e => {
    throw e instanceof ToolError ? e : new ToolError('EDAEMON', `xenlabd could not be started for ${paths.home}: ${e instanceof Error ? e.message : String(e)}`, EXIT_UNAVAILABLE);
  });
}

async function connectOrStart(paths: HostPaths, opts: { autostart?: boolean; startArgs?: string[] }): Promise<Connection> {
  try { return await Connection.open(paths.control); } catch {}
  const autostart = opts.autostart ?? process.env.XENLAB_NO_AUTOSTART !== '1';
  if (!autostart) throw new ToolError('EDAEMON', `xenlabd is not running for ${paths.home} (XENLAB_NO_AUTOSTART=1)`, EXIT_UNAVAILABLE);
  mkdirSync(paths.home, { recursive: true });
  let spawned = false;
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (!spawned && tryLock(paths.lock)) {
      try {
        try { return await Connection.open(paths.control); } catch {}
        let refusal: string | undefined;
        void spawnDaemon(paths, opts.startArgs).then(r => { refusal = r; });
        spawned = true;
        while (Date.now() < deadline) {
          await sleep(15);
          if (refusal !== undefined) {
            try { return await Connection.open(paths.control); } catch {}
            throw new ToolError('EDAEMON', refusal || `xenlabd did not start for ${paths.home}: see ${join(paths.logs, 'xenlabd.log')}`, EXIT_UNAVAILABLE);
          }
          try { return await Connection.open(paths.control); } catch {}
        }
      } finally { try { unlinkSync(paths.lock); } catch {} }
    }
    await sleep(15);
    try { return await Connection.open(paths.control); } catch {}
  }
  throw new ToolError('EDAEMON', `xenlabd did not start for ${paths.home}: see ${join(paths.logs, 'xenlabd.log')}`, EXIT_UNAVAILABLE);
}
