// xen-pciback's xenbus side (Linux drivers/xen/xen-pciback/xenbus.c), in its default "vpci"
// mode: the toolstack's backend directory for a guest (num_devs, dev-N) is probed (InitWait),
// each device is exported on the guest's virtual bus 0000:00 (vdev-N, root_num, root-0) and the
// backend goes Initialised; once pcifront has published its page and event channel the backend
// binds the channel and is Connected. A hot-plug or unplug comes as Reconfiguring with state-N
// Initialising or Closing per device: pcifront lets go (Reconfiguring), pciback exports or
// withdraws each device (state-N Initialised or Closed) and says Reconfigured, and pcifront's
// Connected brings the backend back to Connected.
import type { XsClient } from '../formats/xenstore-client.ts';
import type { Hypervisor } from '../hypervisor/hypervisor.ts';

const ROOT = '/local/domain/0/backend/pci';

async function readOr(xs: XsClient, path: string): Promise<string | null> {
  try { return await xs.read(path); } catch { return null; }
}

interface Backend { path: string; frontend: string; domid: number; port: number | null }

export function pciback(xs: XsClient, hv: Hypervisor) {
  const backends = new Map<string, Backend>();
  const busy = new Map<string, Promise<void>>();

  const kick = (path: string): void => {
    const next = (busy.get(path) ?? Promise.resolve()).then(() => evaluate(path)).catch(() => {});
    busy.set(path, next);
  };

  /** The virtual slot of each exported device: functions of one physical slot share one, in vpci mode. */
  async function exportDevices(b: Backend, only: (i: number) => Promise<boolean>): Promise<[string, string][]> {
    const num = parseInt(await readOr(xs, `${b.path}/num_devs`) ?? '0', 10) || 0;
    const slots = new Map<string, number>();
    const writes: [string, string][] = [];
    let next = 0;
    for (let i = 0; i < num; i++) {
      const dev = await readOr(xs, `${b.path}/dev-${i}`);
      const m = dev && /^([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/.exec(dev);
      if (!m) continue;
      const phys = `${m[1]}:${m[2]}:${m[3]}`;
      if (!slots.has(phys)) slots.set(phys, next++);
      if (!(await only(i))) continue;
      writes.push([`vdev-${i}`, `0000:00:${slots.get(phys)!.toString(16).padStart(2, '0')}.${m[4]}`]);
    }
    return writes;
  }

  async function evaluate(path: string): Promise<void> {
    const state = await readOr(xs, `${path}/state`);
    let b = backends.get(path);
    if (state === null) {
      if (b) { if (b.port !== null) hv.evtchn.close(0, b.port); backends.delete(path); void xs.unwatch(`${b.frontend}/state`, `pcifront:${path}`).catch(() => {}); }
      return;
    }
    if (!b) {
      const frontend = await readOr(xs, `${path}/frontend`);
      if (!frontend) return;
      b = { path, frontend, domid: Number(path.split('/')[6]), port: null };
      backends.set(path, b);
      await xs.watch(`${frontend}/state`, `pcifront:${path}`);
    }
    const fstate = await readOr(xs, `${b.frontend}/state`);
    if (state === '1' && await readOr(xs, `${path}/online`) === '1') {
      await xs.write(`${path}/state`, '2');
    } else if (state === '2') {
      const writes = await exportDevices(b, async () => true);
      await xs.transaction(async tx => {
        for (const [k, v] of [...writes, ['root_num', '1'], ['root-0', '0000:00'], ['state', '3']]) await xs.write(`${path}/${k}`, v!, tx);
      });
    } else if (state === '3' && fstate === '3') {
      const remote = Number(await readOr(xs, `${b.frontend}/event-channel`));
      if (Number.isInteger(remote) && b.port === null) b.port = hv.evtchn.bindInterdomain(0, b.domid, remote);
      await xs.write(`${path}/state`, '4');
    } else if (state === '7' && (fstate === '7' || fstate === null)) {
      await reconfigure(b);
    } else if (state === '8' && fstate === '4') {
      await xs.write(`${path}/state`, '4');
    }
  }

  /** xen_pcibk_reconfigure: export the Initialising devices, withdraw the Closing ones, then Reconfigured. */
  async function reconfigure(b: Backend): Promise<void> {
    const st = (i: number) => readOr(xs, `${b.path}/state-${i}`);
    const adds = await exportDevices(b, async i => await st(i) === '1');
    const num = parseInt(await readOr(xs, `${b.path}/num_devs`) ?? '0', 10) || 0;
    await xs.transaction(async tx => {
      for (const [k, v] of adds) { await xs.write(`${b.path}/${k}`, v, tx); await xs.write(`${b.path}/state-${k.slice(5)}`, '3', tx); }
      for (let i = 0; i < num; i++) if (await st(i) === '5') await xs.write(`${b.path}/state-${i}`, '6', tx);
      await xs.write(`${b.path}/state`, '8', tx);
    });
  }

  return {
    async start(): Promise<void> {
      xs.onWatchEvent((path, token) => {
        if (token === 'pciback') {
          const rest = path.slice(ROOT.length + 1).split('/');
          if (rest[0] && rest[1]) kick(`${ROOT}/${rest[0]}/${rest[1]}`);
        } else if (token.startsWith('pcifront:')) kick(token.slice('pcifront:'.length));
      });
      await xs.watch(ROOT, 'pciback');
    },
  };
}
