// libxl_domain_config as xl builds it and libxl prints it (libxl_types.idl, Xen 4.17).
// Keys appear in IDL order; a key that is absent holds libxl's default. Readers should treat
// absent numbers as "libxl default" (e.g. 1 vCPU, 32 MiB) rather than 0.

import type { LibxlDeviceDisk } from '../disk-spec.ts';
import type { LibxlDeviceNic } from '../vif-spec.ts';
import type { LibxlDevicePci } from '../pci-spec.ts';

export type { LibxlDeviceDisk, LibxlDeviceNic, LibxlDevicePci };

export type Defbool = 'True' | 'False';
export type DomainType = 'pv' | 'pvh' | 'hvm';
/** JSON spellings of libxl_action_on_shutdown. */
export type ShutdownAction =
  | 'destroy' | 'restart' | 'restart_rename' | 'preserve' | 'coredump_destroy' | 'coredump_restart' | 'soft_reset';

export interface LibxlCreateInfo {
  type?: DomainType;
  hap?: Defbool;
  oos?: Defbool;
  ssid_label?: string;
  name?: string;
  uuid?: string;
  pool_name?: string;
  run_hotplug_scripts?: Defbool;
  driver_domain?: Defbool;
  passthrough?: string;
  xend_suspend_evtchn_compat?: Defbool;
  [key: string]: unknown;
}

export interface LibxlSchedParams {
  sched?: string;
  weight?: number;
  cap?: number;
  period?: number;
  slice?: number;
  latency?: number;
  extratime?: number;
  budget?: number;
}

/** A cpumap as libxl prints it: the numbers of the set bits. */
export type LibxlBitmap = number[];

export interface LibxlBuildInfo {
  max_vcpus?: number;
  avail_vcpus?: LibxlBitmap;
  vcpu_hard_affinity?: LibxlBitmap[];
  vcpu_soft_affinity?: LibxlBitmap[];
  numa_placement?: Defbool;
  tsc_mode?: string;
  max_memkb?: number | bigint;
  target_memkb?: number | bigint;
  video_memkb?: number;
  shadow_memkb?: number;
  sched_params: LibxlSchedParams;
  claim_mode?: Defbool;
  event_channels?: number;
  kernel?: string;
  cmdline?: string;
  ramdisk?: string;
  bootloader?: string;
  bootloader_args?: string[];
  'type.pv'?: Record<string, unknown>;
  'type.pvh'?: Record<string, unknown>;
  'type.hvm'?: Record<string, unknown>;
  arch_arm: Record<string, unknown>;
  arch_x86: Record<string, unknown>;
  [key: string]: unknown;
}

export interface LibxlDomainConfig {
  c_info: LibxlCreateInfo;
  b_info: LibxlBuildInfo;
  disks?: LibxlDeviceDisk[];
  nics?: LibxlDeviceNic[];
  pcidevs?: LibxlDevicePci[];
  vfbs?: Record<string, unknown>[];
  vkbs?: Record<string, unknown>[];
  channels?: Record<string, unknown>[];
  on_poweroff?: ShutdownAction;
  on_reboot?: ShutdownAction;
  on_watchdog?: ShutdownAction;
  on_crash?: ShutdownAction;
  on_soft_reset?: ShutdownAction;
  [key: string]: unknown;
}
