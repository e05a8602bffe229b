// xl psr-*: Intel RDT through the toolstack's libxl_psr.
import type { Handlers } from './context.ts';
import { psrCmtAttach, psrCmtShow, psrHwInfo, psrSetVal, psrShowVal } from '../../dom0/toolstack/psr.ts';
import type { Host } from '../host.ts';

/** The domain asked about, or every domain (libxl_list_domain order). */
const domids = (host: Host, domid: number | undefined): number[] =>
  domid !== undefined ? [domid] : [...host.hv.domains.keys()].sort((a, b) => a - b);

export const psrHandlers: Handlers = {
  'psr.hwinfo': host => psrHwInfo(host.hv),
  'psr.cmtAttach': (host, a) => { psrCmtAttach(host.toolstack, a.domid, a.detach); return {}; },
  'psr.cmtShow': (host, a) => ({ domains: psrCmtShow(host.toolstack, a.type, domids(host, a.domid)) }),
  'psr.setVal': (host, a) => { psrSetVal(host.toolstack, a.domid, a.type, a.sockets, BigInt(a.value)); return {}; },
  'psr.showVal': (host, a) => ({ domains: psrShowVal(host.toolstack, a.type, domids(host, a.domid)) }),
};
