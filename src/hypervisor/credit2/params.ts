// Validation of scheduler parameters, as libxl and Xen apply it. Each returns null when the value
// is acceptable, or the error text (libxl's log message; Xen's errno for the hypervisor checks).
import { WEIGHT_MIN, WEIGHT_MAX, XEN_SYSCTL_SCHED_RATELIMIT_MIN, XEN_SYSCTL_SCHED_RATELIMIT_MAX } from './constants.ts';

export function validateWeight(weight: number): string | null {
  if (!Number.isInteger(weight) || weight < WEIGHT_MIN || weight > WEIGHT_MAX)
    return `Cpu weight out of range, valid values are within range from ${WEIGHT_MIN} to ${WEIGHT_MAX}`;
  return null;
}

/** Xen refuses a cap above 100% per vCPU (csched2_dom_cntl) with EINVAL. */
export function validateCap(cap: number, nrVcpus: number): string | null {
  if (!Number.isInteger(cap) || cap < 0 || cap > 100 * nrVcpus) return 'EINVAL';
  return null;
}

/** 0 disables rate limiting; otherwise 100..500000 µs. */
export function validateRatelimit(us: number): string | null {
  if (!Number.isInteger(us) || (us !== 0 && (us < XEN_SYSCTL_SCHED_RATELIMIT_MIN || us > XEN_SYSCTL_SCHED_RATELIMIT_MAX)))
    return `Ratelimit out of range, valid range is from ${XEN_SYSCTL_SCHED_RATELIMIT_MIN} to ${XEN_SYSCTL_SCHED_RATELIMIT_MAX}`;
  return null;
}
