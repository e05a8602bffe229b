// virDomainOpenConsole: a stream between the client and the guest's PV console, through
// xenconsoled as `xl console` uses it. Output flows as STREAM messages under the call's serial;
// input comes back the same way.
import { VIR_ERR, VIR_FROM, VirError } from '../../formats/libvirt/errors.ts';
import type { CallContext } from './client.ts';
import type { LibxlDriver } from './libxl-driver.ts';

export function openConsole(d: LibxlDriver, domid: number, ctx: CallContext): void {
  const { client, header } = ctx;
  const serial = header.serial, proc = header.proc;
  let open = false;
  const queued: Buffer[] = [];
  const att = d.xen.console(domid, data => {
    const b = Buffer.from(data, 'utf8');
    if (open) client.streamSend(serial, proc, b); else queued.push(b);
  });
  if (!att) throw new VirError(VIR_ERR.OPERATION_FAILED, VIR_FROM.LIBXL, 'No console available for domain');
  client.streams.set(serial, {
    proc,
    input: data => { if (data?.length) att.input(data.toString('utf8')); },
    close: () => att.detach(),
  });
  // The reply to the call goes out first; the stream's data follows it.
  setImmediate(() => {
    open = true;
    for (const b of queued.splice(0)) client.streamSend(serial, proc, b);
  });
}
