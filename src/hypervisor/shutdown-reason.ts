// Why a domain shut down, as Xen numbers it (SHUTDOWN_* in public/sched.h): the guest names it
// in SCHEDOP_shutdown, and the toolstack, xl list's state letters and the save path read it.
export const ShutdownReason = { poweroff: 0, reboot: 1, suspend: 2, crash: 3, watchdog: 4, soft_reset: 5 } as const;
