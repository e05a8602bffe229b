// credit (credit1)'s tunables, priorities and flags (xen/common/sched/credit.c, public/sysctl.h).
// Times are nanoseconds.
const US = 1_000;
const MS = 1_000_000;

export const CSCHED_DEFAULT_WEIGHT = 256;
export const CSCHED_TICKS_PER_TSLICE = 3;
export const CSCHED_DEFAULT_TSLICE_MS = 30;
export const CSCHED_CREDITS_PER_MSEC = 10;
/** CSCHED_MIN_TIMER is XEN_SYSCTL_SCHED_RATELIMIT_MIN. */
export const CSCHED_MIN_TIMER = 100 * US;
export const SCHED_DEFAULT_RATELIMIT_US = 1000;

/** Priorities: a waking unit is boosted, then UNDER while it has credit, OVER when it has none. */
export const CSCHED_PRI_TS_BOOST = 0;
export const CSCHED_PRI_TS_UNDER = -1;
export const CSCHED_PRI_TS_OVER = -2;
export const CSCHED_PRI_IDLE = -64;

/** Bits of csched_unit.flags as the 'r' dump prints them. */
export const CSCHED_FLAG_UNIT_PARKED = 1 << 0;
export const CSCHED_FLAG_UNIT_MIGRATING = 1 << 2;
export const CSCHED_FLAG_UNIT_PINNED = 1 << 4;

export const XEN_SYSCTL_CSCHED_TSLICE_MIN = 1;
export const XEN_SYSCTL_CSCHED_TSLICE_MAX = 1000;
export const XEN_SYSCTL_CSCHED_MGR_DLY_MAX_US = 100 * 1000;
export const XEN_SYSCTL_SCHED_RATELIMIT_MIN = 100;
export const XEN_SYSCTL_SCHED_RATELIMIT_MAX = 500_000;

export { MS, US };
