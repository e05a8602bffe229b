// What the toolstack reports (libxl_dominfo, libxl_vcpuinfo, the credit2 parameters, libxl_cpupoolinfo,
// libxl_device_{nic,disk}info equivalents). The control protocol carries them as they are.

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

/** vif: devid, backendId, mac, state, evtchn, txRef, rxRef, bePath; vbd: devid, backendId, frontendId, state, evtchn, ringRef, bePath. */
export type DeviceInfo = Record<string, number | string>;

/** A domain's credit (credit1) parameters, for xl sched-credit: the same fields as credit2's. */
export type SchedCreditParams = SchedCredit2Params;
/** A pool's credit parameters (libxl_sched_credit_params). */
export interface SchedCreditPoolParams { tsliceMs: number; ratelimitUs: number; migrDelayUs: number }
/** One vCPU's RTDS parameters (libxl_sched_params), µs. */
export interface RtdsVcpuParams { vcpuid: number; periodUs: number; budgetUs: number; extratime: boolean }
/** A domain's RTDS parameters for xl sched-rtds: its default ones, or those of the vCPUs asked for. */
export interface SchedRtdsDomain { domid: number; name: string; periodUs: number; budgetUs: number; extratime: boolean; vcpus?: RtdsVcpuParams[] }
