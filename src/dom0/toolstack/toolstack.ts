// The toolstack (the libxl equivalent in Dom0). This class is its API, as libxl.h is libxl's:
// it holds what every area shares — the domain records the daemon persists, find_domain, the
// commit points, the waits for a domain's state — and hands each operation to the module of its
// area (create, recover, domain, mem, sched, cpupool, devices, pvcontrol, parameters,
// save/restore, shutdown-actions), where its checks and its messages live. Failures are
// LibxlErrors. It reaches guests only through xenstore and what the platform wires (rings).
import type { DrbdResources } from '../drbd/resources.ts';
import type { Hypervisor } from '../../hypervisor/hypervisor.ts';
import type { DomainType } from '../../hypervisor/domain.ts';
import type { XsClient } from '../../formats/xenstore-client.ts';
import { err } from './errors.ts';
import { createDomain, type CreateOptions } from './create.ts';
import { recoverDomain, removeStaleDomains } from './recover.ts';
import { destroy, domainInfo, domids, pause, rename, retrieveConfig, unpause, vcpuSet } from './domain.ts';
import { setMaxmem, setMemoryTarget } from './mem.ts';
import { credit2Params, setCredit2Ratelimit, setVcpuAffinity, setWeightCap, vcpuList } from './sched.ts';
import { creditParams, creditPoolParams, rtdsDomains, rtdsVcpus, setCreditPoolParams, setRtdsVcpus } from './sched.ts';
import { cpupoolCpuAdd, cpupoolCpuRemove, cpupoolCreate, cpupoolDestroy, cpupoolList, cpupoolMigrate, cpupoolNumaSplit, cpupoolRename } from './cpupool.ts';
import { attachDisk, attachNic, detachDisk, detachNic, deviceInfo, primaryConsole, type DeviceKind } from './devices.ts';
import { requestShutdown, sendSysrq } from './pvcontrol.ts';
import { insertCdrom } from './cdrom.ts';
import { setParameters } from './parameters.ts';
import { onDomainException } from './shutdown-actions.ts';
import type { HostBlockDevices } from '../lvm/host-block.ts';
import { attachVdev, detachVdev, listVdevs } from './vdev.ts';
import type { ChannelInfo, VdevInfo, VdevKind } from './device-info.ts';
import { listChannels } from './channel.ts';
import { attachUsbctrl, attachUsbdev, detachUsbctrl, detachUsbdev, listUsb } from './usb.ts';
import type { UsbctrlInfo } from './device-info.ts';
import { qemuMonitorCommand } from './qemu-monitor.ts';
import { vncInfo } from './device-model.ts';
import type { CpupoolInfo, DeviceInfo, DomainInfo, SchedCredit2Params, VcpuInfo } from './types.ts';
import type { RtdsVcpuParams, SchedCreditPoolParams } from './types.ts';
import type { PciDrivers } from '../pci-drivers.ts';
import { DomainRecords } from './records.ts';

export type { ShutdownActionName } from './shutdown-actions.ts';

/** Everything the toolstack keeps about a guest domain (libxl's stored config + userdata). */
export interface DomainRecord {
  domid: number;
  name: string;
  uuid: string;
  type: DomainType;
  /** libxl_domain_config JSON as stored at creation. */
  config: Record<string, any>;
  configText: string;
  configFile: string;
  /** xl's working directory at creation (relative disk paths). */
  cwd?: string;
  workload: string | null;
  targetKb: number;
  staticMaxKb: number;
  videoKb: number;
  /** Restored by an incoming migration, not yet started under its own name: never recorded. */
  incoming?: boolean;
  /** What libxl hands the guest at build time (start_info): its xenstore and console ports and frames. */
  magic?: GuestMagic;
}

export interface GuestMagic { storePort: number; storePfn: number; consolePort: number; consolePfn: number }

export interface ToolstackPlatform {
  /** Wire and start the guest kernel of a new domain (xenstore ring, console page); says which pty its emulated serial port got, if it has one. */
  startGuest(rec: DomainRecord, alreadyBooted: boolean): Promise<{ serialTty?: string }>;
  stopGuest(domid: number): void;
  /** Persist a domain (record + hypervisor state) in one transaction; done before replying. Throws a LibxlError if it cannot. */
  commit(domid: number): void;
  /** Persist Xen's host-wide settings (log thresholds, pool ratelimits); throws a LibxlError if it cannot. */
  commitXenSettings(): void;
  /** Record that a domain is gone; throws a LibxlError if it cannot. */
  forget(domid: number): void;
  event(kind: string, domid: number, name: string | null, detail?: string): void;
  log(line: string): void;
  /** Dom0's /dev (disks, partitions, LVM volumes), where phy: targets are found. */
  blockDevices: HostBlockDevices;
  /** The DRBD resources this host defines (drbd.d), which block-drbd disks name. */
  drbd?: DrbdResources;
  /** QEMU's emulated CD-ROM drive of an HVM guest gets a new medium (a file), or none (ejected). */
  changeMedium(domid: number, devid: number, file: string | null): void;
  /** Dom0's PCI drivers (sysfs), where passthrough takes devices from and gives them back. */
  readonly pci: PciDrivers;
  /** Where on_*=coredump-* writes a core, named after the domain (XEN_DUMP_DIR, /var/lib/xen/dump on a real host). */
  dumpDir: string;
  /** When Dom0's kernel booted: its /proc/uptime, which xl uptime shows for Domain-0, counts from there. */
  dom0BootNs?: () => bigint;
}

export class Toolstack {
  readonly records = new DomainRecords<DomainRecord>();
  /** Names being created right now: checked with the live names so two creates cannot both win. */
  readonly reservedNames = new Set<string>();
  private waiters: { domid: number; until: 'gone' | 'shutdown'; resolve: () => void }[] = [];

  constructor(readonly hv: Hypervisor, readonly xs: XsClient, readonly platform: ToolstackPlatform) {
    hv.onDomainException = domid => { onDomainException(this, domid).catch(e => platform.log(`d${domid}: ${e instanceof Error ? e.message : String(e)}`)); };
  }

  // ---- naming (find_domain) ------------------------------------------------------------------

  nameOf(domid: number): string | null {
    if (domid === 0) return 'Domain-0';
    return this.records.get(domid)?.name ?? null;
  }

  domidByName(name: string): number | undefined {
    if (name === 'Domain-0') return 0;
    return this.records.domidOf(name);
  }

  /** xl's find_domain: digits (even none) are a domid taken unchecked; anything else is a name. */
  resolve(q: string): number {
    if (/^\d*$/.test(q)) return q === '' ? 0 : Number(q);
    const id = this.domidByName(q);
    if (id === undefined) throw err.invalidDomain(q);
    return id;
  }

  /** find_domain, then require the domain to exist (xl's `Error: Domain 'x' does not exist.`). */
  existing(q: string): number {
    const domid = this.resolve(q);
    if (!this.exists(domid)) throw err.noSuchDomain(q);
    return domid;
  }

  exists(domid: number): boolean { return this.hv.domains.has(domid); }

  // ---- commit points and waits, shared by the areas --------------------------------------------

  /**
   * Commit a change already made in memory; if it cannot be recorded, undo it so the command
   * fails and changes nothing.
   */
  commitOrUndo(domid: number, undo: () => void): void {
    try { this.platform.commit(domid); } catch (e) { undo(); throw e; }
  }

  /** Resolves when the domain is gone (or has shut down, for `until: 'shutdown'`). */
  waitFor(domid: number, until: 'gone' | 'shutdown'): Promise<void> {
    const d = this.hv.domains.get(domid);
    if (!d || (until === 'shutdown' && d.shutdown)) return Promise.resolve();
    return new Promise(resolve => this.waiters.push({ domid, until, resolve }));
  }

  /** The domain is gone (or has shut down): let its waiters go. */
  wake(domid: number, reached: 'gone' | 'shutdown' = 'gone'): void {
    this.waiters = this.waiters.filter(w => {
      if (w.domid === domid && (reached === 'gone' || w.until === 'shutdown')) { w.resolve(); return false; }
      return true;
    });
  }

  // ---- the operations, each in its area's module -------------------------------------------------

  create(o: CreateOptions, restoreOf?: { domid?: number }): Promise<DomainRecord> { return createDomain(this, o, restoreOf); }
  recover(rec: DomainRecord): Promise<void> { return recoverDomain(this, rec); }
  removeStaleDomains(): Promise<void> { return removeStaleDomains(this); }

  destroy(domid: number): Promise<void> { return destroy(this, domid); }
  pause(domid: number): void { pause(this, domid); }
  unpause(domid: number): void { unpause(this, domid); }
  rename(domid: number, q: string, newName: string, unpause = false): Promise<void> { return rename(this, domid, q, newName, unpause); }
  vcpuSet(domid: number, count: number): Promise<void> { return vcpuSet(this, domid, count); }
  list(doms?: string[]): DomainInfo[] { return domids(this, doms).map(domid => domainInfo(this, domid)); }
  info(domid: number): DomainInfo { return domainInfo(this, domid); }
  configs(doms?: string[]): { domid: number; config: Record<string, unknown> }[] { return domids(this, doms).map(domid => ({ domid, config: retrieveConfig(this, domid) })); }

  memSet(domid: number, targetKb: number): Promise<void> { return setMemoryTarget(this, domid, targetKb); }
  memMax(domid: number, maxKb: number): Promise<void> { return setMaxmem(this, domid, maxKb); }

  vcpuList(doms?: string[]): { nrCpus: number; vcpus: VcpuInfo[] } { return vcpuList(this, doms); }
  vcpuPin(domid: number, vcpu: number | 'all', hard: number[] | null, soft: number[] | null): void { setVcpuAffinity(this, domid, vcpu, hard, soft); }
  credit2Params(o: { domid?: number; pool?: string }): { pools: { name: string; ratelimitUs: number | null; domains: SchedCredit2Params[] }[] } { return credit2Params(this, o); }
  setCredit2Domain(domid: number, p: { weight?: number; cap?: number }): void { setWeightCap(this, 'credit2', domid, p); }
  setCredit2Ratelimit(pool: string | undefined, ratelimitUs: number): void { setCredit2Ratelimit(this, pool, ratelimitUs); }
  // credit (credit1) and RTDS: xl sched-credit and sched-rtds.
  creditParams(o: { domid?: number; pool?: string }) { return creditParams(this, o); }
  setCreditDomain(domid: number, p: { weight?: number; cap?: number }): void { setWeightCap(this, 'credit', domid, p); }
  creditPoolParams(pool: string | undefined) { return creditPoolParams(this, pool); }
  setCreditPoolParams(pool: string | undefined, p: Partial<SchedCreditPoolParams>): void { setCreditPoolParams(this, pool, p); }
  rtdsDomains(o: { domid?: number; pool?: string }) { return rtdsDomains(this, o); }
  rtdsVcpus(o: { domid?: number; pool?: string; vcpus: number[] | 'all' }) { return rtdsVcpus(this, o); }
  setRtdsVcpus(domid: number, list: RtdsVcpuParams[], all: boolean): void { setRtdsVcpus(this, domid, list, all); }
  cpupoolList(pool?: string): CpupoolInfo[] { return cpupoolList(this, pool); }
  cpupoolCreate(name: string, sched: string, cpus: number[]): Promise<number> { return cpupoolCreate(this, name, sched, cpus); }
  cpupoolDestroy(pool: string): Promise<void> { return cpupoolDestroy(this, pool); }
  cpupoolRename(pool: string, name: string): Promise<void> { return cpupoolRename(this, pool, name); }
  cpupoolCpuAdd(pool: string, cpus: number[]): void { cpupoolCpuAdd(this, pool, cpus); }
  cpupoolCpuRemove(pool: string, cpus: number[]): void { cpupoolCpuRemove(this, pool, cpus); }
  cpupoolMigrate(dom: string, pool: string): void { cpupoolMigrate(this, dom, pool); }
  cpupoolNumaSplit(): Promise<void> { return cpupoolNumaSplit(this); }

  attachNic(domid: number, nic: Record<string, any>): Promise<void> { return attachNic(this, domid, nic); }
  detachNic(domid: number, q: string): Promise<void> { return detachNic(this, domid, q); }
  attachDisk(domid: number, disk: Record<string, any>, cwd?: string): Promise<void> { return attachDisk(this, domid, disk, cwd); }
  detachDisk(domid: number, q: string): Promise<void> { return detachDisk(this, domid, q); }
  deviceInfo(domid: number, kind: DeviceKind): Promise<DeviceInfo[]> { return deviceInfo(this, domid, kind); }
  primaryConsole(domid: number): 'pv' | 'serial' { return primaryConsole(this, domid); }
  cdromInsert(domid: number, vdev: string, target: string, format: string, cwd?: string): Promise<void> { return insertCdrom(this, domid, vdev, target, format, cwd); }

  attachVdev(domid: number, kind: VdevKind, dev: Record<string, any>): Promise<void> { return attachVdev(this, domid, kind, dev); }
  detachVdev(domid: number, kind: VdevKind, id: string): Promise<void> { return detachVdev(this, domid, kind, id); }
  listVdevs(domid: number, kind: VdevKind): Promise<VdevInfo[]> { return listVdevs(this, domid, kind); }
  listChannels(domid: number): Promise<ChannelInfo[]> { return listChannels(this, domid); }

  attachUsbctrl(domid: number, c: Record<string, any>): Promise<void> { return attachUsbctrl(this, domid, c); }
  detachUsbctrl(domid: number, devid: number, id: string): Promise<void> { return detachUsbctrl(this, domid, devid, id); }
  attachUsbdev(domid: number, u: Record<string, any>): Promise<void> { return attachUsbdev(this, domid, u); }
  detachUsbdev(domid: number, ctrl: number, port: number): Promise<void> { return detachUsbdev(this, domid, ctrl, port); }
  listUsb(domid: number): Promise<UsbctrlInfo[]> { return listUsb(this, domid); }

  qemuMonitorCommand(domid: number, command: string): Promise<string> { return qemuMonitorCommand(this, domid, command); }
  vncInfo(domid: number, autopass: boolean): Promise<{ listen: string; port: number; password: string | null }> { return vncInfo(this, domid, autopass); }

  requestShutdown(domid: number, action: 'poweroff' | 'reboot' | 'suspend', timeoutNs?: bigint): Promise<void> { return requestShutdown(this, domid, action, timeoutNs); }
  sysrq(domid: number, key: string): Promise<void> { return sendSysrq(this, domid, key); }

  setParameters(params: string): void { setParameters(this, params); }
}
