// libvirt's libxl driver over xenlab's toolstack: the domains it reports (every running domain,
// Domain-0 too, and the persistent configs defined but not running), their state as libvirt
// names it, the persistent configs (libvirt keeps them in /etc/libvirt/libxl; ours live in
// XENLAB_HOME/libvirt/libxl/NAME.xml), and the lifecycle events it emits.
import { closeSync, createReadStream, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { nameAsFileName } from '../state-files.ts';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { formatDomainXml, parseDomainXml, DomainXmlError, type DomainDef } from '../../formats/libvirt/domain-def.ts';
import { domainDefToXl, xlToDomainDef } from '../../formats/libvirt/xen-xl.ts';
import { VIR_ERR, VIR_FROM, VirError } from '../../formats/libvirt/errors.ts';
import type { DomainRef } from '../../formats/libvirt/remote-types.ts';
import type { LibxlAdapter, LiveDomain } from './libxl-adapter.ts';
import type { RestoreInput } from '../toolstack/restore.ts';
import { readableInput } from './stream-input.ts';
import { ShutdownReason } from '../../hypervisor/shutdown-reason.ts';
import { decodeSaveHeader, encodeSaveHeader, SAVE_HEADER_SIZE } from '../../formats/libvirt/save-header.ts';

/** virDomainState. */
export const enum DomainState { NOSTATE = 0, RUNNING = 1, BLOCKED = 2, PAUSED = 3, SHUTDOWN = 4, SHUTOFF = 5, CRASHED = 6 }

/** virDomainEventType and the details our driver reports. */
export const LifecycleEvent = {
  DEFINED: 0, UNDEFINED: 1, STARTED: 2, SUSPENDED: 3, RESUMED: 4, STOPPED: 5, SHUTDOWN: 6,
} as const;
export const Detail = {
  DEFINED_ADDED: 0, DEFINED_UPDATED: 1, UNDEFINED_REMOVED: 0, STARTED_BOOTED: 0, SUSPENDED_PAUSED: 0, RESUMED_UNPAUSED: 0,
  STARTED_MIGRATED: 1, STARTED_RESTORED: 2, STOPPED_MIGRATED: 3, STOPPED_SHUTDOWN: 0, STOPPED_DESTROYED: 1, STOPPED_CRASHED: 2, STOPPED_SAVED: 4, SHUTDOWN_FINISHED: 0,
} as const;

export interface DomainObj extends DomainRef { persistent: boolean; live?: LiveDomain; def?: DomainDef }

export type LifecycleListener = (dom: DomainRef, event: number, detail: number) => void;

function noDomain(detail: string): VirError { return new VirError(VIR_ERR.NO_DOMAIN, VIR_FROM.LIBXL, detail); }

export class LibxlDriver {
  private readonly listeners = new Set<LifecycleListener>();
  /** Why a domain will stop (it shut down, crashed or was saved): its destroy then reads so, not as a destroy. */
  private readonly stopDetail = new Map<number, number>();
  /** Names being restored or migrated in: their start reads so. */
  private readonly restoring = new Map<string, number>();
  /** Each running domain's UUID, which a destroyed domain no longer shows. */
  private readonly uuids = new Map<number, string>();

  constructor(readonly xen: LibxlAdapter, private readonly configDir: string) {
    mkdirSync(configDir, { recursive: true, mode: 0o700 });
    for (const id of xen.domids()) { const l = xen.domain(id); if (l) this.uuids.set(id, l.uuid); }
    xen.onEvent(e => this.toolstackEvent(e.kind, e.domid, e.name));
  }

  // ---- the persistent configs ---------------------------------------------------------------

  private defined(): DomainDef[] {
    const out: DomainDef[] = [];
    for (const f of readdirSync(this.configDir)) {
      if (!f.endsWith('.xml')) continue;
      try { out.push(parseDomainXml(readFileSync(join(this.configDir, f), 'utf8'))); } catch { /* a broken file is skipped, as libvirtd does */ }
    }
    return out;
  }

  private saveDef(def: DomainDef): void {
    const file = join(this.configDir, `${nameAsFileName(def.name)}.xml`);
    writeFileSync(`${file}.new`, formatDomainXml({ ...def, id: undefined }), { mode: 0o600 });
    renameSync(`${file}.new`, file);
  }

  // ---- domains ---------------------------------------------------------------------------------

  list(): DomainObj[] {
    const out: DomainObj[] = [];
    const defs = this.defined();
    const byUuid = new Map(defs.map(d => [d.uuid, d]));
    for (const domid of this.xen.domids()) {
      const live = this.xen.domain(domid);
      if (!live) continue;
      const def = byUuid.get(live.uuid);
      byUuid.delete(live.uuid);
      out.push({ name: live.name, uuid: live.uuid, id: live.domid, persistent: !!def, live, def });
    }
    for (const def of byUuid.values()) out.push({ name: def.name, uuid: def.uuid, id: -1, persistent: true, def });
    return out;
  }

  private find(match: (d: DomainObj) => boolean, detail: string): DomainObj {
    const d = this.list().find(match);
    if (!d) throw noDomain(detail);
    return d;
  }

  byName(name: string): DomainObj { return this.find(x => x.name === name, `no domain with matching name '${name}'`); }
  byId(id: number): DomainObj { return this.find(x => x.id === id && id >= 0, `no domain with matching id ${id}`); }
  byUuid(uuid: string): DomainObj { return this.find(x => x.uuid === uuid, `no domain with matching uuid '${uuid}'`); }

  /** libxlDomObjFromDomain: the client's reference, found again by UUID. */
  get(ref: DomainRef): DomainObj { return this.find(x => x.uuid === ref.uuid, `no domain with matching uuid '${ref.uuid}' (${ref.name})`); }

  /** The same, and the domain must run (virDomainObjCheckActive). */
  running(ref: DomainRef): DomainObj & { live: LiveDomain } {
    const d = this.get(ref);
    if (!d.live) throw new VirError(VIR_ERR.OPERATION_INVALID, VIR_FROM.LIBXL, 'domain is not running');
    return d as DomainObj & { live: LiveDomain };
  }

  state(d: DomainObj): { state: DomainState; reason: number } {
    const s = d.live?.state;
    switch (s) {
      case undefined: return { state: DomainState.SHUTOFF, reason: 0 };
      case 'paused': return { state: DomainState.PAUSED, reason: 1 };
      case 'shutdown': return { state: DomainState.SHUTDOWN, reason: 1 };
      case 'crashed': return { state: DomainState.CRASHED, reason: 0 };
      default: return { state: DomainState.RUNNING, reason: 1 };
    }
  }

  /** The domain's definition: the persistent one when not running, else the running config. */
  def(d: DomainObj, inactive = false): DomainDef {
    if (!d.live || (inactive && d.def)) return d.def!;
    const live = d.live;
    const base: DomainDef = live.domid === 0 ? dom0Def(live) : (d.def ?? xlToDomainDef(live.configText, `${live.name}.cfg`));
    return {
      ...base, id: live.domid, name: live.name, uuid: live.uuid,
      memoryKb: live.maxMemKb, currentMemoryKb: live.curMemKb, vcpus: live.maxVcpus, currentVcpus: live.onlineVcpus,
      interfaces: base.interfaces.map((n, i) => ({ ...n, mac: live.macs[i] ?? n.mac, targetDev: `vif${live.domid}.${i}` })),
    };
  }

  xml(d: DomainObj, inactive = false): string { return formatDomainXml(this.def(d, inactive)); }

  // ---- define, start, stop ---------------------------------------------------------------------

  parse(xml: string): DomainDef {
    try { return parseDomainXml(xml); } catch (e) {
      if (e instanceof DomainXmlError) {
        throw e.kind === 'xml' ? new VirError(VIR_ERR.XML_ERROR, VIR_FROM.DOMAIN, e.message) : new VirError(VIR_ERR.CONFIG_UNSUPPORTED, VIR_FROM.LIBXL, e.message.replace(/^unsupported configuration: /, ''));
      }
      throw e;
    }
  }

  define(xml: string): DomainObj {
    const def = this.parse(xml);
    const all = this.list();
    const same = all.find(x => x.name === def.name);
    if (!def.uuid) def.uuid = same?.uuid ?? randomUUID();
    if (same && same.uuid !== def.uuid) {
      throw new VirError(VIR_ERR.OPERATION_FAILED, VIR_FROM.DOMAIN, `domain '${def.name}' already exists with uuid ${same.uuid}`);
    }
    const other = all.find(x => x.uuid === def.uuid && x.name !== def.name);
    if (other) throw new VirError(VIR_ERR.OPERATION_FAILED, VIR_FROM.DOMAIN, `domain '${other.name}' is already defined with uuid ${def.uuid}`);
    const updated = !!same?.persistent;
    this.saveDef(def);
    const ref = { name: def.name, uuid: def.uuid, id: same?.id ?? -1 };
    this.emit(ref, LifecycleEvent.DEFINED, updated ? Detail.DEFINED_UPDATED : Detail.DEFINED_ADDED);
    return this.get(ref);
  }

  undefine(ref: DomainRef): void {
    const d = this.get(ref);
    if (!d.persistent) throw new VirError(VIR_ERR.OPERATION_INVALID, VIR_FROM.LIBXL, 'cannot undefine transient domain');
    rmSync(join(this.configDir, `${nameAsFileName(d.def!.name)}.xml`), { force: true });
    this.emit(d, LifecycleEvent.UNDEFINED, Detail.UNDEFINED_REMOVED);
  }

  async start(ref: DomainRef, paused = false): Promise<DomainObj> {
    const d = this.get(ref);
    if (d.live) throw new VirError(VIR_ERR.OPERATION_INVALID, VIR_FROM.LIBXL, 'Domain is already running');
    return this.build(d.def!, paused);
  }

  async createXml(xml: string, paused: boolean): Promise<DomainObj> {
    const def = this.parse(xml);
    if (!def.uuid) def.uuid = randomUUID();
    const clash = this.list().find(x => x.name === def.name || x.uuid === def.uuid);
    if (clash?.live) throw new VirError(VIR_ERR.OPERATION_FAILED, VIR_FROM.DOMAIN, `domain '${clash.name}' is already active`);
    if (clash && clash.uuid !== def.uuid) throw new VirError(VIR_ERR.OPERATION_FAILED, VIR_FROM.DOMAIN, `domain '${clash.name}' already exists with uuid ${clash.uuid}`);
    return this.build(def, paused);
  }

  private async build(def: DomainDef, paused: boolean): Promise<DomainObj> {
    let domid: number;
    try { domid = await this.xen.create(domainDefToXl(def), `${def.name}.xml`, paused); } catch (e) {
      throw new VirError(VIR_ERR.INTERNAL_ERROR, VIR_FROM.LIBXL, `libxenlight failed to create new domain '${def.name}'${e instanceof Error && e.message ? `: ${e.message.split('\n')[0]}` : ''}`);
    }
    if (paused) this.emit({ name: def.name, uuid: def.uuid, id: domid }, LifecycleEvent.SUSPENDED, Detail.SUSPENDED_PAUSED);
    return this.byId(domid);
  }

  async destroy(ref: DomainRef): Promise<void> {
    const d = this.running(ref);
    if (d.id === 0) throw new VirError(VIR_ERR.OPERATION_INVALID, VIR_FROM.LIBXL, 'Domain-0 cannot be destroyed');
    await this.xen.destroy(d.id).catch(e => { throw failed(`Failed to destroy domain '${d.id}'`, e); });
  }

  async shutdown(ref: DomainRef, action: 'poweroff' | 'reboot'): Promise<void> {
    const d = this.running(ref);
    await this.xen.shutdown(d.id, action).catch(e => {
      throw failed(`Failed to ${action === 'reboot' ? 'reboot' : 'shutdown'} domain '${d.id}' with libxenlight`, e);
    });
  }

  suspend(ref: DomainRef): void {
    const d = this.running(ref);
    if (d.live.state !== 'paused') {
      try { this.xen.pause(d.id); } catch (e) { throw failed(`Failed to suspend domain '${d.id}' with libxenlight`, e); }
      this.emit(d, LifecycleEvent.SUSPENDED, Detail.SUSPENDED_PAUSED);
    }
  }

  resume(ref: DomainRef): void {
    const d = this.running(ref);
    if (d.live.state === 'paused') {
      try { this.xen.unpause(d.id); } catch (e) { throw failed(`Failed to resume domain '${d.id}' with libxenlight`, e); }
      this.emit(d, LifecycleEvent.RESUMED, Detail.RESUMED_UNPAUSED);
    }
  }

  // ---- save and restore -----------------------------------------------------------------------

  /** virDomainSave: libvirt's header and the domain XML, the libxl stream, then the domain is gone. */
  async save(ref: DomainRef, path: string): Promise<void> {
    const d = this.running(ref);
    let fd: number;
    try { fd = openSync(path, 'w', 0o600); } catch (e) { throw new VirError(VIR_ERR.OPERATION_FAILED, VIR_FROM.LIBXL, `Failed to create domain save file '${path}': ${(e as Error).message}`); }
    try {
      writeSync(fd, encodeSaveHeader(this.xml(d)));
      this.stopDetail.set(d.id, Detail.STOPPED_SAVED);
      await this.xen.save(d.id, { write: async b => { writeSync(fd, b); } }, false).catch(e => {
        this.stopDetail.delete(d.id);
        throw failed(`Failed to save domain '${d.id}' with libxenlight`, e);
      });
      await this.xen.destroy(d.id);
    } finally { closeSync(fd); }
  }

  /** virDomainRestore: the XML from the header, then the domain rebuilt from the stream. */
  async restore(path: string, paused = false): Promise<DomainObj> {
    const head = this.saveImage(path);
    const def = this.parse(head.xml);
    const streamAt = head.streamAt;
    return this.restoreFrom(def, readableInput(() => createReadStream(path, { start: streamAt })), paused, Detail.STARTED_RESTORED);
  }

  private saveImage(path: string): { xml: string; streamAt: number } {
    let fd: number;
    try { fd = openSync(path, 'r'); } catch (e) { throw new VirError(VIR_ERR.OPERATION_FAILED, VIR_FROM.LIBXL, `cannot read domain image: ${(e as Error).message}`); }
    let head: ReturnType<typeof decodeSaveHeader>;
    try {
      const fixed = Buffer.alloc(SAVE_HEADER_SIZE);
      readSync(fd, fixed, 0, fixed.length, 0);
      const xmlLen = fixed.length === SAVE_HEADER_SIZE ? fixed.readUInt32LE(20) : 0;
      const whole = Buffer.alloc(SAVE_HEADER_SIZE + Math.min(xmlLen, 16 << 20));
      readSync(fd, whole, 0, whole.length, 0);
      head = decodeSaveHeader(whole);
    } finally { closeSync(fd); }
    if ('error' in head) throw new VirError(VIR_ERR.INVALID_ARG, VIR_FROM.LIBXL, head.error);
    return head;
  }

  /** Build a domain from a libxl stream (a save image, an incoming migration). */
  async restoreFrom(def: DomainDef, input: RestoreInput, paused: boolean, detail: number): Promise<DomainObj> {
    if (this.list().some(x => x.live && (x.uuid === def.uuid || x.name === def.name))) {
      throw new VirError(VIR_ERR.OPERATION_INVALID, VIR_FROM.DOMAIN, `domain '${def.name}' is already active`);
    }
    this.restoring.set(def.name, detail);
    try {
      const domid = await this.xen.restore(domainDefToXl(def), `${def.name}.xml`, input, paused);
      return this.byId(domid);
    } catch (e) {
      throw failed(`Failed to restore domain '${def.name}'`, e);
    } finally { this.restoring.delete(def.name); }
  }

  /** The source's side of a migration once the stream is through: the domain leaves this host. */
  async migratedAway(d: DomainObj & { live: LiveDomain }): Promise<void> {
    this.stopDetail.set(d.id, Detail.STOPPED_MIGRATED);
    await this.xen.destroy(d.id);
  }

  // ---- events ----------------------------------------------------------------------------------

  onLifecycle(l: LifecycleListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private emit(dom: DomainRef, event: number, detail: number): void {
    const ref = { name: dom.name, uuid: dom.uuid, id: dom.id };
    for (const l of this.listeners) l(ref, event, detail);
  }

  /** What the toolstack did, whoever asked (xl or libvirt), as libvirt's lifecycle events. */
  private toolstackEvent(kind: string, domid: number, name: string | null): void {
    const live = this.xen.domain(domid);
    if (kind === 'create' && live) {
      this.uuids.set(domid, live.uuid);
      this.emit({ name: live.name, uuid: live.uuid, id: domid }, LifecycleEvent.STARTED, this.restoring.get(live.name) ?? Detail.STARTED_BOOTED);
    } else if (kind === 'shutdown' && live && live.shutdownReason !== null && live.shutdownReason !== ShutdownReason.suspend) {
      const crashed = live.shutdownReason === ShutdownReason.crash || live.shutdownReason === ShutdownReason.watchdog;
      this.stopDetail.set(domid, crashed ? Detail.STOPPED_CRASHED : Detail.STOPPED_SHUTDOWN);
      this.emit({ name: live.name, uuid: live.uuid, id: domid }, LifecycleEvent.SHUTDOWN, Detail.SHUTDOWN_FINISHED);
    } else if (kind === 'destroy') {
      const detail = this.stopDetail.get(domid) ?? Detail.STOPPED_DESTROYED;
      const uuid = this.uuids.get(domid);
      this.stopDetail.delete(domid);
      this.uuids.delete(domid);
      if (uuid) this.emit({ name: name ?? '', uuid, id: -1 }, LifecycleEvent.STOPPED, detail);
    }
  }
}

function failed(what: string, e: unknown): VirError {
  const why = e instanceof Error ? e.message.split('\n').pop() : '';
  return new VirError(VIR_ERR.INTERNAL_ERROR, VIR_FROM.LIBXL, why ? `${what}: ${why}` : what);
}

/** Domain-0 as the libxl driver shows it: a PV domain with no config of its own. */
function dom0Def(live: LiveDomain): DomainDef {
  return {
    name: 'Domain-0', uuid: live.uuid, memoryKb: live.maxMemKb, currentMemoryKb: live.curMemKb, vcpus: live.maxVcpus, currentVcpus: live.onlineVcpus,
    osType: 'linux', arch: 'x86_64', machine: 'xenpv', boot: [], features: [], clock: { offset: 'utc', adjustment: 'reset' },
    onPoweroff: 'destroy', onReboot: 'restart', onCrash: 'destroy', disks: [], interfaces: [], graphics: [], serialPty: false,
  };
}
