// The tool's end of a raw data channel (see src/daemon/raw-channels.ts).
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { hostPaths } from '../protocol/paths.ts';

export function openRawChannel(controlPath = hostPaths().control): Promise<{ socket: Socket; token: string }> {
  const token = randomBytes(12).toString('hex');
  return new Promise((resolve, reject) => {
    const socket = connect(controlPath);
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.removeListener('error', reject);
      socket.write(JSON.stringify({ raw: token }) + '\n');
      resolve({ socket, token });
    });
  });
}
