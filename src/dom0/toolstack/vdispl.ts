// libxl_vdispl.c: a virtual display. Its connectors (resolution, unique-id) and be-alloc are
// read-only frontend keys; the frontend adds a request and an event ring per connector.
import { type VdevClass, readRing, type Keys } from './vdev-class.ts';

export const vdisplClass: VdevClass = {
  kind: 'vdispl', xsKind: 'vdispl', configKey: 'vdispls',
  backendKind: () => 'vdispl',
  waitsForBackend: () => true,
  xenstore(dev) {
    const roFront: Keys = { 'be-alloc': dev.be_alloc ? '1' : '0' };
    (dev.connectors ?? []).forEach((c: Record<string, any>, i: number) => {
      roFront[`${i}/resolution`] = `${c.width ?? 0}x${c.height ?? 0}`;
      roFront[`${i}/unique-id`] = c.unique_id ?? '';
    });
    return { back: {}, front: {}, roFront };
  },
  async info(read, fe, dev) {
    const connectors = [];
    for (const [i, c] of ((dev.connectors ?? []) as Record<string, any>[]).entries()) {
      connectors.push({ unique_id: c.unique_id ?? '', width: c.width ?? 0, height: c.height ?? 0,
        req: await readRing(read, `${fe}/${i}`, 'req-ring-ref', 'req-event-channel'),
        evt: await readRing(read, `${fe}/${i}`, 'evt-ring-ref', 'evt-event-channel') });
    }
    return { beAlloc: Math.max(0, await read(`${fe}/be-alloc`)), connectors };
  },
};
