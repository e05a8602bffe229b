// What the emulated CPU's firmware tells Xen about power (an Intel Xeon server part, as its ACPI
// _CST and _PSS objects describe it): the idle states with their exit latencies, and the
// performance states from the turbo entry down to the lowest frequency. Xen derives an idle
// state's target residency from its latency (idle_latency_factor, 2 by default).

export interface CState {
  /** ACPI C-state type (1, 2 or 3); also its index in Xen's tables (C0 is index 0). */
  type: number;
  latencyUs: number;
  /** Shortest idle period for which entering the state pays off (latency × idle_latency_factor). */
  residencyUs: number;
}

const IDLE_LATENCY_FACTOR = 2;

/** C1 (halt), C2 (the core's clocks stop) and C3 (caches flushed, core power gated). */
export const CSTATES: readonly CState[] = [1, 41, 133].map((latencyUs, i) => ({ type: i + 1, latencyUs, residencyUs: latencyUs * IDLE_LATENCY_FACTOR }));

/** XEN_SYSCTL_CX_UNLIMITED: no limit on the C-state. */
export const CX_UNLIMITED = 0xffff_ffff;

/** Lowest frequency of _PSS, and the step between its entries below the nominal one. */
const MIN_MHZ = 800;
const STEP_MHZ = 200;
/** The single-core turbo frequency over the nominal one (a 2.4 GHz part turbos to about 3.2 GHz). */
export const TURBO_RATIO = 4 / 3;
/** P-state transition latency (_PSS), which sets ondemand's default sampling rate. */
export const PSTATE_LATENCY_US = 10;

/**
 * _PSS frequencies in MHz, P0 first: P0 is the turbo entry, advertised as nominal + 1 MHz as
 * Intel firmware does; then the nominal frequency; then every STEP_MHZ down to MIN_MHZ.
 */
export function pstateTable(nominalMhz: number): number[] {
  const t = [nominalMhz + 1, nominalMhz];
  for (let f = Math.floor((nominalMhz - 1) / STEP_MHZ) * STEP_MHZ; f >= MIN_MHZ; f -= STEP_MHZ) t.push(f);
  return t;
}

/**
 * The idle state for an idle period of `lengthNs` (the menu governor's choice, knowing the
 * length): the deepest one allowed by `maxCstate` whose target residency the period reaches;
 * C1 (halt) at least.
 */
export function cstateFor(lengthNs: number, maxCstate: number): number {
  let state = 1;
  for (const c of CSTATES) if (c.type <= maxCstate && c.residencyUs * 1000 <= lengthNs) state = c.type;
  return state;
}
