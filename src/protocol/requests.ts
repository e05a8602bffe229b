// Every request the daemon answers: type name → argument and result shapes. Domain arguments
// are the user's qualifiers (`dom`: a name or a number, as xl's find_domain takes them); the
// daemon resolves them and answers with the real error texts.
import type { CpupoolInfo, DomainConfigEntry, DomainInfo, SchedCredit2Params, VcpuInfo } from './domain.ts';
import type { HostInfo } from './host.ts';
import type { TraceRequests } from './trace.ts';
import type { MigrateRequests } from './migrate.ts';
import type { DeviceInfo } from '../dom0/toolstack/types.ts';
import type { DebugRequests } from './debug.ts';
import type { SchedRequests } from './sched.ts';
import type { PmRequests } from './pm.ts';
import type { PsrRequests } from './psr.ts';
import type { PciRequests } from './pci.ts';
import type { VdevRequests } from './vdev.ts';
import type { UsbRequests } from './usb.ts';
import type { DeviceModelRequests } from './device-model.ts';
import type { FaultRequests } from './fault.ts';
import type { Dom0Requests } from './dom0.ts';

export type ShutdownAction = 'poweroff' | 'reboot';

export type { DeviceInfo };

export interface Requests extends TraceRequests, MigrateRequests, DebugRequests, SchedRequests, PmRequests, PsrRequests, PciRequests, VdevRequests, UsbRequests, DeviceModelRequests, FaultRequests, Dom0Requests {
  'host.info': { args: {}; result: HostInfo };
  'host.dmesg': { args: { clear: boolean }; result: { text: string } };
  /** xenlab extension: Dom0's /proc/interrupts. */
  'host.interrupts': { args: {}; result: { text: string } };
  /** xl debug-keys: the keys' output lands in the console ring. */
  'host.debugKeys': { args: { keys: string }; result: {} };
  'host.setParameters': { args: { params: string }; result: {} };
  /** xl sysrq: one letter written to the guest's control/sysrq. */
  'domain.sysrq': { args: { dom: string; key: string }; result: {} };

  'domain.list': { args: { doms?: string[] }; result: DomainInfo[] };
  'domain.configs': { args: { doms?: string[] }; result: DomainConfigEntry[] };
  /** find_domain: a domid for a qualifier (`strict`: numbers must exist too). */
  'domain.resolve': { args: { dom: string; strict?: boolean }; result: { domid: number; name: string | null } };
  'domain.create': {
    args: {
      /** libxl_domain_config JSON as xl built it from the config file. */
      config: Record<string, unknown>;
      /** xenlab extension: workload spec string from the config. */
      workload?: string;
      /** The config file text and its name, kept for save/migrate (as libxl keeps userdata). */
      configText: string;
      configFile: string;
      paused: boolean;
      /** xl's working directory: relative disk paths are relative to it, as for the real hotplug scripts. */
      cwd?: string;
    };
    result: { domid: number; name: string };
  };
  'domain.destroy': { args: { dom: string; force?: boolean }; result: {} };
  'domain.shutdown': { args: { dom: string; action: ShutdownAction; force?: boolean }; result: { domid: number } };
  'domain.pause': { args: { dom: string }; result: {} };
  'domain.unpause': { args: { dom: string }; result: {} };
  /** `unpause`: start the domain in the same commit (xl migrate-receive's rename and unpause after the go). */
  'domain.rename': { args: { dom: string; name: string; unpause?: boolean }; result: {} };
  'domain.memSet': { args: { dom: string; targetKb: number }; result: {} };
  'domain.memMax': { args: { dom: string; maxKb: number }; result: {} };

  'vcpu.list': { args: { doms?: string[] }; result: { nrCpus: number; vcpus: VcpuInfo[] } };
  'vcpu.pin': { args: { dom: string; vcpu: number | 'all'; hard: number[] | null; soft: number[] | null; force?: boolean }; result: {} };
  'vcpu.set': { args: { dom: string; count: number }; result: {} };

  'sched.credit2.get': { args: { dom?: string; pool?: string }; result: { pools: { name: string; ratelimitUs: number | null; domains: SchedCredit2Params[] }[] } };
  'sched.credit2.set': { args: { dom: string; weight?: number; cap?: number }; result: {} };
  'sched.credit2.setPool': { args: { pool?: string; ratelimitUs: number }; result: {} };
  'cpupool.list': { args: { pool?: string }; result: CpupoolInfo[] };
  /** XEN_SYSCTL_CPUPOOL_OP_FREEINFO: the pCPUs in no pool. */
  'cpupool.free': { args: {}; result: { cpus: number[] } };
  'cpupool.create': { args: { name: string; sched: string; cpus: number[] }; result: { poolid: number } };
  'cpupool.destroy': { args: { pool: string }; result: {} };
  'cpupool.rename': { args: { pool: string; name: string }; result: {} };
  'cpupool.cpuAdd': { args: { pool: string; cpus: number[] }; result: {} };
  'cpupool.cpuRemove': { args: { pool: string; cpus: number[] }; result: {} };
  'cpupool.migrate': { args: { dom: string; pool: string }; result: {} };
  'cpupool.numaSplit': { args: {}; result: {} };

  'clock.get': { args: {}; result: { mode: 'real' | 'virtual'; nowNs: string; wallMs: number } };
  'clock.advance': { args: { ns: string }; result: { nowNs: string } };

  /** libxl_device_{nic,disk}_getinfo for every vif or vbd of a domain (values -1 where xenstore lacks them). */
  'device.list': { args: { dom: string; kind: 'vif' | 'vbd' }; result: DeviceInfo[] };
  /** Hot-plug a libxl_device_nic / libxl_device_disk (as xl parsed it). */
  'device.attach': { args: { dom: string; kind: 'vif' | 'vbd'; device: Record<string, unknown>; cwd?: string }; result: {} };
  /** Unplug by devid or MAC (vif), vdev or devid (vbd). */
  'device.detach': { args: { dom: string; kind: 'vif' | 'vbd'; id: string }; result: {} };

  'daemon.stop': { args: {}; result: {} };

  /** xenlabd lvcreate/lvs/...: one LVM command run in Dom0, with the user's answers to its questions so far. */
  'lvm.run': { args: { command: string; argv: string[]; answers: string[] }; result: { stdout: string; stderr: string; exitCode: number; prompt?: string } };
  /** xl cd-insert / cd-eject (an empty target ejects): libxl_cdrom_insert. */
  'cdrom.insert': { args: { dom: string; vdev: string; target: string; format: string; cwd?: string }; result: {} };
  /** xl devd in Dom0: start libxl's device events handler there (once), and the pid of the process running it. */
  'devd.start': { args: {}; result: { pid: number } };
  /** xl devd -F interrupted: the handler stops. */
  'devd.stop': { args: {}; result: {} };
}

export type RequestType = keyof Requests;
export type ArgsOf<T extends RequestType> = Requests[T]['args'];
export type ResultOf<T extends RequestType> = Requests[T]['result'];
