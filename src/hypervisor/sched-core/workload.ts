// The duty-cycle workload of a vCPU. Demand f in (0,1) means: in each DEMAND_PERIOD the vCPU
// wants f·period of CPU; once it has had that much it blocks until the next period begins. When
// it gets less (contention) it stays runnable to the period's end and the shortfall is lost, so
// contention lowers the achieved share instead of the demand. f = 1 never blocks; f = 0 never wakes.
// Periods are offset per vCPU by a fixed phase so that thousands of guests do not wake in step.
// An idle kernel (demand under IDLE_DEMAND_MAX) is tickless, as Linux on Xen is (NO_HZ_IDLE): it
// sleeps until its next timer rather than waking every tick, so its period stretches until each
// wake runs at least IDLE_BURST (up to IDLE_PERIOD_MAX). Its share of CPU time is the same; what
// changes is how often it wakes: a few times a second instead of 100, which is what lets
// thousands of idle guests cost the hypervisor next to nothing.

/** Period of the duty-cycle workload (a vCPU with demand f wants f of each period), ns. */
export const DEMAND_PERIOD = 10_000_000;

const MS = 1_000_000;
/** Below this demand a vCPU is an idle, tickless kernel. */
export const IDLE_DEMAND_MAX = 0.01;
/** The CPU an idle kernel runs per wake-up (timers, RCU, a daemon's poll) at the least. */
export const IDLE_BURST = 1 * MS;
/** An idle kernel still wakes at least once a second. */
export const IDLE_PERIOD_MAX = 1000 * MS;

/** The guest kernel's tick while it runs (Debian's HZ=250); idle, it is tickless (see above). */
export const TICK_NS = 4_000_000;

/** The ticks a run brings, on the vCPU's own CPU-time axis, whose CPU time went from `before` to `after`. */
export const ticksBetween = (before: number, after: number): number => Math.floor(after / TICK_NS) - Math.floor(before / TICK_NS);

export interface DutyCycle {
  demand: number;
  /** CPU wanted per period (ns). */
  quota: number;
  /** Length of a period (ns): DEMAND_PERIOD, longer for an idle kernel. */
  period: number;
  /** Offset of this vCPU's period boundaries (ns, < period). */
  phase: number;
  /** The vCPU's spread, fixed: its phase is this modulo the period (in µs). */
  spread: number;
  /** End of the period `used` belongs to. */
  periodEnd: number;
  /** CPU consumed in the current period. */
  used: number;
}

export function newDutyCycle(domid: number, vcpu: number, demand: number, now: number): DutyCycle {
  // A fixed, well-spread phase in whole microseconds (Knuth multiplicative hash).
  const spread = Math.imul(domid * 64 + vcpu + 1, 2654435761) >>> 0;
  const d: DutyCycle = { demand: 0, quota: 0, period: DEMAND_PERIOD, phase: 0, spread, periodEnd: 0, used: 0 };
  setDemand(d, demand, now);
  roll(d, now);
  return d;
}

/**
 * A new demand, set at `now` (the vCPU's period already rolled to contain it). It takes effect in
 * the period under way, which keeps its end, unless the period got shorter: a tickless sleep is
 * then cut short and the new periods start now, as a kernel woken to work runs its tick again.
 */
export function setDemand(d: DutyCycle, demand: number, now: number): void {
  const was = d.period;
  d.demand = demand <= 0 ? 0 : demand >= 1 ? 1 : demand;
  d.period = periodFor(d.demand);
  d.phase = (d.spread % (d.period / 1000)) * 1000;
  d.quota = Math.round(d.demand * d.period);
  if (d.period < was && d.periodEnd > now) d.periodEnd = nextBoundary(d, now);
}

/** The first period boundary after t. */
const nextBoundary = (d: DutyCycle, t: number): number => d.phase + (Math.floor((t - d.phase) / d.period) + 1) * d.period;

function periodFor(demand: number): number {
  if (demand === 0 || demand >= IDLE_DEMAND_MAX) return DEMAND_PERIOD;
  // In whole milliseconds.
  return Math.min(IDLE_PERIOD_MAX, Math.max(DEMAND_PERIOD, Math.ceil(IDLE_BURST / demand / MS) * MS));
}

/**
 * Where a vCPU's duty cycle stands at `t` (counting its run so far if it runs), as a daemon
 * restart records it: the host resumes in the same period with the same CPU used.
 */
export interface VcpuWork { demand: number; used: number; periodEnd: number }

export function workAt(v: { work: DutyCycle; running: boolean; runFrom: number }, t: number): VcpuWork {
  const c = { ...v.work };
  if (v.running) consume(c, v.runFrom, t);
  else roll(c, t);
  return { demand: c.demand, used: c.used, periodEnd: c.periodEnd };
}

/** A new vCPU's duty cycle: resumed from what workAt recorded (a new period if that one is over), or starting with `demand`. */
export function initialDutyCycle(domid: number, vcpu: number, o: { demand?: number; work?: VcpuWork[] }, now: number): DutyCycle {
  const w = o.work?.[vcpu];
  const d = newDutyCycle(domid, vcpu, w?.demand ?? o.demand ?? 0, now);
  if (!w) return d;
  d.periodEnd = w.periodEnd;
  d.used = w.used;
  roll(d, now);
  return d;
}

/** Move to the period containing t (only for a vCPU not running across the boundary). */
export function roll(d: DutyCycle, t: number): void {
  if (t < d.periodEnd) return;
  d.periodEnd = nextBoundary(d, t);
  d.used = 0;
}

/** Account CPU run continuously over [from, to) (from is in the current period). */
export function consume(d: DutyCycle, from: number, to: number): void {
  if (to < d.periodEnd) { d.used += to - from; return; }
  roll(d, to);
  d.used = to - (d.periodEnd - d.period);
}

/** Does the vCPU want CPU now (after roll)? */
export const wantsCpu = (d: DutyCycle): boolean => d.demand >= 1 || d.used < d.quota;

/** When a vCPU that runs from `now` without a break will have had its fill and block. */
export function blockTime(d: DutyCycle, now: number): number {
  if (d.demand >= 1) return Infinity;
  const rem = d.quota - d.used;
  if (rem <= 0) return now;
  if (now + rem <= d.periodEnd) return now + rem;
  return d.periodEnd + d.quota;
}

/**
 * Scheduler.resume on a pool's pCPUs: the reschedules pending on them run now, then those these
 * raise, until none is pending (at most one round per pCPU).
 */
export function runPendingNow<P extends { tickled: boolean }>(pcpus: readonly P[], inPool: (p: P) => boolean, run: (p: P) => void): void {
  for (let round = 0; round < pcpus.length; round++) {
    const due = pcpus.filter(p => p.tickled && inPool(p));
    if (!due.length) return;
    for (const p of due) run(p);
  }
}
