// libxl_vkb.c: a virtual keyboard/pointer. Its backend is QEMU (backend/vkbd, which libxl does
// not wait for) unless backend_type is linux (a user-space backend in the backend domain,
// backend/vinput). The features the frontend may use are backend keys.
import { type VdevClass, readRing, type Keys } from './vdev-class.ts';

/** libxl_device_vkb fields → kbdif.h keys, in set_xenstore_vkb's order. */
const FEATURES: [string, string][] = [['feature_disable_keyboard', 'feature-disable-keyboard'],
  ['feature_disable_pointer', 'feature-disable-pointer'], ['feature_abs_pointer', 'feature-abs-pointer'],
  ['feature_raw_pointer', 'feature-raw-pointer']];

export const vkbClass: VdevClass = {
  kind: 'vkb', xsKind: 'vkbd', configKey: 'vkbs',
  backendKind: dev => dev.backend_type === 'linux' ? 'vinput' : 'vkbd',
  waitsForBackend: dev => dev.backend_type === 'linux',
  setDefault(dev) { dev.backend_type ??= 'qemu'; },
  xenstore(dev) {
    const back: Keys = {};
    if (dev.unique_id) back['unique-id'] = dev.unique_id;
    for (const [field, key] of FEATURES) if (dev[field]) back[key] = '1';
    if (dev.feature_multi_touch) {
      back['feature-multi-touch'] = '1';
      back['multi-touch-width'] = String(dev.multi_touch_width ?? 0);
      back['multi-touch-height'] = String(dev.multi_touch_height ?? 0);
      back['multi-touch-num-contacts'] = String(dev.multi_touch_num_contacts ?? 0);
    }
    if (dev.width) back.width = String(dev.width);
    if (dev.height) back.height = String(dev.height);
    return { back, front: {}, roFront: {} };
  },
  info: async (read, fe) => ({ ring: await readRing(read, fe, 'page-ref', 'event-channel') }),
};
