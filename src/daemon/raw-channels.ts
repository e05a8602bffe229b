// Raw byte channels between a tool and a handler, for streams too big for JSON frames (save
// files, migration streams). The tool opens a second connection that starts with
// {"raw":"<token>"} and passes the token in its request; the handler takes the socket by token.
import type { Socket } from 'node:net';

export interface RawChannel { socket: Socket; head: Buffer }

const MAX_UNCLAIMED = 256;

export class RawChannels {
  private waiting = new Map<string, (c: RawChannel) => void>();
  private arrived = new Map<string, { channel: RawChannel; expiry: NodeJS.Timeout }>();

  offer(token: string, socket: Socket, head: Buffer): void {
    const w = this.waiting.get(token);
    if (w) { this.waiting.delete(token); w({ socket, head }); return; }
    // One channel per token, and a bounded number waiting to be claimed (a tool claims its own at once).
    if (this.arrived.has(token) || this.arrived.size >= MAX_UNCLAIMED) { socket.destroy(); return; }
    // A channel nobody claims is closed after a while. The timer is cleared when the channel is
    // taken: it holds the socket, and with it everything the stream's reader hangs on it.
    const expiry = setTimeout(() => { this.arrived.delete(token); socket.destroy(); }, 30_000).unref();
    this.arrived.set(token, { channel: { socket, head }, expiry });
  }

  /** The channel for `token`, once its connection arrives. */
  take(token: string, timeoutMs = 30_000): Promise<RawChannel> {
    const c = this.arrived.get(token);
    if (c) { this.arrived.delete(token); clearTimeout(c.expiry); return Promise.resolve(c.channel); }
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => { this.waiting.delete(token); reject(new Error('raw channel did not arrive')); }, timeoutMs);
      t.unref();
      this.waiting.set(token, ch => { clearTimeout(t); resolve(ch); });
    });
  }
}
