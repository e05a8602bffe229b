// The backends of the device classes whose data xenlab does not model: vTPM (a vtpm backend,
// normally in a vTPM manager domain), keyboard/pointer (QEMU's vkbd, or a Linux user-space
// vinput backend), display (displ_be), sound (snd_be), USB
// (QEMU's qusb) and the channels (QEMU's consoles). Each walks the xenbus handshake as
// the real one does — InitWait when probed, Connected once the frontend is ready, Closed on
// unplug — mapping the frontend's ring and binding its channel where they sit at the top of
// the frontend's directory; nothing flows over them.
import type { XsClient } from '../../formats/xenstore-client.ts';
import type { XenDevices } from '../xen-devices.ts';
import { BackendDriver, type BackendOps } from './backend-driver.ts';

/** Keys each backend writes when it probes a device (before InitWait). */
const FEATURES: Record<string, Record<string, string>> = {
  // tpmif.h: the backend offers the v2 (locality) protocol
  vtpm: { 'feature-protocol-v2': '1' },
  // QEMU's xenfb input backend offers absolute pointer coordinates
  vkbd: { 'feature-abs-pointer': '1' },
  vinput: {},
  vdispl: {},
  vsnd: {},
  // QEMU's PV USB backend (hw/usb/xen-usb.c)
  qusb: {},
};

function ops(kind: string): BackendOps {
  return { features: () => FEATURES[kind] ?? {}, ready: async () => true, connect: async () => ({}) };
}

/**
 * QEMU's console backend serves the channels (consoles 1..N; console 0 is xenconsoled's) and
 * publishes the pty it connects a pty channel to as the frontend's tty.
 */
function qemuConsole(xs: XsClient): BackendOps {
  let nextPty = 1;
  return {
    ...ops('console'),
    claims: (_domid, devid) => devid !== 0,
    connected: dev => {
      void xs.read(`${dev.frontend}/output`).catch(() => null)
        .then(output => output === 'pty' ? xs.write(`${dev.frontend}/tty`, `/dev/pts/${nextPty++}`) : undefined).catch(() => {});
    },
  };
}

/** One driver per backend kind, started. */
export async function startPvBackends(xs: XsClient, xen: XenDevices): Promise<BackendDriver[]> {
  const drivers = [...Object.keys(FEATURES).map(kind => new BackendDriver(xs, kind, ops(kind), xen)), new BackendDriver(xs, 'console', qemuConsole(xs), xen)];
  for (const d of drivers) await d.start();
  return drivers;
}
