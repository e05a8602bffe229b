// The one place where the libvirt endpoint calls the toolstack (libvirt's libxl driver calls
// libxl): it reads domains and the host, starts guests from xl.cfg text, and asks for the
// lifecycle operations. Everything above it speaks libvirt; everything below is xenlab's Dom0.
import type { Hypervisor } from '../../hypervisor/hypervisor.ts';
import type { Machine } from '../../machine/host.ts';
import type { Toolstack } from '../toolstack/toolstack.ts';
import { ShutdownReason } from '../../hypervisor/shutdown-reason.ts';
import { configFromText } from '../../formats/domain-config/from-text.ts';
import { resumeDomain, saveDomain, type SaveSink } from '../toolstack/save.ts';
import { restoreDomain, type RestoreInput } from '../toolstack/restore.ts';

export interface VifCounters { id: number; rxBytes: number; rxPackets: number; rxErrors: number; rxDrops: number; txBytes: number; txPackets: number; txErrors: number; txDrops: number }
export interface VbdCounters { dev: number; rdReqs: number; wrReqs: number; rdSects: number; wrSects: number; ooReqs: number }

export interface ToolstackEvent { kind: string; domid: number; name: string | null; detail?: string }

/** What the daemon hands the endpoint: its Dom0 parts, as they are. */
export interface XenHost {
  readonly hv: Hypervisor;
  readonly machine: Machine;
  readonly toolstack: Toolstack;
  readonly netData: { stats(domid: number): VifCounters[] };
  readonly blkData: { stats(domid: number): VbdCounters[] };
  readonly xenconsoled: { attach(domid: number, kind: 'pv', onData: (d: string) => void): { history: string; input: (d: string) => void; detach: () => void } | undefined };
  onEvent(cb: (e: ToolstackEvent) => void): () => void;
}

export type RunState = 'running' | 'blocked' | 'paused' | 'shutdown' | 'crashed';

/** A running domain as libvirt's driver reads it from libxl_domain_info and the stored config. */
export interface LiveDomain {
  domid: number; name: string; uuid: string; type: 'pv' | 'pvh' | 'hvm';
  state: RunState; shutdownReason: number | null;
  maxMemKb: number; curMemKb: number; maxVcpus: number; onlineVcpus: number; cpuNs: bigint;
  /** The xl.cfg text the domain was created from (none for Domain-0). */
  configText: string;
  affinity: (number[] | null)[];
  /** The MACs the toolstack gave the domain's vifs, in devid order. */
  macs: (string | undefined)[];
}

export class LibxlAdapter {
  constructor(private readonly host: XenHost) {}

  get nrCpus(): number { return this.host.machine.spec.nrCpus; }

  /** libxl_get_scheduler: the host's scheduler (Xen's sched=, Pool-0's), not the domain's pool's. */
  scheduler(): string { return this.host.hv.sched.get(0)!.sched.name; }

  /** libxl_domain_sched_params_get's weight and cap. */
  schedParams(domid: number): { weight: number; cap: number } {
    const d = this.host.hv.get(domid);
    return { weight: d.weight, cap: d.cap };
  }

  node() {
    const m = this.host.machine;
    return {
      hostname: m.spec.hostname, cpus: m.spec.nrCpus, mhz: Math.floor(m.spec.cpuKhz / 1000), nodes: m.nrNodes,
      cores: m.coresPerSocket, threads: m.threadsPerCore, totalKb: m.totalPages * 4, freeKb: this.host.hv.freePages * 4,
    };
  }

  domids(): number[] { return [...this.host.hv.domains.keys()].sort((a, b) => a - b); }

  domain(domid: number): LiveDomain | undefined {
    const d = this.host.hv.domains.get(domid);
    if (!d || d.dying) return undefined;
    const rec = this.host.toolstack.records.get(domid);
    if (domid !== 0 && (!rec || rec.incoming)) return undefined;
    const crashed = d.shutdown && (d.shutdownReason === ShutdownReason.crash || d.shutdownReason === ShutdownReason.watchdog);
    const state: RunState = crashed ? 'crashed' : d.shutdown ? 'shutdown' : d.paused ? 'paused' : 'running';
    return {
      domid, name: this.host.toolstack.nameOf(domid) ?? '', uuid: d.uuid, type: d.type as LiveDomain['type'],
      state, shutdownReason: d.shutdown ? d.shutdownReason : null,
      maxMemKb: domid === 0 || !rec ? d.totPages * 4 : rec.staticMaxKb, curMemKb: d.totPages * 4,
      maxVcpus: d.maxVcpus, onlineVcpus: d.onlineVcpus, cpuNs: this.host.hv.cpuTimeNs(domid),
      configText: rec?.configText ?? '', affinity: d.affinity.map(a => a.hard),
      macs: ((rec?.config.nics ?? []) as { mac?: string }[]).map(n => n.mac),
    };
  }

  /** Parse xl.cfg text as xl create does and build the domain. Throws the messages xl would print. */
  async create(configText: string, filename: string, paused: boolean): Promise<number> {
    const built = this.build(configText, filename);
    const rec = await this.host.toolstack.create({ config: built.config, workload: built.extras.workload, configText, configFile: filename, paused });
    return rec.domid;
  }

  private build(configText: string, filename: string) {
    const built = configFromText(configText, [], { filename });
    if (!built.ok) throw new Error(built.messages.join('\n'));
    return { config: built.config as Record<string, unknown>, extras: built.extras };
  }

  /**
   * libxl_domain_suspend into `sink` (live: pre-copy rounds first, as a migration does). The
   * stream goes at full speed, unpaced by the virtual clock. The domain stays, suspended.
   */
  async save(domid: number, sink: SaveSink, live: boolean): Promise<void> {
    await saveDomain(this.host.toolstack, domid, sink, { live, linkBitsPerSec: 0, events: { line: () => {}, progress: () => {}, suspended: () => {} } });
  }

  /** A suspended domain whose save or migration failed runs again (libxl_domain_resume). */
  resumeSaved(domid: number): void { resumeDomain(this.host.toolstack, domid); }

  /** libxl_domain_create_restore from a libxl stream, with the config given as xl.cfg text. */
  async restore(configText: string, filename: string, input: RestoreInput, paused: boolean): Promise<number> {
    const built = this.build(configText, filename);
    const rec = await restoreDomain(this.host.toolstack, input, { config: built.config, workload: built.extras.workload, configText, configFile: filename, paused, line: () => {} });
    return rec.domid;
  }

  destroy(domid: number): Promise<void> { return this.host.toolstack.destroy(domid); }
  shutdown(domid: number, action: 'poweroff' | 'reboot'): Promise<void> { return this.host.toolstack.requestShutdown(domid, action); }
  pause(domid: number): void { this.host.toolstack.pause(domid); }
  unpause(domid: number): void { this.host.toolstack.unpause(domid); }
  setMemory(domid: number, kb: number): Promise<void> { return this.host.toolstack.memSet(domid, kb); }
  setMaxMemory(domid: number, kb: number): Promise<void> { return this.host.toolstack.memMax(domid, kb); }
  setVcpus(domid: number, n: number): Promise<void> { return this.host.toolstack.vcpuSet(domid, n); }
  pinVcpu(domid: number, vcpu: number, cpus: number[]): void {
    this.host.hv.setAffinity(domid, vcpu, cpus, null);
    this.host.toolstack.platform.commit(domid);
  }

  /** libxl_list_vcpu: each vCPU's state as libvirt names it (0 offline, 1 running, 2 blocked), its time and pCPU. */
  vcpus(domid: number): { state: number; cpuNs: bigint; pcpu: number }[] {
    const d = this.host.hv.get(domid);
    return Array.from({ length: d.maxVcpus }, (_, v) => {
      const i = this.host.hv.sched.vcpu(domid, v);
      return { state: !i.online ? 0 : i.state === 'running' ? 1 : i.state === 'blocked' ? 2 : 0, cpuNs: this.host.hv.vcpuTimeNs(domid, v), pcpu: i.pcpu };
    });
  }

  vifStats(domid: number): VifCounters[] { return this.host.netData.stats(domid); }
  vbdStats(domid: number): VbdCounters[] { return this.host.blkData.stats(domid); }

  console(domid: number, onData: (d: string) => void) { return this.host.xenconsoled.attach(domid, 'pv', onData); }

  onEvent(cb: (e: ToolstackEvent) => void): () => void { return this.host.onEvent(cb); }
}
