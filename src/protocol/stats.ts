// One statistics sample of the whole host (the xenstat equivalent), streamed to xentop.
// Counters are cumulative since the device/domain came into being; rates are computed by the
// viewer between two samples, as the real xentop does.

import type { NetStats, VbdStats } from '../dom0/io-stats.ts';

export type { NetStats, VbdStats };

export interface VcpuStats { id: number; online: boolean; ns: number }

export interface DomainStats {
  domid: number;
  name: string;
  running: boolean; blocked: boolean; paused: boolean; shutdown: boolean; crashed: boolean; dying: boolean;
  /** CPU time, ns. */
  cpuNs: number;
  curMemKb: number;
  /** null = no limit (printed as "no limit"). */
  maxMemKb: number | null;
  vcpus: VcpuStats[];
  nets: NetStats[];
  vbds: VbdStats[];
  ssid: number;
}

export interface StatsSample {
  /** Simulated host time of the sample, ns since boot. */
  ns: number;
  /** Simulated wall clock, ms since 1970 (for the HH:MM:SS in the header). */
  wallMs: number;
  xenVersion: string;
  totalMemKb: number;
  freeMemKb: number;
  nrCpus: number;
  cpuMhz: number;
  domains: DomainStats[];
}
