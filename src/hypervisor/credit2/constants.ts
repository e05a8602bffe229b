// credit2's tunables and limits (xen/common/sched/credit2.c, sched/private.h, public/sysctl.h).
// All times are nanoseconds.
const US = 1_000;
const MS = 1_000_000;

export const CSCHED2_DEFAULT_WEIGHT = 256;
export const CSCHED2_MIN_TIMER = 500 * US;
export const CSCHED2_CREDIT_INIT = 10 * MS;
export const CSCHED2_CREDIT_MIN = -CSCHED2_CREDIT_INIT;
export const CSCHED2_IDLE_CREDIT = CSCHED2_CREDIT_MIN - 1;
export const CSCHED2_CARRYOVER_MAX = CSCHED2_MIN_TIMER;
export const CSCHED2_MIGRATE_RESIST = 500 * US;
export const CSCHED2_MIGRATE_COMPENSATION = 50 * US;
export const CSCHED2_RATELIMIT_TICKLE_TOLERANCE = 50 * US;
export const CSCHED2_CREDIT_RESET = 0;
export const CSCHED2_MAX_TIMER = CSCHED2_CREDIT_INIT;
/** credit2_cap_period_ms default: budget replenishment period of capped domains. */
export const CSCHED2_BDGT_REPL_PERIOD = 10 * MS;
/** sched_credit2_max_cpus_runqueue default. */
export const MAX_CPUS_RUNQUEUE = 16;

export const SCHED_DEFAULT_RATELIMIT_US = 1000;
export const XEN_SYSCTL_SCHED_RATELIMIT_MIN = 100;
export const XEN_SYSCTL_SCHED_RATELIMIT_MAX = 500_000;
export const WEIGHT_MIN = 1;
export const WEIGHT_MAX = 65535;

