// Where a host's state and sockets live. Socket paths are limited to 108 bytes, so a deep
// XENLAB_HOME gets its sockets in a short directory under /tmp named after a hash of the home.
import { createHash } from 'node:crypto';
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
  const h = createHash('sha1').update(home).digest('hex').slice(0, 12);
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
