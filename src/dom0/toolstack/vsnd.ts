// libxl_vsnd.c: a virtual sound card. The card's names and parameters, its PCM devices and
// their streams are frontend keys (sndif.h names: lists joined by ',', formats by their sndif
// strings); the frontend adds a ring per stream.
import { type VdevClass, readRing, type Keys } from './vdev-class.ts';

/** libxl's format names → sndif.h's strings, where they differ. */
const SNDIF_FORMAT: Record<string, string> = { f32_le: 'float_le', f32_be: 'float_be', f64_le: 'float64_le', f64_be: 'float64_be' };

function params(out: Keys, prefix: string, p: Record<string, any> = {}): void {
  if (p.sample_rates?.length) out[`${prefix}sample-rates`] = p.sample_rates.join(',');
  if (p.sample_formats?.length) out[`${prefix}sample-formats`] = p.sample_formats.map((f: string) => SNDIF_FORMAT[f] ?? f).join(',');
  if (p.channels_min) out[`${prefix}channels-min`] = String(p.channels_min);
  if (p.channels_max) out[`${prefix}channels-max`] = String(p.channels_max);
  if (p.buffer_size) out[`${prefix}buffer-size`] = String(p.buffer_size);
}

export const vsndClass: VdevClass = {
  kind: 'vsnd', xsKind: 'vsnd', configKey: 'vsnds',
  backendKind: () => 'vsnd',
  waitsForBackend: () => true,
  xenstore(dev) {
    const front: Keys = {};
    if (dev.long_name) front['long-name'] = dev.long_name;
    if (dev.short_name) front['short-name'] = dev.short_name;
    params(front, '', dev.params);
    (dev.pcms ?? []).forEach((pcm: Record<string, any>, i: number) => {
      if (pcm.name) front[`${i}/name`] = pcm.name;
      params(front, `${i}/`, pcm.params);
      (pcm.streams ?? []).forEach((s: Record<string, any>, j: number) => {
        front[`${i}/${j}/unique-id`] = s.unique_id ?? '';
        if (s.type) front[`${i}/${j}/type`] = s.type;
        params(front, `${i}/${j}/`, s.params);
      });
    });
    return { back: {}, front, roFront: {} };
  },
  async info(read, fe, dev) {
    const streams = [];
    for (const [i, pcm] of ((dev.pcms ?? []) as Record<string, any>[]).entries()) {
      const rings = [];
      for (let j = 0; j < (pcm.streams ?? []).length; j++) rings.push(await readRing(read, `${fe}/${i}/${j}`, 'ring-ref', 'event-channel'));
      streams.push(rings);
    }
    return { streams };
  },
};
