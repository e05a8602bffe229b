// vdispl= and `xl vdispl-attach` (parse_vdispl_config of xl_parse.c, Xen 4.17): comma tokens
// backend=, be-alloc=, connectors=ID:WxH;ID:WxH..., giving libxl_device_vdispl.
import { strtoul } from '../libc/strtol.ts';
import { type XlCfg, getList, listItem } from '../xlcfg/config.ts';
import type { Fail } from './devices-extra.ts';
import { ordered } from './ordered.ts';

export interface LibxlConnector { unique_id?: string; width?: number; height?: number }
export interface LibxlDeviceVdispl { backend_domname?: string; devid?: number; be_alloc?: boolean; connectors?: LibxlConnector[] }

const u32 = (s: string) => Number(BigInt.asUintN(32, strtoul(s, 10).value)) || undefined;

/** sscanf(s, "%ux%u", ...): how many numbers it converted, -1 (EOF) on an empty input. */
function scanResolution(s: string, c: LibxlConnector): number {
  if (s.trim() === '') return -1;
  const w = strtoul(s, 10);
  if (w.end === 0) return 0;
  c.width = u32(s);
  if (s[w.end] !== 'x') return 1;
  const rest = s.slice(w.end + 1);
  if (strtoul(rest, 10).end === 0) return 1;
  c.height = u32(rest);
  return 2;
}

/**
 * One token into `v`; what xl printed goes to `say`. Returns xl's rc: 0, or nonzero to stop.
 * A resolution sscanf cannot read at all (rc 0) is reported and still accepted, as in xl.
 */
export function applyVdisplToken(v: LibxlDeviceVdispl, token: string, say: (line: string) => void): number {
  if (token.startsWith('backend=')) v.backend_domname = token.slice(8);
  else if (token.startsWith('be-alloc=')) v.be_alloc = strtoul(token.slice(9), 0).value !== 0n || undefined;
  else if (token.startsWith('connectors=')) {
    const list = token.slice(11).split(';').filter(s => s !== '');
    v.connectors = [];
    for (const item of list) {
      const [id, res] = item.split(':').filter(s => s !== '');
      const c: LibxlConnector = { unique_id: id };
      v.connectors.push(c);
      const n = scanResolution(res ?? '', c);
      if (n !== 2) { say("Can't parse connector resolution"); return n; }
    }
  } else { say(`Unknown string "${token}" in vdispl spec`); return 1; }
  return 0;
}

/** libxl_device_vdispl in IDL order. */
export function vdisplJson(v: LibxlDeviceVdispl): Record<string, unknown> {
  return ordered({ ...v, connectors: v.connectors?.map(c => ordered({ ...c }, ['unique_id', 'width', 'height'])) },
    ['backend_domid', 'backend_domname', 'devid', 'be_alloc', 'connectors']);
}

/** vdispl= in xl.cfg: any failure ends xl with status 1. */
export function parseVdispls(cfg: XlCfg, sink: string[], fail: Fail): Record<string, unknown>[] | undefined {
  const l = getList(cfg, 'vdispl', sink);
  if (!l) return undefined;
  const out: Record<string, unknown>[] = [];
  for (let devid = 0; listItem(l, devid) !== null; devid++) {
    const v: LibxlDeviceVdispl = { devid };
    for (const t of listItem(l, devid)!.split(',').filter(s => s !== '').map(s => s.replace(/^ +/, ''))) {
      if (applyVdisplToken(v, t, line => sink.push(line))) fail(null);
    }
    if (!v.connectors?.length) fail('At least one connector should be specified.');
    out.push(vdisplJson(v));
  }
  return out;
}
