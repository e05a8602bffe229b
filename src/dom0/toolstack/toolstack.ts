// The toolstack (the libxl equivalent in Dom0): builds, names, pauses, shuts down, restarts and
// destroys domains through the hypervisor model and xenstore, applies the on_poweroff/on_reboot/
// on_crash actions, and keeps the domain records the daemon persists. It reaches guests only
// through what the platform wires (rings), never their code.
import { randomUUID } from 'node:crypto';
import type { Hypervisor } from '../../hypervisor/hypervisor.ts';
import { HypervisorError } from '../../hypervisor/hypervisor.ts';
import { GNTTAB_RESERVED_CONSOLE, GNTTAB_RESERVED_XENSTORE, GTF_permit_access } from '../../hypervisor/grant-table.ts';
import { DEFAULT_MAX_EVTCHN_PORT } from '../../hypervisor/event-channel.ts';
import type { DomainType } from '../../hypervisor/domain.ts';
import { ShutdownReason } from '../../hypervisor/shutdown-reason.ts';
import type { XsClient } from '../../formats/xenstore-client.ts';
import { LibxlError, err } from './errors.ts';
import { removeDomainTree, writeDomainTree } from './xs-tree.ts';
import { checkNewDomainName, checkRename } from './names.ts';
import { inIdlOrder, DISK_ORDER } from '../../formats/libxl-json.ts';
import { NIC_ORDER } from '../../formats/vif-spec.ts';
import { B_INFO_ORDER } from '../../formats/domain-config/build.ts';
import { checkPvBootFiles } from './pv-kernel.ts';
import { addConsole, addVbd, addVif, diskDevid, removeDevice, backendPath, frontendPath } from './devices.ts';

export type ShutdownActionName = 'destroy' | 'restart' | 'preserve' | 'rename-restart' | 'coredump-destroy' | 'coredump-restart' | 'soft-reset';

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
  /** Wire and start the guest kernel of a new domain (xenstore ring, console page). */
  startGuest(rec: DomainRecord, alreadyBooted: boolean): Promise<void>;
  stopGuest(domid: number): void;
  /** Persist a domain (record + hypervisor state) in one transaction; done before replying. Throws a LibxlError if it cannot. */
  commit(domid: number): void;
  /** Persist Xen's host-wide settings (log thresholds, pool ratelimits); throws a LibxlError if it cannot. */
  commitXenSettings(): void;
  /** Record that a domain is gone; throws a LibxlError if it cannot. */
  forget(domid: number): void;
  event(kind: string, domid: number, name: string | null, detail?: string): void;
  log(line: string): void;
}

const DEFAULT_MEMKB = 32768;

function actionOf(config: Record<string, any>, key: 'on_poweroff' | 'on_reboot' | 'on_crash' | 'on_watchdog', dflt: ShutdownActionName): ShutdownActionName {
  const v = config[key];
  // libxl's JSON spells xl's rename-restart "restart_rename"; the others differ by '_' alone.
  return typeof v === 'string' ? (v === 'restart_rename' ? 'rename-restart' : v.replace(/_/g, '-') as ShutdownActionName) : dflt;
}

function cpumapToList(m: unknown): number[] | null {
  return Array.isArray(m) && m.every(x => typeof x === 'number') ? (m as number[]) : null;
}

export class Toolstack {
  readonly records = new Map<number, DomainRecord>();
  /** Names being created right now: checked with the live names so two creates cannot both win. */
  private reservedNames = new Set<string>();
  private waiters: { domid: number; until: 'gone' | 'shutdown'; resolve: () => void }[] = [];

  constructor(readonly hv: Hypervisor, readonly xs: XsClient, readonly platform: ToolstackPlatform, readonly dom0MemKb: number) {
    hv.onDomainException = domid => { this.onDomainException(domid).catch(e => platform.log(`d${domid}: ${e instanceof Error ? e.message : String(e)}`)); };
  }

  // ---- naming (find_domain) ------------------------------------------------------------------

  nameOf(domid: number): string | null {
    if (domid === 0) return 'Domain-0';
    return this.records.get(domid)?.name ?? null;
  }

  domidByName(name: string): number | undefined {
    if (name === 'Domain-0') return 0;
    for (const r of this.records.values()) if (r.name === name) return r.domid;
    return undefined;
  }

  /** xl's find_domain: digits (even none) are a domid taken unchecked; anything else is a name. */
  resolve(q: string): number {
    if (/^\d*$/.test(q)) return q === '' ? 0 : Number(q);
    const id = this.domidByName(q);
    if (id === undefined) throw err.invalidDomain(q);
    return id;
  }

  exists(domid: number): boolean { return this.hv.domains.has(domid); }

  // ---- create ---------------------------------------------------------------------------------

  async create(o: { config: Record<string, any>; workload?: string; configText: string; configFile: string; paused: boolean; restored?: boolean; cwd?: string }, restoreOf?: { domid?: number }): Promise<DomainRecord> {
    const config = structuredClone(o.config);
    const c = (config.c_info ??= {});
    config.b_info ??= {};
    const name: string = c.name;
    const type: DomainType = c.type ?? 'pv';
    const domid = restoreOf?.domid ?? this.hv.allocDomid();
    if (this.domidByName(name) !== undefined || this.reservedNames.has(name)) throw err.duplicateName(domid, name);
    checkNewDomainName(domid, name);
    this.reservedNames.add(name);
    try {
      return await this.build(domid, name, type, config, o);
    } finally { this.reservedNames.delete(name); }
  }

  private async build(domid: number, name: string, type: DomainType, config: Record<string, any>, o: { workload?: string; configText: string; configFile: string; paused: boolean; restored?: boolean; cwd?: string }): Promise<DomainRecord> {
    const c = config.c_info, b = config.b_info;
    c.uuid ??= randomUUID();
    const maxVcpus: number = b.max_vcpus ?? 1;
    const avail: number[] = Array.isArray(b.avail_vcpus) ? b.avail_vcpus : Array.from({ length: maxVcpus }, (_, i) => i);
    const staticMaxKb: number = b.max_memkb ?? DEFAULT_MEMKB;
    const targetKb: number = b.target_memkb ?? staticMaxKb;
    const videoKb: number = type === 'hvm' ? (b.video_memkb ?? 8192) : 0;
    b.video_memkb = videoKb;
    const sp = (b.sched_params ??= {});
    const weight: number = sp.weight ?? 256;
    const cap: number = sp.cap ?? 0;
    const poolName: string = c.pool_name ?? 'Pool-0';
    const pool = this.hv.pools.find(p => p.name === poolName);
    if (!pool) throw new LibxlError('EINVAL', `libxl: error: libxl_create.c:1294:initiate_domain_create: cpupool ${poolName} does not exist`, 3);
    const hardAll = Array.isArray(b.vcpu_hard_affinity) ? b.vcpu_hard_affinity : null;
    const softAll = Array.isArray(b.vcpu_soft_affinity) ? b.vcpu_soft_affinity : null;
    const affinity = Array.from({ length: maxVcpus }, (_, v) => ({
      hard: cpumapToList(hardAll?.[v]) ?? cpumapToList(b.cpumap), soft: cpumapToList(softAll?.[v]),
    }));
    this.fillDeviceDefaults(config, domid);
    config.b_info = inIdlOrder(b, B_INFO_ORDER);

    const d = this.hv.createDomain({
      type, uuid: c.uuid, maxVcpus, onlineVcpus: avail.length, maxMemkb: staticMaxKb + videoKb, memkb: targetKb,
      weight, cap, poolId: pool.id, affinity,
      maxGrantFrames: b.max_grant_frames, maxMaptrackFrames: b.max_maptrack_frames, maxEvtchnPort: b.event_channels ?? DEFAULT_MAX_EVTCHN_PORT,
    }, domid);
    this.hv.pause(domid); // domains are built paused; unpaused at the end unless -p
    try {
      // A restored guest's kernel is already in its memory; a built one is read from Dom0's disk.
      if (type === 'pv' && !o.restored) checkPvBootFiles(domid, { kernel: b.kernel, ramdisk: b.ramdisk, cwd: o.cwd });
      this.hv.allocate(d, Math.ceil((targetKb + videoKb) / 4));
    } catch (e) {
      this.hv.destroyDomain(domid);
      if (e instanceof HypervisorError && e.errno === 'ENOMEM') throw err.outOfMemory(domid);
      throw e;
    }
    this.hv.setVcpusOnline(domid, avail.length);
    const rec: DomainRecord = {
      domid, name, uuid: c.uuid, type, config, configText: o.configText, configFile: o.configFile, cwd: o.cwd,
      workload: o.workload ?? null, targetKb, staticMaxKb, videoKb,
    };
    this.records.set(domid, rec);
    try {
      const m = rec.magic = this.buildMagic(domid);
      await this.xs.introduce(domid, m.storePfn, m.storePort);
      await writeDomainTree(this.xs, {
        domid, name, uuid: c.uuid, type, maxVcpus, onlineVcpus: avail.length, staticMaxKb, targetKb, videoramKb: videoKb,
        startTime: this.startTime(), kernel: b.kernel, ramdisk: b.ramdisk, cmdline: b.cmdline, poolName, storePort: m.storePort, storeRingRef: m.storePfn,
      });
      await addConsole(this.xs, domid, { port: m.consolePort, ringRef: m.consolePfn });
      // A restored guest resumes where it was saved: it does not boot again.
      await this.platform.startGuest(rec, o.restored === true);
      for (const disk of config.disks ?? []) await addVbd(this.xs, this.hv.clock, domid, disk, o.cwd);
      for (const nic of config.nics ?? []) await addVif(this.xs, this.hv.clock, domid, nic);
    } catch (e) {
      await this.teardown(domid).catch(() => {});
      throw e;
    }
    if (!o.paused) this.hv.unpause(domid);
    // A restore commits once its memory is in (restoreDomain); a create commits here, and a
    // domain that cannot be recorded is destroyed: the create fails and leaves nothing.
    if (!o.restored) {
      try { this.platform.commit(domid); } catch (e) {
        await this.teardown(domid).catch(() => {});
        throw e;
      }
    }
    this.platform.event('create', domid, name);
    return rec;
  }

  /**
   * libxl__build_pre/post for the guest's xenstore and console: an unbound port of the guest for
   * Dom0 each, and the reserved grant entries giving Dom0 the two magic pages (xc_dom_gnttab_seed).
   */
  private buildMagic(domid: number): GuestMagic {
    const d = this.hv.get(domid);
    const storePfn = 0xfeffc + domid, consolePfn = storePfn - 1;
    d.grantTable.setEntry(GNTTAB_RESERVED_CONSOLE, { flags: GTF_permit_access, domid: 0, frame: consolePfn });
    d.grantTable.setEntry(GNTTAB_RESERVED_XENSTORE, { flags: GTF_permit_access, domid: 0, frame: storePfn });
    return { storePort: this.hv.evtchn.allocUnbound(domid, 0), storePfn, consolePort: this.hv.evtchn.allocUnbound(domid, 0), consolePfn };
  }

  /** What libxl fills into the stored config at creation: nic devids/MACs, disk backends (kept in IDL order). */
  private fillDeviceDefaults(config: Record<string, any>, domid: number): void {
    if (config.nics) config.nics = config.nics.map((n: any, i: number) => {
      n.devid ??= i;
      if (!n.mac) n.mac = `00:16:3e:${[domid >> 8 & 0x7f, domid & 0xff, i & 0xff].map(x => x.toString(16).padStart(2, '0')).join(':')}`;
      n.nictype ??= 'vif';
      return inIdlOrder(n, NIC_ORDER);
    });
    if (config.disks) config.disks = config.disks.map((dk: any) => {
      dk.backend ??= typeof dk.pdev_path === 'string' && dk.pdev_path.startsWith('/dev/') ? 'phy' : 'qdisk';
      return inIdlOrder(dk, DISK_ORDER);
    });
  }

  private startTime(): string {
    const ms = this.hv.clock.wallMs();
    return `${Math.floor(ms / 1000)}.${String(Math.floor((ms % 1000) / 10)).padStart(2, '0')}`;
  }

  /** Rebuild a domain's runtime parts after a daemon restart (its hypervisor state is restored by the caller). */
  async recover(rec: DomainRecord): Promise<void> {
    this.records.set(rec.domid, rec);
    const d = this.hv.get(rec.domid);
    const m = rec.magic = this.buildMagic(rec.domid);
    await this.xs.introduce(rec.domid, m.storePfn, m.storePort);
    await writeDomainTree(this.xs, {
      storePort: m.storePort, storeRingRef: m.storePfn,
      domid: rec.domid, name: rec.name, uuid: rec.uuid, type: rec.type, maxVcpus: d.maxVcpus, onlineVcpus: d.onlineVcpus,
      staticMaxKb: rec.staticMaxKb, targetKb: rec.targetKb, videoramKb: rec.videoKb, startTime: this.startTime(),
      kernel: rec.config.b_info?.kernel, ramdisk: rec.config.b_info?.ramdisk, cmdline: rec.config.b_info?.cmdline,
      poolName: rec.config.c_info?.pool_name ?? 'Pool-0',
    });
    await addConsole(this.xs, rec.domid, { port: m.consolePort, ringRef: m.consolePfn });
    if (d.shutdown) return;
    await this.platform.startGuest(rec, true);
    for (const disk of rec.config.disks ?? []) await addVbd(this.xs, this.hv.clock, rec.domid, disk, rec.cwd).catch(e => this.platform.log(`recover d${rec.domid}: ${e.message}`));
    for (const nic of rec.config.nics ?? []) await addVif(this.xs, this.hv.clock, rec.domid, nic).catch(e => this.platform.log(`recover d${rec.domid}: ${e.message}`));
  }

  // ---- destroy --------------------------------------------------------------------------------

  async destroy(domid: number): Promise<void> {
    if (!this.exists(domid)) throw err.destroyMissing(domid);
    const name = this.nameOf(domid);
    // Recorded first: a destroy that cannot be recorded fails and leaves the domain running,
    // rather than tearing down a domain that would come back at the next start.
    this.platform.forget(domid);
    await this.teardown(domid);
    this.platform.event('destroy', domid, name);
  }

  private async teardown(domid: number): Promise<void> {
    const rec = this.records.get(domid);
    this.platform.stopGuest(domid);
    if (this.hv.domains.has(domid)) this.hv.destroyDomain(domid);
    this.records.delete(domid);
    if (rec) await removeDomainTree(this.xs, domid, rec.uuid).catch(() => {});
    await this.xs.release(domid).catch(() => {});
    this.wake(domid);
  }

  // ---- pause, rename, memory, vcpus -----------------------------------------------------------

  /**
   * Commit a change already made in memory; if it cannot be recorded, undo it so the command
   * fails and changes nothing.
   */
  private commitOrUndo(domid: number, undo: () => void): void {
    try { this.platform.commit(domid); } catch (e) { undo(); throw e; }
  }

  /** Commit a hot-plugged device; if it cannot be recorded, unplug it again. */
  private async commitOrDetach(domid: number, unrecord: () => void, kind: 'vif' | 'vbd', devid: number): Promise<void> {
    try { this.platform.commit(domid); } catch (e) {
      unrecord();
      await removeDevice(this.xs, this.hv.clock, kind, domid, devid).catch(() => {});
      this.hv.rings.drop(domid, kind, devid);
      throw e;
    }
  }

  pause(domid: number): void {
    if (!this.exists(domid)) throw err.pauseMissing(domid, 'Pausing');
    // The toolstack runs in Domain-0, and Xen does not let a domain pause itself.
    if (domid === 0) throw err.pauseSelf(domid);
    this.hv.pause(domid);
    this.commitOrUndo(domid, () => this.hv.unpause(domid));
  }

  unpause(domid: number): void {
    if (!this.exists(domid)) throw err.pauseMissing(domid, 'Unpausing');
    const d = this.hv.get(domid), before = d.pauseCount;
    this.hv.unpause(domid);
    this.commitOrUndo(domid, () => { if (d.pauseCount < before) this.hv.pause(domid); });
  }

  async rename(domid: number, q: string, newName: string): Promise<void> {
    const rec = this.records.get(domid);
    if (!rec) throw domid === 0 ? new LibxlError('EPERM', `Can't rename domain '${q}'.`, 1) : err.noSuchDomain(q);
    const other = this.domidByName(newName);
    if (newName !== '' && other !== undefined && other !== domid) throw err.renameDup(domid, newName, q);
    checkRename(domid, rec.uuid, rec.name, newName, q);
    const { name: oldName, incoming } = rec;
    // An incoming migration's domain is complete once it takes its own name (the sender's go).
    rec.name = newName;
    rec.config.c_info.name = newName;
    rec.incoming = false;
    this.commitOrUndo(domid, () => { rec.name = oldName; rec.config.c_info.name = oldName; rec.incoming = incoming; });
    await this.xs.write(`/local/domain/${domid}/name`, newName);
    await this.xs.write(`/vm/${rec.uuid}/name`, newName);
  }

  async memSet(domid: number, targetKb: number): Promise<void> {
    if (domid === 0) {
      if (targetKb < 128 * 1024) throw new LibxlError('EINVAL', `libxl: error: libxl_mem.c:331:libxl_set_memory_target: New target ${targetKb} for dom0 is below the minimum threshold`, 1);
      this.hv.setMaxmem(0, -1);
      const d = this.hv.get(0);
      const diff = Math.floor(targetKb / 4) - d.totPages;
      if (diff > 0) this.hv.allocate(d, Math.min(diff, this.hv.freePages)); else this.hv.release(d, -diff);
      await this.xs.write('/local/domain/0/memory/target', String(targetKb));
      return;
    }
    const rec = this.records.get(domid);
    if (!rec) throw err.noSuchDomain(String(domid));
    if (targetKb > rec.staticMaxKb) throw new LibxlError('EINVAL', `libxl: error: libxl_mem.c:398:libxl_set_memory_target: memory_dynamic_max must be less than or equal to memory_static_max\n`, 1);
    const oldTargetKb = rec.targetKb, oldMaxKb = this.maxmemKb(domid);
    rec.targetKb = targetKb;
    this.hv.setMaxmem(domid, targetKb + rec.videoKb);
    // Recorded before the guest is told: a mem-set that is not acknowledged never reaches it.
    this.commitOrUndo(domid, () => { rec.targetKb = oldTargetKb; this.hv.setMaxmem(domid, oldMaxKb); });
    await this.xs.write(`/local/domain/${domid}/memory/target`, String(targetKb));
  }

  private maxmemKb(domid: number): number {
    const p = this.hv.get(domid).maxPages;
    return p < 0 ? -1 : p * 4;
  }

  async memMax(domid: number, maxKb: number): Promise<void> {
    const rec = this.records.get(domid);
    if (domid === 0 || !rec) { if (domid !== 0) throw err.noSuchDomain(String(domid)); this.hv.setMaxmem(0, maxKb); return; }
    if (maxKb < rec.targetKb) throw new LibxlError('EINVAL', `libxl: error: libxl_mem.c:87:libxl_domain_setmaxmem: memory_static_max must be greater than or or equal to memory_dynamic_max`, 1);
    const oldStaticMaxKb = rec.staticMaxKb, oldMaxKb = this.maxmemKb(domid);
    rec.staticMaxKb = maxKb;
    rec.config.b_info.max_memkb = maxKb;
    this.hv.setMaxmem(domid, maxKb + rec.videoKb);
    this.commitOrUndo(domid, () => { rec.staticMaxKb = rec.config.b_info.max_memkb = oldStaticMaxKb; this.hv.setMaxmem(domid, oldMaxKb); });
    await this.xs.write(`/local/domain/${domid}/memory/static-max`, String(maxKb));
  }

  async vcpuSet(domid: number, count: number): Promise<void> {
    const d = this.hv.get(domid);
    const n = Math.min(count, d.maxVcpus);
    const rec = this.records.get(domid);
    const before = d.onlineVcpus, beforeAvail = rec?.config.b_info.avail_vcpus;
    this.hv.setVcpusOnline(domid, n);
    if (domid !== 0 && rec) {
      rec.config.b_info.avail_vcpus = Array.from({ length: n }, (_, i) => i);
      this.commitOrUndo(domid, () => { this.hv.setVcpusOnline(domid, before); rec.config.b_info.avail_vcpus = beforeAvail; });
      await this.xs.transaction(async tx => {
        for (let i = 0; i < d.maxVcpus; i++) await this.xs.write(`/local/domain/${domid}/cpu/${i}/availability`, i < n ? 'online' : 'offline', tx);
      });
    }
  }

  // ---- device hot-plug ------------------------------------------------------------------------

  async attachNic(domid: number, nic: Record<string, any>): Promise<void> {
    const rec = this.records.get(domid);
    if (!rec) throw new LibxlError('ENODOM', 'libxl_device_nic_add failed.', 1);
    const nics: any[] = (rec.config.nics ??= []);
    nic.devid ??= nics.reduce((m, n) => Math.max(m, n.devid + 1), 0);
    const holder: Record<string, any> = { nics: [nic] };
    this.fillDeviceDefaults(holder, domid + nics.length);
    await addVif(this.xs, this.hv.clock, domid, holder.nics[0]);
    nics.push(holder.nics[0]);
    await this.commitOrDetach(domid, () => nics.pop(), 'vif', holder.nics[0].devid);
  }

  async detachNic(domid: number, q: string): Promise<void> {
    const rec = this.records.get(domid);
    const nics: any[] = rec?.config.nics ?? [];
    const nic = nics.find(n => String(n.devid) === q || n.mac === q.toLowerCase());
    if (!nic) throw new LibxlError('ENODEV', `Unknown device ${q}.`, 1);
    rec!.config.nics = nics.filter(n => n !== nic);
    this.commitOrUndo(domid, () => { rec!.config.nics = nics; });
    await removeDevice(this.xs, this.hv.clock, 'vif', domid, nic.devid);
    this.hv.rings.drop(domid, 'vif', nic.devid);
  }

  async attachDisk(domid: number, disk: Record<string, any>, cwd?: string): Promise<void> {
    const rec = this.records.get(domid);
    if (!rec) throw new LibxlError('ENODOM', 'libxl_device_disk_add failed.', 1);
    const disks: any[] = (rec.config.disks ??= []);
    if (disks.some(dk => dk.vdev === disk.vdev)) throw new LibxlError('EEXIST', `libxl: error: libxl_device.c:331:libxl__device_disk_set_backend: Disk vdev=${disk.vdev} already exists
libxl_device_disk_add failed.`, 1);
    const holder: Record<string, any> = { disks: [disk] };
    this.fillDeviceDefaults(holder, domid);
    await addVbd(this.xs, this.hv.clock, domid, holder.disks[0], cwd ?? rec.cwd);
    disks.push(holder.disks[0]);
    await this.commitOrDetach(domid, () => disks.pop(), 'vbd', diskDevid(holder.disks[0]));
  }

  async detachDisk(domid: number, q: string): Promise<void> {
    const rec = this.records.get(domid);
    const disks: any[] = rec?.config.disks ?? [];
    const disk = disks.find(dk => dk.vdev === q || String(diskDevid(dk)) === q);
    if (!disk) throw new LibxlError('ENODEV', `Error: Device ${q} not connected.`, 1);
    const devid = diskDevid(disk);
    rec!.config.disks = disks.filter(dk => dk !== disk);
    this.commitOrUndo(domid, () => { rec!.config.disks = disks; });
    await removeDevice(this.xs, this.hv.clock, 'vbd', domid, devid);
    this.hv.rings.drop(domid, 'vbd', devid);
  }

  /** What libxl_device_{nic,disk}_getinfo read from xenstore (-1 where a key is missing). */
  async deviceInfo(domid: number, kind: 'vif' | 'vbd'): Promise<Record<string, number | string>[]> {
    const rec = this.records.get(domid);
    const ids = kind === 'vif' ? (rec?.config.nics ?? []).map((n: any) => n.devid as number) : (rec?.config.disks ?? []).map((dk: any) => diskDevid(dk));
    const num = async (p: string) => { try { const v = await this.xs.read(p); return v === '' ? -1 : Number(v); } catch { return -1; } };
    const out: Record<string, number | string>[] = [];
    for (const devid of ids) {
      const fe = frontendPath(kind, domid, devid), be = backendPath(kind, domid, devid);
      if (kind === 'vif') {
        const mac = await this.xs.read(`${fe}/mac`).catch(() => '00:00:00:00:00:00');
        out.push({ devid, backendId: 0, mac, state: await num(`${fe}/state`), evtchn: await num(`${fe}/event-channel`), txRef: await num(`${fe}/tx-ring-ref`), rxRef: await num(`${fe}/rx-ring-ref`), bePath: be });
      } else {
        out.push({ devid, backendId: 0, frontendId: domid, state: await num(`${fe}/state`), evtchn: await num(`${fe}/event-channel`), ringRef: await num(`${fe}/ring-ref`), bePath: be });
      }
    }
    return out;
  }

  // ---- shutdown, reboot and the actions after a domain shuts down ------------------------------

  /** libxl__domain_pvcontrol: write the request and wait for the guest's acknowledgement. */
  async requestShutdown(domid: number, action: 'poweroff' | 'reboot' | 'suspend', timeoutNs = 60_000_000_000n): Promise<void> {
    const rec = this.records.get(domid);
    const path = `/local/domain/${domid}/control/shutdown`;
    if (rec?.type === 'hvm') {
      const feat = await this.xs.read(`/local/domain/${domid}/control/feature-${action === 'suspend' ? 'suspend' : action}`).catch(() => '');
      if (feat !== '1') throw err.noParavirt(action === 'reboot' ? 'reboot' : 'shutdown');
    }
    await this.xs.write(path, action);
    const token = `pvcontrol-${domid}-${Math.random().toString(36).slice(2)}`;
    await new Promise<void>((resolve, reject) => {
      let done = false;
      const finish = (e?: Error) => {
        if (done) return; done = true;
        this.hv.clock.cancel(timer); off();
        void this.xs.unwatch(path, token).catch(() => {});
        e ? reject(e) : resolve();
      };
      const check = async () => {
        let v: string | null;
        try { v = await this.xs.read(path); } catch { v = null; }
        if (v === null || v === '' || (action === 'suspend' && v !== 'suspend')) finish();
      };
      const off = this.xs.onWatchEvent((p, t) => { if (t === token) void check(); });
      const timer = this.hv.clock.after(timeoutNs, () => {
        void this.xs.write(path, '').catch(() => {});
        finish(err.shutdownNoAck(action === 'reboot' ? 'reboot' : action === 'suspend' ? 'suspend' : 'shutdown'));
      });
      void this.xs.watch(path, token).catch(e => finish(e));
    });
  }

  /** VIRQ_DOM_EXC: a domain shut down (or crashed); apply its configured action. */
  private async onDomainException(domid: number): Promise<void> {
    const d = this.hv.domains.get(domid);
    const rec = this.records.get(domid);
    if (!d || !rec || !d.shutdown) return;
    // The guest's own doing: applied even if it cannot be recorded (a suspend left unrecorded
    // only means a later start resumes the guest, which is what it would be anyway).
    try { this.platform.commit(domid); } catch (e) { this.platform.log(`d${domid}: ${e instanceof Error ? e.message : String(e)}`); }
    this.platform.event('shutdown', domid, rec.name, `reason ${d.shutdownReason}`);
    this.wake(domid, 'shutdown');
    const reason = d.shutdownReason;
    if (reason === ShutdownReason.suspend) return; // the saver handles it
    const action = reason === ShutdownReason.poweroff ? actionOf(rec.config, 'on_poweroff', 'destroy')
      : reason === ShutdownReason.reboot ? actionOf(rec.config, 'on_reboot', 'restart')
      : reason === ShutdownReason.watchdog ? actionOf(rec.config, 'on_watchdog', 'destroy')
      : actionOf(rec.config, 'on_crash', 'destroy');
    this.platform.log(`Domain ${domid} has shut down, reason code ${reason} 0x${reason.toString(16)}`);
    this.platform.log(`Action for shutdown reason code ${reason} is ${action}`);
    // What xl's monitor (create -F) reports and then waits to see done.
    this.platform.event('action', domid, rec.name, action);
    if (action === 'preserve') return;
    if (action === 'destroy' || action === 'coredump-destroy') { await this.destroy(domid); return; }
    // restart / rename-restart / coredump-restart / soft-reset: a new domain from the stored config
    const keep = action === 'rename-restart';
    if (keep) {
      const stamp = new Date(this.hv.clock.wallMs()).toISOString().replace(/[-:]/g, '').slice(0, 13) + 'Z';
      // xl's preserve_domain: when the rename fails the old domain stays as it is, and no new one starts.
      try { await this.rename(domid, rec.name, `${rec.name}-${stamp}`); } catch (e: any) {
        this.platform.log(e.message);
        this.platform.event('preserve-failed', domid, rec.name, e.message);
        return;
      }
    } else await this.destroy(domid);
    const cfg = structuredClone(rec.config);
    delete cfg.c_info.uuid;
    if (keep) cfg.c_info.name = rec.name.replace(/-\d{8}T\d{4}Z$/, '');
    try {
      const nrec = await this.create({ config: cfg, workload: rec.workload ?? undefined, configText: rec.configText, configFile: rec.configFile, paused: false, cwd: rec.cwd });
      this.platform.event('reboot', nrec.domid, nrec.name, `from domid ${domid}`);
    } catch (e: any) {
      this.platform.log(`failed to restart ${rec.name}: ${e.message}`);
      this.platform.event('restart-failed', domid, rec.name, e.message);
    }
  }

  /** Resolves when the domain is gone (or has shut down, for `until: 'shutdown'`). */
  waitFor(domid: number, until: 'gone' | 'shutdown'): Promise<void> {
    const d = this.hv.domains.get(domid);
    if (!d || (until === 'shutdown' && d.shutdown)) return Promise.resolve();
    return new Promise(resolve => this.waiters.push({ domid, until, resolve }));
  }

  private wake(domid: number, reached: 'gone' | 'shutdown' = 'gone'): void {
    this.waiters = this.waiters.filter(w => {
      if (w.domid === domid && (reached === 'gone' || w.until === 'shutdown')) { w.resolve(); return false; }
      return true;
    });
  }
}
