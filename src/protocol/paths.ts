// Where a host's state and sockets live. Socket paths are limited to 108 bytes, so a deep
// XENLAB_HOME gets its sockets in a short directory of the user's own: under $XDG_RUNTIME_DIR
// when that is the user's private directory, else under /tmp (the daemon makes that one 0700
// and refuses it if someone else made it first).
import { homedir, tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { isPrivateDir } from '../dom0/state-files.ts';

export function xenlabHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XENLAB_HOME) return resolve(env.XENLAB_HOME);
  const state = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(state, 'xenlab');
}

const MAX_SOCKET_PATH = 100;
const XENSTORED_SOCKET = 'run/xenstored/socket';

function socketDir(home: string, env: NodeJS.ProcessEnv): string {
  if (join(home, XENSTORED_SOCKET).length <= MAX_SOCKET_PATH) return home;
  // FNV-1a: a stable short name without loading node:crypto into every tool's start-up.
  let h1 = 0x811c9dc5, h2 = 0x01000193;
  for (let i = 0; i < home.length; i++) { h1 = Math.imul(h1 ^ home.charCodeAt(i), 0x01000193) >>> 0; h2 = Math.imul(h2 ^ home.charCodeAt(i), 0x811c9dc5) >>> 0; }
  const h = h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
  const runtime = env.XDG_RUNTIME_DIR;
  // A root shell under sudo may carry a user's XDG_RUNTIME_DIR: only our own private one will do.
  if (runtime && isAbsolute(runtime) && join(runtime, `xenlab-${h}`, XENSTORED_SOCKET).length <= MAX_SOCKET_PATH && isPrivateDir(runtime)) {
    return join(runtime, `xenlab-${h}`);
  }
  return join(tmpdir(), `xenlab-${process.getuid!()}-${h}`);
}

export interface HostPaths {
  home: string;
  /** The directory of control.sock and run/: the home itself unless that is too deep. */
  sockets: string;
  control: string;
  xenstored: string;
  /** Where the DRBD model's peers connect (an extension: Remus's disk replication). */
  drbd: string;
  db: string;
  logs: string;
  lock: string;
  pidfile: string;
}

export function hostPaths(home = xenlabHome(), env: NodeJS.ProcessEnv = process.env): HostPaths {
  const sockets = socketDir(home, env);
  return {
    home,
    sockets,
    control: join(sockets, 'control.sock'),
    xenstored: join(sockets, XENSTORED_SOCKET),
    drbd: join(sockets, 'run', 'drbd.sock'),
    db: join(home, 'xenlab.db'),
    logs: join(home, 'logs'),
    lock: join(home, 'xenlabd.lock'),
    pidfile: join(home, 'xenlabd.pid'),
  };
}
