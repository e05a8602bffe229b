// What the emulated CPU's Resource Director Technology offers (CPUID leaves 0xF and 0x10, as
// Xen's psr.c reads them): cache monitoring with its RMIDs and event types, L3 cache allocation
// (no L2 CAT, no CDP) and linear memory bandwidth allocation, per socket.

/** L3 size per socket (KiB) and its ways; a CBM bit stands for one way. */
export const L3_KB = 30 * 1024;
export const L3_WAYS = 20;
/** Highest RMID (psr_cmt->rmid_max, what XEN_SYSCTL_PSR_CMT_get_total_rmid answers); RMID 0 is the default one. */
export const RMID_MAX = 71;
/** Bytes per unit of IA32_QM_CTR (CPUID.0xF.1 EBX). */
export const UPSCALING_FACTOR = 49152;
export const CMT_TYPES = ['cache-occupancy', 'total-mem-bandwidth', 'local-mem-bandwidth'] as const;
export type CmtType = typeof CMT_TYPES[number];

export const CAT_COS_MAX = 15;
export const CBM_LEN = L3_WAYS;
export const DEFAULT_CBM = (1 << CBM_LEN) - 1;

export const MBA_COS_MAX = 7;
/** Linear mode: delay in percent, in steps of 100 - MBA_THRTL_MAX. */
export const MBA_THRTL_MAX = 90;
export const MBA_LINEAR = true;

/** cat_check_cbm: set bits within the CBM length, at least one, contiguous. */
export function cbmValid(cbm: bigint): boolean {
  if (cbm <= 0n || cbm >> BigInt(CBM_LEN) !== 0n) return false;
  const v = Number(cbm);
  const low = v & -v;
  return ((v + low) & v) === 0;
}

/** mba_sanitize_thrtl (linear mode): rounded down to the step; null when still above the maximum. */
export function sanitizeThrtl(thrtl: bigint): number | null {
  if (thrtl < 0n || thrtl > 0xffff_ffffn) return null;
  const t = Number(thrtl) - (Number(thrtl) % (100 - MBA_THRTL_MAX));
  return t <= MBA_THRTL_MAX ? t : null;
}

export const waysOf = (cbm: number): number => { let n = 0; for (let v = cbm; v; v &= v - 1) n++; return n; };
