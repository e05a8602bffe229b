// Finds and opens the xenstored socket as libxenstore's xs_open() does: $XENSTORED_PATH, else
// xenlab's own socket under $XENLAB_HOME.

import { connect } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { XsClient, XsError } from '../../formats/xenstore-client.ts';
import { LATIN1_STRINGS } from '../../formats/byte-text.ts';

export function xenstoredPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XENSTORED_PATH) return env.XENSTORED_PATH;
  const home = env.XENLAB_HOME || join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'xenlab');
  return join(home, 'run', 'xenstored', 'socket');
}

export interface XsConnection { client: XsClient; close(): void; closed: Promise<void> }

/** Resolves once connected; rejects with the errno code (e.g. 'ENOENT', 'ECONNREFUSED'). */
export function openXenstore(path = xenstoredPath()): Promise<XsConnection> {
  return new Promise((resolve, reject) => {
    const sock = connect(path);
    // The tools count and cut paths in bytes, as the C ones do: one character per byte.
    const client = new XsClient(buf => { sock.write(buf); }, LATIN1_STRINGS);
    sock.on('data', (d: Buffer) => client.feed(d));
    sock.once('connect', () => {
      sock.on('error', () => {});
      const closed = new Promise<void>(r => sock.on('close', () => { client.close(); r(); }));
      resolve({ client, close: () => sock.destroy(), closed });
    });
    sock.once('error', (e: NodeJS.ErrnoException) => reject(new XsError(e.code ?? 'EIO')));
  });
}
