// Where a host's state and sockets live. Socket paths are limited to 108 bytes, so a deep
// XENLAB_HOME gets its sockets in a short directory under /tmp named after a hash of the home.
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export function xenlabHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XENLAB_HOME) return resolve(env.XENLAB_HOME);
  const state = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(state, 'xenlab');
}

const MAX_SOCKET_PATH = 100;

function socketDir(home: string): string {
  if (join(home, 'run/xenstored/socket').length <= MAX_SOCKET_PATH) return home;
  // FNV-1a: a stable short name without loading node:crypto into every tool's start-up.
  let h1 = 0x811c9dc5, h2 = 0x01000193;
  for (let i = 0; i < home.length; i++) { h1 = Math.imul(h1 ^ home.charCodeAt(i), 0x01000193) >>> 0; h2 = Math.imul(h2 ^ home.charCodeAt(i), 0x811c9dc5) >>> 0; }
  const h = h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
  return join(tmpdir(), `xenlab-${h}`);
}

export interface HostPaths {
  home: string;
  control: string;
  xenstored: string;
  db: string;
  logs: string;
  lock: string;
  pidfile: string;
}

export function hostPaths(home = xenlabHome()): HostPaths {
  const sd = socketDir(home);
  return {
    home,
    control: join(sd, 'control.sock'),
    xenstored: join(sd, 'run', 'xenstored', 'socket'),
    db: join(home, 'xenlab.db'),
    logs: join(home, 'logs'),
    lock: join(home, 'xenlabd.lock'),
    pidfile: join(home, 'xenlabd.pid'),
  };
}
