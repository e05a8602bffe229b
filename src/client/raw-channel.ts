// The tool's end of a raw data channel (see src/daemon/raw-channels.ts).
import { connect, type OnReadOpts, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { hostPaths } from '../protocol/paths.ts';

/**
 * Open a channel. With `onread`, every read goes into `onread.buffer` and is handed to the
 * callback (no 'data' events): the callback must be done with the bytes when it returns, and
 * returns false to stop reading.
 */
export function openRawChannel(controlPath = hostPaths().control,
  onread?: OnReadOpts): Promise<{ socket: Socket; token: string }> {
  const token = randomBytes(12).toString('hex');
  return new Promise((resolve, reject) => {
    const socket = onread ? connect({ path: controlPath, onread }) : connect(controlPath);
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.removeListener('error', reject);
      socket.write(JSON.stringify({ raw: token }) + '\n');
      resolve({ socket, token });
    });
  });
}
