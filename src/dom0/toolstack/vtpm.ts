// libxl_vtpm.c: a vTPM's backend keeps the TPM's uuid; libxl generates one when none is given.
import { randomUUID } from 'node:crypto';
import { type VdevClass, readRing } from './vdev-class.ts';

export const vtpmClass: VdevClass = {
  kind: 'vtpm', xsKind: 'vtpm', configKey: 'vtpms',
  backendKind: () => 'vtpm',
  waitsForBackend: () => true,
  setDefault(dev) { dev.uuid ??= randomUUID(); },
  xenstore: dev => ({
    back: { handle: String(dev.devid), uuid: dev.uuid, resume: 'False' },
    front: { handle: String(dev.devid) },
    roFront: {},
  }),
  info: async (read, fe) => ({ ring: await readRing(read, fe, 'ring-ref', 'event-channel') }),
};
