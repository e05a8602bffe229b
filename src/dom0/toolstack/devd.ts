// `xl devd` in a driver domain (libxl_device_events_handler): it watches the domain's own
// backend directory and does libxl's part for each device Dom0's toolstack put there. A new
// device waits for its backend's InitWait, then gets its hotplug script (vif-bridge puts the
// vif on its bridge; block finds the disk); a device Dom0 unplugged (online 0, Closed) has the
// script's remove run and its backend directory removed, which Dom0's libxl waits for.
import type { XsClient } from '../../formats/xenstore-client.ts';
import { runHotplug } from '../hotplug.ts';

/** What the handler knows of a device: whether its hotplug script ran. */
interface Device { kind: 'vif' | 'vbd'; hotplugged: boolean }

export class Devd {
  private readonly root: string;
  private readonly devices = new Map<string, Device>();
  private busy = Promise.resolve();
  private stopped = false;

  constructor(private readonly xs: XsClient, self: number, private readonly log: (line: string) => void) {
    this.root = `/local/domain/${self}/backend`;
  }

  async start(): Promise<void> {
    this.xs.onWatchEvent((path, token) => { if (token === 'xldevd' && !this.stopped) this.queue(path); });
    await this.xs.watch(this.root, 'xldevd');
    // Devices that reached InitWait before the handler started.
    for (const kind of await this.list(this.root)) for (const domid of await this.list(`${this.root}/${kind}`)) {
      for (const devid of await this.list(`${this.root}/${kind}/${domid}`)) this.queue(`${this.root}/${kind}/${domid}/${devid}/state`);
    }
  }

  /** The daemon ends (^C on `xl devd -F`): devices already up stay up. */
  stop(): void {
    this.stopped = true;
    void this.xs.unwatch(this.root, 'xldevd').catch(() => {});
  }

  private list(path: string): Promise<string[]> { return this.xs.directory(path).catch(() => []); }

  /** One event at a time, as libxl's event loop runs the callbacks. */
  private queue(path: string): void { this.busy = this.busy.then(() => this.backendChanged(path)).catch(e => this.log(`xl devd: ${e instanceof Error ? e.message : e}`)); }

  /** backend_watch_callback: only the state and online nodes of a /local/domain/<self>/backend/<kind>/<domid>/<devid> matter. */
  private async backendChanged(path: string): Promise<void> {
    const m = /^(.*\/backend\/([^/]+)\/\d+\/\d+)\/(state|online)$/.exec(path);
    if (!m || !path.startsWith(`${this.root}/`)) return;
    const be = m[1]!, kind = m[2]!;
    const [state, online] = await Promise.all([this.xs.read(`${be}/state`).catch(() => null), this.xs.read(`${be}/online`).catch(() => null)]);
    if (state === null || online === null) return;
    let dev = this.devices.get(be);
    if (!dev) {
      // A Closed device never added is a spurious change (already gone, or never attached).
      if (state === '6') return;
      if (kind !== 'vif' && kind !== 'vbd') return;
      this.devices.set(be, dev = { kind, hotplugged: false });
    }
    if (state === '2' && !dev.hotplugged) {
      dev.hotplugged = true;
      const back: Record<string, string> = {};
      for (const k of ['params', 'mode']) back[k] = await this.xs.read(`${be}/${k}`).catch(() => '');
      await runHotplug(this.xs, dev.kind, be, back);
    } else if (state === '6' && online === '0') {
      this.devices.delete(be);
      await this.removeBackend(be);
    }
  }

  /** libxl__device_destroy in the driver domain: the backend directory, and its parent when that is left empty. */
  private async removeBackend(be: string): Promise<void> {
    const parent = be.slice(0, be.lastIndexOf('/'));
    await this.xs.transaction(async tx => {
      await this.xs.rm(be, tx).catch(() => {});
      if (!(await this.xs.directory(parent, tx).catch(() => ['?'])).length) await this.xs.rm(parent, tx).catch(() => {});
    });
  }
}
