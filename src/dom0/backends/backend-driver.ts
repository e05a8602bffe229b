// A Dom0 backend driver (netback, blkback) as a xenstore client: it watches its backend
// directory, probes new devices (features, InitWait), connects when the frontend is ready,
// and closes when the toolstack or the frontend asks. Kind-specific parts come from `ops`.
import type { XsClient } from '../../formats/xenstore-client.ts';

export interface BackendDevice { domid: number; devid: number; path: string; frontend: string; probed: boolean; connected: boolean }

export interface BackendOps {
  /** Keys written at probe time, before InitWait. */
  features(dev: BackendDevice): Record<string, string>;
  /** May the device connect now (netback waits for the hotplug script)? */
  ready(xs: XsClient, dev: BackendDevice): Promise<boolean>;
  /** Keys written when connecting (blkback: sectors, info ...). */
  connect(xs: XsClient, dev: BackendDevice): Promise<Record<string, string>>;
  connected?(dev: BackendDevice): void;
  closed?(dev: BackendDevice): void;
}

async function readOr(xs: XsClient, path: string): Promise<string | null> {
  try { return await xs.read(path); } catch { return null; }
}

export class BackendDriver {
  readonly devices = new Map<string, BackendDevice>();
  private readonly root: string;
  private busy = new Map<string, Promise<void>>();

  constructor(private readonly xs: XsClient, readonly kind: string, private readonly ops: BackendOps) {
    this.root = `/local/domain/0/backend/${kind}`;
  }

  async start(): Promise<void> {
    this.xs.onWatchEvent((path, token) => {
      if (token === `backend-${this.kind}`) this.onBackendEvent(path);
      else if (token.startsWith(`frontend-${this.kind}:`)) this.kick(token.slice(token.indexOf(':') + 1));
    });
    await this.xs.watch(this.root, `backend-${this.kind}`);
  }

  private onBackendEvent(path: string): void {
    const rest = path.slice(this.root.length + 1).split('/');
    if (rest.length < 2 || !rest[0] || !rest[1]) return;
    this.kick(`${this.root}/${rest[0]}/${rest[1]}`);
  }

  /** Re-evaluate one device, one evaluation at a time per device. */
  private kick(path: string): void {
    const prev = this.busy.get(path) ?? Promise.resolve();
    const next = prev.then(() => this.evaluate(path)).catch(() => {});
    this.busy.set(path, next);
    void next.then(() => { if (this.busy.get(path) === next) this.busy.delete(path); });
  }

  private async evaluate(path: string): Promise<void> {
    const xs = this.xs;
    const state = await readOr(xs, `${path}/state`);
    let dev = this.devices.get(path);
    if (state === null) {
      if (dev) { this.devices.delete(path); this.ops.closed?.(dev); void xs.unwatch(`${dev.frontend}/state`, `frontend-${this.kind}:${path}`).catch(() => {}); }
      return;
    }
    if (!dev) {
      const frontend = await readOr(xs, `${path}/frontend`);
      const [domid, devid] = path.slice(this.root.length + 1).split('/').map(Number);
      if (!frontend) return;
      dev = { domid: domid!, devid: devid!, path, frontend, probed: false, connected: false };
      this.devices.set(path, dev);
      await xs.watch(`${frontend}/state`, `frontend-${this.kind}:${path}`);
    }
    const online = await readOr(xs, `${path}/online`);
    const fstate = await readOr(xs, `${dev.frontend}/state`);
    if (state === '1' && online === '1' && !dev.probed) {
      dev.probed = true;
      const f = this.ops.features(dev);
      await xs.transaction(async tx => {
        for (const [k, v] of Object.entries(f)) await xs.write(`${path}/${k}`, v, tx);
        await xs.write(`${path}/state`, '2', tx);
      });
      return;
    }
    if ((state === '2' || state === '3') && (fstate === '3' || fstate === '4') && !dev.connected && await this.ops.ready(xs, dev)) {
      dev.connected = true;
      const keys = await this.ops.connect(xs, dev);
      await xs.transaction(async tx => {
        for (const [k, v] of Object.entries(keys)) await xs.write(`${path}/${k}`, v, tx);
        await xs.write(`${path}/state`, '4', tx);
      });
      this.ops.connected?.(dev);
      return;
    }
    // Closing: asked by the toolstack (online=0, state 5) or by the frontend.
    if (state === '5' && (fstate === '6' || fstate === null || fstate === '1')) {
      await xs.write(`${path}/state`, '6').catch(() => {});
      if (dev.connected) { dev.connected = false; this.ops.closed?.(dev); }
      return;
    }
    if (state === '4' && (fstate === '5' || fstate === '6')) {
      await xs.write(`${path}/state`, '5').catch(() => {});
    }
  }
}
