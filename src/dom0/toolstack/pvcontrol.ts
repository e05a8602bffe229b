// libxl's requests to a guest through its control directory in xenstore: shutdown, reboot and
// suspend (libxl__domain_pvcontrol, waiting for the guest's acknowledgement) and sysrq.
import { LibxlError, err } from './errors.ts';
import type { Toolstack } from './toolstack.ts';

/** How long libxl waits for a guest to acknowledge a control request. */
const PVCONTROL_TIMEOUT_NS = 60_000_000_000n;

/** libxl__domain_pvcontrol: write the request and wait for the guest's acknowledgement. */
export async function requestShutdown(ts: Toolstack, domid: number, action: 'poweroff' | 'reboot' | 'suspend', timeoutNs = PVCONTROL_TIMEOUT_NS): Promise<void> {
  const { xs, hv } = ts;
  const rec = ts.records.get(domid);
  const path = `/local/domain/${domid}/control/shutdown`;
  if (rec?.type === 'hvm') {
    const feat = await xs.read(`/local/domain/${domid}/control/feature-${action === 'suspend' ? 'suspend' : action}`).catch(() => '');
    if (feat !== '1') throw err.noParavirt(action === 'reboot' ? 'reboot' : 'shutdown');
  }
  await xs.write(path, action);
  const token = `pvcontrol-${domid}-${Math.random().toString(36).slice(2)}`;
  await new Promise<void>((resolve, reject) => {
    let done = false;
    const finish = (e?: Error) => {
      if (done) return; done = true;
      hv.clock.cancel(timer); off();
      void xs.unwatch(path, token).catch(() => {});
      e ? reject(e) : resolve();
    };
    const check = async () => {
      let v: string | null;
      try { v = await xs.read(path); } catch { v = null; }
      if (v === null || v === '' || (action === 'suspend' && v !== 'suspend')) finish();
    };
    const off = xs.onWatchEvent((p, t) => { if (t === token) void check(); });
    const timer = hv.clock.after(timeoutNs, () => {
      void xs.write(path, '').catch(() => {});
      finish(err.shutdownNoAck(action === 'reboot' ? 'reboot' : action === 'suspend' ? 'suspend' : 'shutdown'));
    });
    void xs.watch(path, token).catch(e => finish(e));
  });
}

/** libxl_send_sysrq: one letter in the guest's control/sysrq. */
export async function sendSysrq(ts: Toolstack, domid: number, key: string): Promise<void> {
  if (!ts.records.has(domid)) throw new LibxlError('ENODOM', `libxl: error: libxl_domain.c:1675:libxl_send_sysrq: Domain ${domid}:Unable to send sysrq`, 1);
  await ts.xs.write(`/local/domain/${domid}/control/sysrq`, key);
}
