// What the toolstack reports about domains (libxl_dominfo, libxl_vcpuinfo equivalents).

export { ShutdownReason } from '../hypervisor/shutdown-reason.ts';

export interface DomainInfo {
  domid: number;
  /** null for a domain with no name in xenstore (a zombie), printed as (null). */
  name: string | null;
  uuid: string;
  type: 'pv' | 'pvh' | 'hvm';
  running: boolean;
  blocked: boolean;
  paused: boolean;
  shutdown: boolean;
  dying: boolean;
  /** Meaningful only when shutdown. */
  shutdownReason: number;
  currentMemkb: number;
  outstandingMemkb: number;
  /** Hypervisor maxmem; -1 = no limit (Domain-0). */
  maxMemkb: number;
  /** memory/target in xenstore (balloon target). */
  targetMemkb: number;
  vcpuOnline: number;
  vcpuMaxId: number;
  /** Sum of the vCPUs' running time, ns, as a decimal string (bigint). */
  cpuTimeNs: string;
  ssidref: number;
  cpupool: number;
  poolName: string;
  /** Seconds since the domain was created, simulated. */
  uptimeSec: number;
}

export interface VcpuInfo {
  domid: number;
  name: string;
  vcpuid: number;
  online: boolean;
  running: boolean;
  blocked: boolean;
  cpu: number;
  cpuTimeNs: string;
  hard: number[];
  soft: number[];
}

export interface SchedCredit2Params { domid: number; name: string; weight: number; cap: number; poolName: string }

export interface CpupoolInfo { poolid: number; name: string; sched: string; cpus: number[]; nDomains: number; ratelimitUs: number }

/** One domain's stored configuration: `config` is the libxl_domain_config JSON object. */
export interface DomainConfigEntry { domid: number; config: Record<string, unknown> }
