// The guest kernel's frontends for the device classes without a modelled data path: Linux's
// xen-tpmfront (vtpm), xen-kbdfront (vkbd), xen-drmfront (vdispl), xen-sndfront (vsnd) and
// xen-hcd (vusb), and hvc_xen for the consoles after the first (channels).
// When the backend reaches InitWait each grants its ring pages and allocates its event channels
// (the keys and directories its protocol header names), goes Initialised, and Connected once
// the backend is; when the backend closes it closes, freeing both.
import type { XsClient } from '../formats/xenstore-client.ts';
import type { Hypervisor } from '../hypervisor/hypervisor.ts';
import type { GuestGnttab } from './gnttab.ts';

/** One ring of a device: its directory under the frontend's, and the two keys naming it. */
interface RingSpec { dir: string; ref: string; evtch?: string }

interface PvFront { kind: string; path: string; backend: string; backendId: number; grants: number[]; ports: number[] }

/** Placeholder frames for these rings, which guest memory does not model: a window of their own. */
const PV_RING_PFN_BASE = 0xa00, PV_RING_PFNS = 0x100;

const KINDS = ['vtpm', 'vkbd', 'vdispl', 'vsnd', 'vusb', 'console'];
/** The name each driver gives its interrupt (tpmfront its own; the others their xenbus device type). */
const IRQ_NAME: Record<string, string> = { vtpm: 'tpmif', vkbd: 'vkbd', vdispl: 'vdispl', vsnd: 'vsnd', vusb: 'vusb', console: 'hvc_console' };

async function readOr(xs: XsClient, path: string): Promise<string | null> {
  try { return await xs.read(path); } catch { return null; }
}

/** The numbered subdirectories of `dir` (vdispl's connectors, vsnd's pcms and streams). */
async function numbered(xs: XsClient, dir: string): Promise<string[]> {
  return (await xs.directory(dir).catch(() => [] as string[])).filter(n => /^\d+$/.test(n)).sort((a, b) => Number(a) - Number(b));
}

/** The rings each driver sets up, and the keys it writes beside them. */
async function ringsOf(xs: XsClient, kind: string, path: string): Promise<{ rings: RingSpec[]; keys: [string, string][] }> {
  switch (kind) {
    case 'vtpm': return { rings: [{ dir: '', ref: 'ring-ref', evtch: 'event-channel' }], keys: [['feature-protocol-v2', '1']] };
    // kbdfront publishes the page's frame (page-ref) beside its grant (page-gref)
    case 'vkbd': return { rings: [{ dir: '', ref: 'page-gref', evtch: 'event-channel' }], keys: [] };
    // hvc_xen's further consoles (channels): the console ring and its port
    case 'console': return { rings: [{ dir: '', ref: 'ring-ref', evtch: 'port' }], keys: [] };
    // xen-hcd: the URB ring and the connection ring, both signalled on one channel
    case 'vusb': return { rings: [{ dir: '', ref: 'urb-ring-ref', evtch: 'event-channel' }, { dir: '', ref: 'conn-ring-ref' }], keys: [] };
    case 'vdispl': {
      const rings: RingSpec[] = [];
      for (const c of await numbered(xs, path)) {
        rings.push({ dir: `${c}/`, ref: 'req-ring-ref', evtch: 'req-event-channel' }, { dir: `${c}/`, ref: 'evt-ring-ref', evtch: 'evt-event-channel' });
      }
      return { rings, keys: [] };
    }
    default: {
      const rings: RingSpec[] = [];
      for (const pcm of await numbered(xs, path)) {
        for (const st of await numbered(xs, `${path}/${pcm}`)) {
          const dir = `${pcm}/${st}/`;
          rings.push({ dir, ref: 'ring-ref', evtch: 'event-channel' }, { dir, ref: 'evt-ring-ref', evtch: 'evt-event-channel' });
        }
      }
      return { rings, keys: [] };
    }
  }
}

export class PvFrontends {
  private fronts = new Map<string, PvFront>();
  private busy = new Map<string, Promise<void>>();
  private readonly root: string;
  private nextRing = 0;
  /** An IRQ of a driver was bound to a port (named as the driver names it), or unbound. */
  onBound: (port: number, name: string) => void = () => {};
  onUnbound: (port: number) => void = () => {};

  constructor(private readonly xs: XsClient, private readonly hv: Hypervisor, private readonly domid: number,
    private readonly gnttab: () => GuestGnttab | null) {
    this.root = `/local/domain/${domid}/device`;
  }

  async start(): Promise<void> {
    this.xs.onWatchEvent((path, token) => {
      if (token === 'pv-frontends') this.onEvent(path);
      else if (token.startsWith('pvfe-backend:')) this.kick(token.slice('pvfe-backend:'.length));
    });
    await this.xs.watch(this.root, 'pv-frontends');
    for (const kind of KINDS) {
      for (const id of await this.xs.directory(`${this.root}/${kind}`).catch(() => [] as string[])) this.kick(`${this.root}/${kind}/${id}`);
    }
  }

  private onEvent(path: string): void {
    const [kind, id] = path.slice(this.root.length + 1).split('/');
    if (kind && id && KINDS.includes(kind)) this.kick(`${this.root}/${kind}/${id}`);
  }

  /** Evaluations of one device run one after the other. */
  private kick(path: string): void {
    this.busy.set(path, (this.busy.get(path) ?? Promise.resolve()).then(() => this.step(path)).catch(() => {}));
  }

  /** The device as this driver knows it, probed (and its backend watched) on first sight. */
  private async probe(path: string): Promise<PvFront | null> {
    const known = this.fronts.get(path);
    if (known) return known;
    const backend = await readOr(this.xs, `${path}/backend`);
    if (!backend) return null;
    const fe: PvFront = { kind: path.slice(this.root.length + 1).split('/')[0]!, path, backend,
      backendId: Number(await readOr(this.xs, `${path}/backend-id`) ?? 0), grants: [], ports: [] };
    this.fronts.set(path, fe);
    await this.xs.watch(`${backend}/state`, `pvfe-backend:${path}`);
    return fe;
  }

  /** The device's directory is gone: free what it held and stop watching its backend. */
  private forget(path: string): void {
    const fe = this.fronts.get(path);
    if (!fe) return;
    this.disconnect(fe);
    this.fronts.delete(path);
    void this.xs.unwatch(`${fe.backend}/state`, `pvfe-backend:${path}`).catch(() => {});
  }

  private async step(path: string): Promise<void> {
    const state = await readOr(this.xs, `${path}/state`);
    if (state === null) { this.forget(path); return; }
    const fe = await this.probe(path);
    if (!fe) return;
    const bstate = await readOr(this.xs, `${fe.backend}/state`);
    // From Closed too: a backend that comes back is met again (see frontends.ts).
    if (bstate === '2' && (state === '1' || state === '6')) await this.initialise(fe);
    else if (bstate === '4' && state === '3') await this.xs.write(`${path}/state`, '4');
    else if ((bstate === '5' || bstate === '6') && state !== '5' && state !== '6') {
      this.disconnect(fe);
      await this.xs.write(`${path}/state`, '5');
      await this.xs.write(`${path}/state`, '6');
    }
  }

  /** Grant the rings, allocate and bind their channels, publish them and go Initialised, in one transaction. */
  private async initialise(fe: PvFront): Promise<void> {
    const gnttab = this.gnttab();
    if (!gnttab) return;
    const { rings, keys } = await ringsOf(this.xs, fe.kind, fe.path);
    const values: [string, string][] = [];
    for (const r of rings) {
      const frame = PV_RING_PFN_BASE + (this.nextRing++ % PV_RING_PFNS);
      const ref = gnttab.grantForeignAccess(fe.backendId, frame);
      fe.grants.push(ref);
      if (fe.kind === 'vkbd') values.push([`${r.dir}page-ref`, String(frame)]);
      values.push([`${r.dir}${r.ref}`, String(ref)]);
      if (!r.evtch) continue;
      const port = this.hv.evtchn.allocUnbound(this.domid, fe.backendId);
      this.hv.evtchn.setHandler(this.domid, port, () => {});
      fe.ports.push(port);
      this.onBound(port, IRQ_NAME[fe.kind]!);
      values.push([`${r.dir}${r.evtch}`, String(port)]);
    }
    await this.xs.transaction(async tx => {
      for (const [k, v] of [...values, ...keys]) await this.xs.write(`${fe.path}/${k}`, v, tx);
      await this.xs.write(`${fe.path}/state`, '3', tx);
    });
  }

  private disconnect(fe: PvFront): void {
    if (!this.hv.domains.has(this.domid)) { fe.ports = []; fe.grants = []; return; }
    for (const port of fe.ports.splice(0)) { this.hv.evtchn.close(this.domid, port); this.onUnbound(port); }
    for (const ref of fe.grants.splice(0)) this.gnttab()?.endForeignAccess(ref);
  }
}
