// libvirtd's Unix-socket server for the remote program: libvirt-sock (read-write) and
// libvirt-sock-ro (read-only, as libvirtd forces VIR_CONNECT_RO there). Each connection is a
// Client; a frame with an impossible length drops it, as libvirtd does, and nothing else.
import { createServer, type Server, type Socket } from 'node:net';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { Client } from './client.ts';
import type { RemoteDriver } from './remote-driver.ts';

/** libvirtd's max_clients default: connections beyond it are closed at once. */
const MAX_CLIENTS = 5000;

export class LibvirtServer {
  private servers: Server[] = [];
  private clients = new Set<Client>();

  constructor(private readonly driver: RemoteDriver, private readonly log: (l: string) => void) {}

  async listen(socket: string, roSocket: string): Promise<void> {
    mkdirSync(dirname(socket), { recursive: true, mode: 0o700 });
    // Both 0600, as every file of the home: the read-only socket is for the user's own monitors.
    await this.listenOne(socket, false);
    await this.listenOne(roSocket, true);
  }

  private listenOne(path: string, readonly: boolean): Promise<void> {
    rmSync(path, { force: true });
    const srv = createServer(s => this.accept(s, readonly));
    this.servers.push(srv);
    return new Promise((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(path, () => { chmodSync(path, 0o600); resolve(); });
    });
  }

  private accept(sock: Socket, readonly: boolean): void {
    if (this.clients.size >= MAX_CLIENTS) { sock.destroy(); return; }
    const c = new Client(sock, readonly, this.driver, this.log);
    this.clients.add(c);
    sock.on('close', () => { this.clients.delete(c); c.closed(); });
  }

  close(): void {
    for (const s of this.servers) s.close();
    for (const c of this.clients) c.drop();
  }
}
