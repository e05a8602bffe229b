// vsnd= and `xl vsnd-attach` (parse_vsnd_item of xl_parse.c, Xen 4.17): each item is
// "card|pcm|stream, key=value, ...", building libxl_device_vsnd (card → pcms → streams).
import { strtoul } from '../libc/strtol.ts';
import { type XlCfg, type XlValue, getList, listItem } from '../xlcfg/config.ts';
import type { Fail } from './devices-extra.ts';
import { ordered } from './ordered.ts';

export interface LibxlVsndParams { sample_rates?: number[]; sample_formats?: string[]; channels_min?: number; channels_max?: number; buffer_size?: number }
export interface LibxlVsndStream { unique_id?: string; type?: 'p' | 'c'; params: LibxlVsndParams }
export interface LibxlVsndPcm { name?: string; params: LibxlVsndParams; streams: LibxlVsndStream[] }
export interface LibxlDeviceVsnd { backend_domname?: string; devid?: number; short_name?: string; long_name?: string; params: LibxlVsndParams; pcms: LibxlVsndPcm[] }

/** libxl_vsnd_pcm_format's names (the IDL enum, 1..25). */
export const PCM_FORMATS = ['s8', 'u8', 's16_le', 's16_be', 'u16_le', 'u16_be', 's24_le', 's24_be', 'u24_le', 'u24_be',
  's32_le', 's32_be', 'u32_le', 'u32_be', 'f32_le', 'f32_be', 'f64_le', 'f64_be', 'iec958_subframe_le',
  'iec958_subframe_be', 'mu_law', 'a_law', 'ima_adpcm', 'mpeg', 'gsm'];

/** xl exits at once (EXIT_FAILURE) on an unknown sample format, wherever it is parsing. */
export class VsndExit extends Error { constructor(readonly line: string) { super(line); } }

export const newVsnd = (): LibxlDeviceVsnd => ({ params: {}, pcms: [] });

const u32 = (s: string) => Number(BigInt.asUintN(32, strtoul(s, 0).value));
const nz = (n: number) => n || undefined;

/** parse_vsnd_params: false when the token is not one of the common parameters. */
function applyParam(p: LibxlVsndParams, token: string): boolean {
  const val = (k: string) => token.startsWith(`${k}=`) ? token.slice(k.length + 1) : undefined;
  let v: string | undefined;
  if ((v = val('sample-rates')) !== undefined) p.sample_rates = v.split(';').filter(s => s !== '').map(u32);
  else if ((v = val('sample-formats')) !== undefined) {
    p.sample_formats = v.split(';').filter(s => s !== '').map(f => {
      const name = f.toLowerCase();
      if (!PCM_FORMATS.includes(name)) throw new VsndExit(`Invalid pcm format: ${f}`);
      return name;
    });
  } else if ((v = val('channels-min')) !== undefined) p.channels_min = nz(u32(v));
  else if ((v = val('channels-max')) !== undefined) p.channels_max = nz(u32(v));
  else if ((v = val('buffer-size')) !== undefined) p.buffer_size = nz(u32(v));
  else return false;
  return true;
}

/**
 * parse_vsnd_item: one "card|pcm|stream, ..." string into `vsnd`. Returns the message xl
 * printed when it failed (rc -1), else null. Throws VsndExit where xl exits on the spot.
 */
export function applyVsndItem(vsnd: LibxlDeviceVsnd, spec: string): string | null {
  const tokens = spec.split(',').filter(t => t !== '').map(t => t.replace(/^ +/, ''));
  const key = tokens[0];
  if (key === undefined) return null;
  const kind = key.toLowerCase();
  const newPcm = (): LibxlVsndPcm => { const pcm = { params: {}, streams: [] }; vsnd.pcms.push(pcm); return pcm; };
  if (kind === 'pcm') newPcm();
  else if (kind === 'stream') (vsnd.pcms.at(-1) ?? newPcm()).streams.push({ params: {} });
  else if (kind !== 'card') return `Invalid key: ${key}`;
  for (const t of tokens.slice(1)) {
    if (kind === 'card') {
      if (applyParam(vsnd.params, t)) continue;
      if (t.startsWith('backend=')) vsnd.backend_domname = t.slice(8);
      else if (t.startsWith('short-name=')) vsnd.short_name = t.slice(11);
      else if (t.startsWith('long-name=')) vsnd.long_name = t.slice(10);
      else return `Invalid parameter: ${t}`;
    } else if (kind === 'pcm') {
      const pcm = vsnd.pcms.at(-1)!;
      if (applyParam(pcm.params, t)) continue;
      if (t.startsWith('name=')) pcm.name = t.slice(5);
      else return `Invalid parameter: ${t}`;
    } else {
      const stream = vsnd.pcms.at(-1)!.streams.at(-1)!;
      if (applyParam(stream.params, t)) continue;
      if (t.startsWith('unique-id=')) stream.unique_id = t.slice(10);
      else if (t.startsWith('type=')) {
        const ty = t.slice(5).toLowerCase();
        if (ty !== 'p' && ty !== 'c') return `Invalid stream type: ${t.slice(5)}`;
        stream.type = ty;
      } else return `Invalid parameter: ${t}`;
    }
  }
  return null;
}

const paramsJson = (p: LibxlVsndParams) => ordered({ ...p, sample_rates: p.sample_rates?.length ? p.sample_rates : undefined,
  sample_formats: p.sample_formats?.length ? p.sample_formats : undefined },
['sample_rates', 'sample_formats', 'channels_min', 'channels_max', 'buffer_size']);

/** libxl_device_vsnd in IDL order. */
export function vsndJson(v: LibxlDeviceVsnd): Record<string, unknown> {
  return ordered({
    ...v,
    params: paramsJson(v.params),
    pcms: v.pcms.length ? v.pcms.map(pcm => ordered({
      name: pcm.name, params: paramsJson(pcm.params),
      streams: pcm.streams.length ? pcm.streams.map(s => ordered({ ...s, params: paramsJson(s.params) }, ['unique_id', 'type', 'params'])) : undefined,
    }, ['name', 'params', 'streams'])) : undefined,
  }, ['backend_domid', 'backend_domname', 'devid', 'short_name', 'long_name', 'params', 'pcms']);
}

/** vsnd= in xl.cfg: a list of cards, each a list of item strings; any failure ends xl with status 1. */
export function parseVsnds(cfg: XlCfg, sink: string[], fail: Fail): Record<string, unknown>[] | undefined {
  const cards = getList(cfg, 'vsnd', sink);
  if (!cards) return undefined;
  return cards.map((card, devid) => {
    if (card.kind !== 'list') {
      sink.push(`${cfg.source}:${card.line}:0: warning: value is not a list`);
      fail('Failed to get vsnd card list: Invalid argument');
    }
    const vsnd: LibxlDeviceVsnd = { ...newVsnd(), devid };
    const items = (card as { items: XlValue[] }).items;
    for (let i = 0; listItem(items, i) !== null; i++) {
      let msg: string | null;
      try { msg = applyVsndItem(vsnd, listItem(items, i)!); } catch (e) {
        if (!(e instanceof VsndExit)) throw e;
        msg = e.line;
      }
      if (msg !== null) fail(msg);
    }
    return vsndJson(vsnd);
  });
}
