// vtpm-list, vkb-list, vdispl-list and vsnd-list (xl_vtpm.c, xl_vkb.c, xl_vdispl.c, xl_vsnd.c)
// and channel-list (xl_console.c), pure. vtpm and vkb print a header and one row per device; vdispl and vsnd print blocks.
import type { ChannelInfo, VdevInfo, VdevKind } from '../../../protocol/vdev.ts';
import { left as l, right as r } from '../printf.ts';

/** printf's `%s` of a NULL string. */
const s = (v: unknown) => v === undefined || v === null ? '(null)' : String(v);

const HEADERS: Partial<Record<VdevKind, string>> = {
  vtpm: `${l('Idx', 3)} ${l('BE', 2)} ${l('Uuid', 36)} ${l('handle', 6)} ${l('state', 5)} ${l('evt-ch', 6)} ${l('ring-ref', 5)} ${l('BE-path', 10)}\n`,
  vkb: `${l('Idx', 3)} ${l('BE', 2)} ${l('handle', 6)} ${l('state', 5)} ${l('evt-ch', 6)} ${r('ref', 6)} ${l('ID', 10)} ${l('BE-type', 10)} ${l('BE-path', 30)}\n`,
};

/** xl_vsnd.c's print_params, with its label for the formats (it reuses the rates' name). */
function params(p: Record<string, any> = {}): string {
  let t = '';
  if (p.channels_min) t += `, channels-min: ${p.channels_min}`;
  if (p.channels_max) t += `, channels-max: ${p.channels_max}`;
  if (p.buffer_size) t += `, buffer-size: ${p.buffer_size}`;
  if (p.sample_rates?.length) t += `, sample-rates: ${p.sample_rates.join(';')}`;
  if (p.sample_formats?.length) t += `, sample-rates: ${p.sample_formats.join(';')}`;
  return t + '\n';
}

function vsndBlock(d: VdevInfo): string {
  const v = d.device as Record<string, any>;
  let t = `\ndevid: ${d.devid}, be-domid: ${d.backendId}, handle: ${d.frontendId}, state: ${d.state}, be-path: ${d.backend}, fe-path: ${d.frontend}\n`;
  t += `short-name: "${s(v.short_name)}", long-name: "${s(v.long_name)}"` + params(v.params);
  ((v.pcms ?? []) as Record<string, any>[]).forEach((pcm, j) => {
    t += `\tpcm: ${j}, name: "${s(pcm.name)}"` + params(pcm.params);
    ((pcm.streams ?? []) as Record<string, any>[]).forEach((st, k) => {
      const ring = d.streams?.[j]?.[k] ?? { evtch: -1, rref: -1 };
      t += `\t\tstream: ${k}, unique-id: "${s(st.unique_id)}", type: ${s(st.type)}` + params(st.params);
      t += `\t\t\tevent-channel: ${ring.evtch}, ring-ref: ${ring.rref}\n`;
    });
  });
  return t;
}

function row(kind: VdevKind, d: VdevInfo): string {
  const v = d.device as Record<string, any>;
  switch (kind) {
    case 'vtpm':
      return `${l(String(d.devid), 3)} ${l(String(d.backendId), 2)} ${v.uuid} ${r(d.devid, 6)} ${r(d.state, 5)} ${r(d.ring.evtch, 6)} ${r(d.ring.rref, 8)} ${l(d.backend, 30)}\n`;
    case 'vkb':
      return `${l(String(d.devid), 3)} ${l(String(d.backendId), 2)} ${r(d.devid, 6)} ${r(d.state, 5)} ${r(d.ring.evtch, 6)} ${r(d.ring.rref, 6)} ${l(s(v.unique_id), 10)} ${l(v.backend_type, 10)} ${l(d.backend, 30)}\n`;
    case 'vdispl':
      return `DevId: ${d.devid}, BE: ${d.backendId}, handle: ${d.frontendId}, state: ${d.state}, be-alloc: ${d.beAlloc ?? 0}, BE-path: ${d.backend}, FE-path: ${d.frontend}\n`
        + (d.connectors ?? []).map((c, j) => `\tConnector: ${j}, id: ${c.unique_id}, width: ${c.width}, height: ${c.height}, req-rref: ${c.req.rref}, req-evtch: ${c.req.evtch}, evt-rref: ${c.evt.rref}, evt-evtch: ${c.evt.evtch}\n`).join('');
    case 'vsnd':
      return vsndBlock(d);
  }
}

/** The header (devs null) or one domain's devices. */
export function formatVdevList(kind: VdevKind, devs: VdevInfo[] | null): string {
  return devs === null ? HEADERS[kind] ?? '' : devs.map(d => row(kind, d)).join('');
}

export const CHANNEL_LIST_HEADER = `${l('Idx', 3)} ${l('BE', 2)} ${l('state', 5)} ${l('evt-ch', 6)} ${r('ring-ref', 8)} ${l('connection', 10)} ${l('', 30)}\n`;

/** One channel; a pty channel's row ends with the pty's path (then a blank, as printf leaves it). */
export function formatChannelRow(c: ChannelInfo): string {
  return `${l(String(c.devid), 3)} ${l(String(c.backendId), 2)} ${l(String(c.state), 5)} ${l(String(c.evtch), 6)} ${l(String(c.rref), 8)} ${l(c.connection, 10)} `
    + (c.ptyPath !== undefined ? `${l(c.ptyPath, 30)} ` : '') + '\n';
}
