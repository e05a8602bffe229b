// The schedulers a cpupool can run (Xen's schedulers[] array, with each one's name and the lines
// its init prints): `sched=` at boot and `xl cpupool-create sched=` pick one by name.
import { Credit2 } from './credit2/index.ts';
import { Credit } from './sched-credit/credit.ts';
import { Rtds } from './sched-rtds/rtds.ts';
import { Null } from './sched-null/null.ts';
import type { Scheduler, SchedulerName, SchedulerOptions } from './scheduler.ts';

export interface SchedulerKind {
  /** struct scheduler's name, as "Using scheduler:" and the 'r' dump print it. */
  title: string;
  /** What its init prints to the console ring (at boot, and again for each new pool of it). */
  initLines: string[];
  /** What it prints after them at XENLOG_INFO (in the boot log; later only if loglvl lets info through). */
  initInfoLines?: string[];
  create(opts: SchedulerOptions): Scheduler;
}

/** What RTDS's and null's init add after their first line. */
const EXPERIMENTAL = ['WARNING: This is experimental software in development.', 'Use at your own risk.'];

const SCHEDULERS: Record<SchedulerName, SchedulerKind> = {
  credit2: {
    title: 'SMP Credit Scheduler rev2',
    initLines: ['Initializing Credit2 scheduler'],
    initInfoLines: [
      ' load_precision_shift: 18', ' load_window_shift: 30', ' underload_balance_tolerance: 0',
      ' overload_balance_tolerance: -3', ' runqueues arrangement: socket', ' cap enforcement granularity: 10ms',
    ],
    create: o => new Credit2(o),
  },
  credit: { title: 'SMP Credit Scheduler', initLines: [], create: o => new Credit(o) },
  rtds: { title: 'SMP RTDS Scheduler', initLines: ['Initializing RTDS scheduler', ...EXPERIMENTAL], create: o => new Rtds(o) },
  null: { title: 'null Scheduler', initLines: ['Initializing null scheduler', ...EXPERIMENTAL], create: o => new Null(o) },
};

export function isSchedulerName(s: string): s is SchedulerName { return Object.hasOwn(SCHEDULERS, s); }

export function schedulerKind(name: SchedulerName): SchedulerKind { return SCHEDULERS[name]; }

export function createScheduler(name: SchedulerName, opts: SchedulerOptions): Scheduler {
  return schedulerKind(name).create(opts);
}
