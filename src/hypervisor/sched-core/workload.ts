// The duty-cycle workload of a vCPU. Demand f in (0,1) means: in each DEMAND_PERIOD the vCPU
// wants f·period of CPU; once it has had that much it blocks until the next period begins. When
// it gets less (contention) it stays runnable to the period's end and the shortfall is lost, so
// contention lowers the achieved share instead of the demand. f = 1 never blocks; f = 0 never wakes.
// Periods are offset per vCPU by a fixed phase so that thousands of guests do not wake in step.
/** Period of the duty-cycle workload (a vCPU with demand f wants f of each period), ns. */
export const DEMAND_PERIOD = 10_000_000;

export interface DutyCycle {
  demand: number;
  /** CPU wanted per period (ns). */
  quota: number;
  /** Offset of this vCPU's period boundaries (ns, < DEMAND_PERIOD). */
  phase: number;
  /** End of the period `used` belongs to. */
  periodEnd: number;
  /** CPU consumed in the current period. */
  used: number;
}

export function newDutyCycle(domid: number, vcpu: number, demand: number, now: number): DutyCycle {
  // A fixed, well-spread phase in whole microseconds (Knuth multiplicative hash).
  const phase = (Math.imul(domid * 64 + vcpu + 1, 2654435761) >>> 0) % (DEMAND_PERIOD / 1000) * 1000;
  const d: DutyCycle = { demand: 0, quota: 0, phase, periodEnd: 0, used: 0 };
  setDemand(d, demand);
  roll(d, now);
  return d;
}

export function setDemand(d: DutyCycle, demand: number): void {
  d.demand = demand <= 0 ? 0 : demand >= 1 ? 1 : demand;
  d.quota = Math.round(d.demand * DEMAND_PERIOD);
}

/** Move to the period containing t (only for a vCPU not running across the boundary). */
export function roll(d: DutyCycle, t: number): void {
  if (t < d.periodEnd) return;
  d.periodEnd = d.phase + (Math.floor((t - d.phase) / DEMAND_PERIOD) + 1) * DEMAND_PERIOD;
  d.used = 0;
}

/** Account CPU run continuously over [from, to) (from is in the current period). */
export function consume(d: DutyCycle, from: number, to: number): void {
  if (to < d.periodEnd) { d.used += to - from; return; }
  roll(d, to);
  d.used = to - (d.periodEnd - DEMAND_PERIOD);
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
