// libxl_psr.c: Intel RDT for the toolstack. Each call reaches the hypervisor's PSR as libxc
// does, and a refusal becomes the line libxl logs (its errno mapped to libxl's own words) with
// xl's exit status for ERROR_FAIL (the command returns -3).
import { HypervisorError } from '../../hypervisor/errors.ts';
import { CBM_LEN, CMT_TYPES, L3_KB, MBA_COS_MAX, MBA_LINEAR, MBA_THRTL_MAX, CAT_COS_MAX, RMID_MAX, type CmtType } from '../../hypervisor/psr/rdt.ts';
import type { Hypervisor } from '../../hypervisor/hypervisor.ts';
import { LibxlError } from './errors.ts';
import type { Toolstack } from './toolstack.ts';

/** xl's exit status when a command returns libxl's ERROR_FAIL (-3). */
const EXIT_ERROR_FAIL = 253;

import type { PsrType } from '../../hypervisor/psr/psr.ts';

/** feat_name in libxl__psr_alloc_log_err_msg. */
const FEATURE: Record<PsrType, string> = { 'l3-cbm': 'L3 CAT', 'l3-cbm-code': 'CDP', 'l3-cbm-data': 'CDP', 'l2-cbm': 'L2 CAT', 'mba-thrtl': 'MBA' };

/** libxl__psr_cmt_log_err_msg (LOGE: the message, then strerror). */
function cmtError(e: HypervisorError): LibxlError {
  const words: Record<string, string> = {
    ENODEV: 'CMT is not supported in this system', EEXIST: 'CMT is already attached to this domain',
    ENOENT: 'CMT is not attached to this domain', EOVERFLOW: 'no free RMID available',
  };
  const line = words[e.errno] ? 71 : 46;
  const fn = words[e.errno] ? 'libxl__psr_cmt_log_err_msg' : 'libxl__psr_log_err_msg';
  return new LibxlError(e.errno, `libxl: error: libxl_psr.c:${line}:${fn}: ${words[e.errno] ?? 'unknown error'}: ${e.message}`, EXIT_ERROR_FAIL);
}

/** libxl__psr_alloc_log_err_msg (LOG: the feature and the message, no strerror). */
function allocError(e: HypervisorError, type: PsrType): LibxlError {
  const words: Record<string, string> = {
    ENODEV: 'is not supported in this system', ENOENT: 'is not enabled on the socket', EOVERFLOW: 'no free COS available',
    EEXIST: 'The same CBM is already set to this domain', ENXIO: 'Unable to set code or data CBM when CDP is disabled',
    EINVAL: 'Invalid input or some internal values are not expected', ERANGE: 'Socket number is wrong', ENOSPC: 'Value array exceeds the range',
  };
  return new LibxlError(e.errno, `libxl: error: libxl_psr.c:123:libxl__psr_alloc_log_err_msg: ${FEATURE[type]}: ${words[e.errno] ?? 'unknown error'}`, EXIT_ERROR_FAIL);
}

function rethrow(e: unknown, wrap: (e: HypervisorError) => LibxlError): never {
  throw e instanceof HypervisorError ? wrap(e) : e;
}

/** The domctl's own check: a domain that is not there is ESRCH, which libxl words generically. */
function domain(hv: Hypervisor, domid: number): void {
  if (!hv.domains.has(domid)) throw new LibxlError('ESRCH', 'libxl: error: libxl_psr.c:46:libxl__psr_log_err_msg: invalid domain ID: No such process', EXIT_ERROR_FAIL);
}

const sockets = (hv: Hypervisor): number[] => Array.from({ length: hv.machine.nrSockets }, (_, i) => i);

export function psrHwInfo(hv: Hypervisor) {
  return {
    sockets: sockets(hv), l3CacheKb: L3_KB,
    cmt: { enabled: true, totalRmid: RMID_MAX, types: [...CMT_TYPES] },
    l3Cat: { cosMax: CAT_COS_MAX, cbmLen: CBM_LEN, cdp: false }, l2Cat: null,
    mba: { cosMax: MBA_COS_MAX, thrtlMax: MBA_THRTL_MAX, linear: MBA_LINEAR },
  };
}

/** Record the RDT settings before the reply; if they cannot be recorded, they are undone. */
function commit(ts: Toolstack, before: ReturnType<Hypervisor['psr']['settings']>): void {
  try { ts.platform.commitXenSettings(); } catch (e) { ts.hv.psr.restoreSettings(before, ts.hv.clock.now()); throw e; }
}

/** libxl_psr_cmt_attach / libxl_psr_cmt_detach. */
export function psrCmtAttach(ts: Toolstack, domid: number, detach: boolean): void {
  const hv = ts.hv, before = hv.psr.settings();
  domain(hv, domid);
  try {
    if (detach) hv.psr.detach(domid); else hv.psr.attach(domid, hv.clock.now());
  } catch (e) { rethrow(e, cmtError); }
  commit(ts, before);
}

/** libxl_psr_cmt_get_sample on every socket, for the listed domains that have an RMID. */
export function psrCmtShow(ts: Toolstack, type: CmtType, domids: number[]) {
  const hv = ts.hv, now = hv.clock.now();
  return domids.filter(d => hv.psr.rmid(d) > 0).map(domid => ({
    domid, name: ts.nameOf(domid) ?? '', values: sockets(hv).map(s => hv.psr.sample(domid, type, s, now)),
  }));
}

/** libxl_psr_set_val: each socket in turn, a refusal logged and the others still tried. */
export function psrSetVal(ts: Toolstack, domid: number, type: PsrType, targets: number[] | undefined, value: bigint): void {
  const hv = ts.hv, before = hv.psr.settings();
  domain(hv, domid);
  const failures: LibxlError[] = [];
  for (const s of targets ?? sockets(hv)) {
    if (s >= hv.machine.nrSockets) break;
    try {
      hv.psr.setVal(domid, s, type, value, hv.clock.now());
    } catch (e) {
      if (!(e instanceof HypervisorError)) throw e;
      failures.push(allocError(e, type));
    }
  }
  commit(ts, before);
  if (failures.length) throw new LibxlError(failures[0]!.code, failures.map(f => f.message).join('\n'), EXIT_ERROR_FAIL);
}

/** libxl_psr_get_val on every socket for each listed domain. */
export function psrShowVal(ts: Toolstack, type: 'l3-cbm' | 'mba-thrtl', domids: number[]) {
  const hv = ts.hv;
  return domids.map(domid => ({
    domid, name: ts.nameOf(domid) ?? '',
    values: sockets(hv).map(s => (type === 'l3-cbm' ? hv.psr.getCbm(domid, s) : hv.psr.getThrtl(domid, s))),
  }));
}
