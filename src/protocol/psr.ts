// xl psr-*'s requests: Intel RDT as libxl_psr.c reaches it (hardware info, CMT attach/detach and
// samples, CAT and MBA values per domain and socket). Failures carry libxl's log lines and xl's
// exit status.

export type PsrCmtType = 'cache-occupancy' | 'total-mem-bandwidth' | 'local-mem-bandwidth';
import type { PsrType } from '../hypervisor/psr/psr.ts';

/** libxl_psr_type: the L3 CBM (or CDP's code and data CBMs), the L2 CBM, the MBA throttle. */
export type PsrValType = PsrType;

export interface PsrHwInfo {
  /** Online sockets. */
  sockets: number[];
  /** Per socket (KiB). */
  l3CacheKb: number;
  cmt: { enabled: boolean; totalRmid: number; types: PsrCmtType[] };
  /** L3 CAT per socket; L2 CAT is absent on this CPU (null). */
  l3Cat: { cosMax: number; cbmLen: number; cdp: boolean } | null;
  l2Cat: { cosMax: number; cbmLen: number } | null;
  mba: { cosMax: number; thrtlMax: number; linear: boolean } | null;
}

export interface PsrRequests {
  'psr.hwinfo': { args: {}; result: PsrHwInfo };
  'psr.cmtAttach': { args: { domid: number; detach: boolean }; result: {} };
  /**
   * Each listed domain (all when `domid` is absent) with its sample per socket: occupancy in
   * bytes, or bandwidth in bytes/s; domains without an RMID are left out.
   */
  'psr.cmtShow': { args: { type: PsrCmtType; domid?: number }; result: { domains: { domid: number; name: string; values: number[] }[] } };
  /** libxl_psr_set_val on each listed socket (all when absent); `value` as strtoll read it (decimal). */
  'psr.setVal': { args: { domid: number; type: PsrValType; sockets?: number[]; value: string }; result: {} };
  /** libxl_psr_get_val per socket for each listed domain (all when `domid` is absent). */
  'psr.showVal': { args: { type: 'l3-cbm' | 'mba-thrtl'; domid?: number }; result: { domains: { domid: number; name: string; values: number[] }[] } };
}
