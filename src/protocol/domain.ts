// What the toolstack reports about domains (libxl_dominfo, libxl_vcpuinfo equivalents).

export { ShutdownReason } from '../hypervisor/shutdown-reason.ts';

export type { DomainInfo, VcpuInfo, SchedCredit2Params, CpupoolInfo } from '../dom0/toolstack/types.ts';

/** One domain's stored configuration: `config` is the libxl_domain_config JSON object. */
export interface DomainConfigEntry { domid: number; config: Record<string, unknown> }
