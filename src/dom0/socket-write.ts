// Writing to a socket at once, with one write(2), when nothing is queued on it. Node's stream
// write path keeps the buffer until the event loop turns; xenstored's replies (paid for by
// every sequential client) and the trace data sent during a long simulation step (whose
// buffers are reused only once the write is done) are both better off without it.
import { writeSync } from 'node:fs';
import type { Socket } from 'node:net';

/** The descriptor behind a connected Unix socket, or -1 if Node does not show it. */
export function socketFd(sock: Socket): number {
  const fd = (sock as unknown as { _handle?: { fd?: number } | null })._handle?.fd;
  return typeof fd === 'number' ? fd : -1;
}

/**
 * Sends what the kernel takes of `bytes` now, only if nothing is queued on the stream (a
 * direct write must not overtake queued bytes). Returns the number of bytes sent, or -1 if the
 * socket failed (it is destroyed).
 */
export function writeNow(sock: Socket, fd: number, bytes: Uint8Array): number {
  if (fd < 0 || sock.destroyed || sock.writableLength !== 0) return 0;
  try {
    return writeSync(fd, bytes);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return 0;
    sock.destroy();
    return -1;
  }
}
