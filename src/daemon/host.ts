// One emulated host: wires the machine, the hypervisor, Dom0's services (xenstored,
// xenconsoled, the toolstack) and the guests together, persists them, and recovers them after
// a crash. The wiring is the only place that knows every part; it holds no protocol details.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Clock, type ClockMode } from '../machine/clock.ts';
import { Machine, type MachineSpec } from '../machine/host.ts';
import { Hypervisor } from '../hypervisor/hypervisor.ts';
import { SerialPort } from '../hypervisor/console-page.ts';
import { Xenstored } from '../dom0/xenstored/index.ts';
import { Xenconsoled } from '../dom0/xenconsoled.ts';
import { appendStateFile } from '../dom0/state-files.ts';
import { Toolstack, type DomainRecord } from '../dom0/toolstack/toolstack.ts';
import { writeDom0Tree } from '../dom0/toolstack/xs-tree.ts';
import { guestHardware } from '../dom0/toolstack/guest-hardware.ts';
import { GuestKernel } from '../guest/kernel.ts';
import { xenbusComms } from '../guest/xenbus-comms.ts';
import { hvcConsole } from '../guest/hvc-console.ts';
import { netback } from '../dom0/backends/netback.ts';
import { blkback } from '../dom0/backends/blkback.ts';
import { XenDevices } from '../dom0/xen-devices.ts';
import { VIRQ_CONSOLE, VIRQ_DOM_EXC, VIRQ_TIMER } from '../hypervisor/event-channel.ts';
import type { BackendDriver } from '../dom0/backends/backend-driver.ts';
import { NetDataplane, parseRate } from '../dom0/backends/net-dataplane.ts';
import { BlkDataplane } from '../dom0/backends/blk-dataplane.ts';
import { XsClient } from '../formats/xenstore-client.ts';
import { parseWorkload } from '../formats/workload-spec.ts';
import type { HostPaths } from '../protocol/paths.ts';
import { ToolError } from '../protocol/wire.ts';
import { ShutdownReason } from '../protocol/domain.ts';
import { MIGRATED_AWAY_SUFFIX } from '../protocol/migrate.ts';
import { Store } from './store.ts';
import { LOGLVL_PARAMS } from '../hypervisor/console-ring.ts';
import { RawChannels } from './raw-channels.ts';

export interface HostOptions { spec: MachineSpec; clockMode: ClockMode }

interface PersistedDomainState {
  totPages: number; pauseCount: number; shutdown: boolean; shutdownReason: number; maxPages: number;
  onlineVcpus: number; maxVcpus: number; weight: number; cap: number; poolId: number;
  affinity: { hard: number[] | null; soft: number[] | null }[]; cpuNs: string[]; createdNs: string;
  targetKb: number; staticMaxKb: number; videoKb: number; type: string; cwd?: string;
}

export class Host {
  readonly machine: Machine;
  readonly clock: Clock;
  readonly hv: Hypervisor;
  readonly xenstored: Xenstored;
  readonly xenconsoled: Xenconsoled;
  readonly store: Store;
  readonly rawChannels = new RawChannels();
  toolstack!: Toolstack;
  netback!: BackendDriver;
  readonly netData: NetDataplane;
  readonly blkData: BlkDataplane;
  blkback!: BackendDriver;
  private guests = new Map<number, GuestKernel>();
  /** What xenstored, xenconsoled and blkback's data path hold of each guest (their gntdev and evtchn devices). */
  private readonly storeXen: XenDevices;
  private readonly consoleXen: XenDevices;
  private readonly blkDataXen: XenDevices;
  /** blkback's persistent grants per guest: the guest's refs and Dom0's handles. */
  private readonly persistent = new Map<number, { ref: number; handle: number }[]>();
  /** What the last commit of each domain recorded (checkpoints add only runtime progress to it). */
  private committed = new Map<number, PersistedDomainState>();
  private checkpointFailing = false;
  private eventListeners = new Set<(e: { ns: string; kind: string; domid: number; name: string | null; detail?: string }) => void>();

  constructor(readonly paths: HostPaths, store: Store, o: HostOptions) {
    this.store = store;
    this.machine = new Machine(o.spec);
    const savedNow = store.getHost('clock_ns');
    const epoch = Number(store.getHost('epoch_ms') ?? Date.now());
    this.clock = new Clock(o.clockMode, epoch, savedNow ? BigInt(savedNow) : 0n);
    this.hv = new Hypervisor(this.machine, this.clock);
    // Log thresholds set at run time stay with the running Xen, which outlives the daemon.
    for (const p of LOGLVL_PARAMS) { const v = store.getHost(p); if (v) this.hv.console.setLoglvl(p, v); }
    this.clock.setStepper(to => this.hv.step(to));
    // The tree outlives the daemon, as the guests do: it comes back before they are recovered.
    this.storeXen = new XenDevices(this.hv);
    this.xenstored = new Xenstored({ log: l => this.log(`xenstored: ${l}`), journal: join(paths.home, 'xenstored.journal'), domainExists: d => this.hv.domains.has(d), xen: this.storeXen });
    mkdirSync(paths.logs, { recursive: true });
    this.consoleXen = new XenDevices(this.hv);
    this.xenconsoled = new Xenconsoled(paths.logs, this.consoleXen);
    this.netData = new NetDataplane(this.clock);
    this.blkDataXen = new XenDevices(this.hv);
    this.blkData = new BlkDataplane(this.clock, { map: (domid, n) => this.mapPersistent(domid, n), unmap: (domid, n) => this.unmapPersistent(domid, n) });
    if (!store.getHost('epoch_ms')) store.setHost('epoch_ms', String(epoch));
  }

  log(line: string): void {
    try { appendStateFile(join(this.paths.logs, 'xenlabd.log'), `${new Date().toISOString()} ${line}\n`); } catch {}
  }

  onEvent(cb: (e: { ns: string; kind: string; domid: number; name: string | null; detail?: string }) => void): () => void {
    this.eventListeners.add(cb);
    return () => this.eventListeners.delete(cb);
  }

  /** Boot the host: Dom0, xenstored, then recover the domains the database holds. */
  async boot(): Promise<void> {
    await this.xenstored.listen(this.paths.xenstored);
    const spec = this.machine.spec;
    // Domain-0 was built when the host booted (simulated time 0) and its CPU time continues from
    // the last record: the host stood still while the daemon was down.
    const dom0CpuNs: string[] = JSON.parse(this.store.getHost('dom0_cpu_ns') ?? '[]');
    this.hv.restoreDomain(0, {
      type: 'pv', uuid: '00000000-0000-0000-0000-000000000000', maxVcpus: spec.dom0Vcpus, onlineVcpus: spec.dom0Vcpus,
      maxMemkb: -1, memkb: spec.dom0MemMiB * 1024, weight: 256, cap: 0, poolId: 0,
      affinity: Array.from({ length: spec.dom0Vcpus }, () => ({ hard: null, soft: null })),
    }, {
      totPages: spec.dom0MemMiB * 256, pauseCount: 0, shutdown: false, shutdownReason: 0, createdNs: 0n,
      cpuBaseNs: Array.from({ length: spec.dom0Vcpus }, (_, v) => BigInt(dom0CpuNs[v] ?? 0)),
    });
    for (let v = 0; v < spec.dom0Vcpus; v++) this.hv.setWorkloadDemand(0, v, 0.01);
    const xs = this.dom0Client();
    const nbXs = this.dom0Client(), bbXs = this.dom0Client();
    // Dom0's kernel binds its timers; xenstored takes VIRQ_DOM_EXC and xenconsoled VIRQ_CONSOLE.
    for (let v = 0; v < spec.dom0Vcpus; v++) this.hv.evtchn.setHandler(0, this.hv.evtchn.bindVirq(0, VIRQ_TIMER, v), () => {});
    for (const virq of [VIRQ_DOM_EXC, VIRQ_CONSOLE]) this.hv.evtchn.setHandler(0, this.hv.evtchn.bindVirq(0, virq), () => {});
    this.netback = netback(nbXs, new XenDevices(this.hv), {
      connected: dev => {
        void nbXs.read(`${dev.path}/rate`).catch(() => null)
          .then(rate => this.netData.attach(dev.domid, dev.devid, this.hv.rings.net(dev.domid, dev.devid), parseRate(rate)));
      },
      closed: dev => { this.netData.detach(dev.domid, dev.devid); },
    });
    this.blkback = blkback(bbXs, new XenDevices(this.hv), {
      connected: dev => {
        void Promise.all([bbXs.read(`${dev.path}/params`), bbXs.read(`${dev.path}/mode`)]).catch(() => ['', 'r'])
          .then(([params, mode]) => this.blkData.attach(dev.domid, dev.devid, this.hv.rings.blk(dev.domid, dev.devid), params!, mode === 'w'));
      },
      closed: dev => { this.blkData.detach(dev.domid, dev.devid); },
    });
    await this.netback.start();
    await this.blkback.start();
    await writeDom0Tree(xs, { memKb: spec.dom0MemMiB * 1024, pools: this.hv.pools.map(p => p.name) });
    this.toolstack = new Toolstack(this.hv, xs, {
      startGuest: (rec, booted) => this.startGuest(rec, booted),
      stopGuest: domid => this.stopGuest(domid),
      commit: domid => this.commit(domid),
      forget: domid => this.forget(domid),
      event: (kind, domid, name, detail) => {
        const e = { ns: this.clock.now().toString(), kind, domid, name, detail };
        for (const l of this.eventListeners) l(e);
        this.log(`event ${kind} d${domid} ${name ?? ''} ${detail ?? ''}`);
      },
      log: l => this.log(l),
    }, spec.dom0MemMiB * 1024);
    // VIRQ_DOM_EXC reaches xenstored too, which tells @releaseDomain watchers.
    const toToolstack = this.hv.onDomainException;
    this.hv.onDomainException = domid => { this.xenstored.domainShutdown(domid); toToolstack(domid); };
    this.hv.rover = Number(this.store.getHost('rover') ?? 0);
    await this.recover();
    await this.pruneXenstore(xs);
  }

  /**
   * The restored xenstore tree may hold nodes of domains that did not come back (their creation
   * never committed): remove them, as libxl's destroy would have.
   */
  private async pruneXenstore(xs: XsClient): Promise<void> {
    const live = new Set([0, ...this.toolstack.records.keys()]);
    const liveUuids = new Set([...this.toolstack.records.values()].map(r => r.uuid));
    const list = (p: string): Promise<string[]> => xs.directory(p).catch(() => []);
    const backends = (await list('/local/domain/0/backend')).map(k => `/local/domain/0/backend/${k}`);
    const stale = new Set<string>();
    for (const dir of ['/local/domain', '/libxl', ...backends]) {
      for (const id of await list(dir)) if (/^\d+$/.test(id) && !live.has(Number(id))) stale.add(id);
    }
    for (const id of stale) {
      const vm = await xs.read(`/local/domain/${id}/vm`).catch(() => '');
      const paths = [`/local/domain/${id}`, `/libxl/${id}`, ...backends.map(b => `${b}/${id}`)];
      if (/^\/vm\/[^/]+$/.test(vm) && !liveUuids.has(vm.slice(4))) paths.push(vm);
      await xs.transaction(async tx => {
        for (const p of paths) await xs.rm(p, tx).catch((e: { code?: string }) => { if (e.code !== 'ENOENT') throw e; });
      });
      this.log(`xenstore: removed the nodes of domain ${id}, which was not recovered`);
    }
  }

  /** A Dom0 xenstore connection of its own (each Dom0 service has one, as separate processes and drivers do). */
  private dom0Client(): XsClient {
    const ring = this.xenstored.connectDomain(0);
    const xs = new XsClient(b => ring.write(b));
    ring.onData(b => xs.feed(b));
    return xs;
  }

  private async startGuest(rec: DomainRecord, alreadyBooted: boolean): Promise<void> {
    const hw = guestHardware(rec);
    const serial = hw.serialPty ? new SerialPort() : undefined;
    if (serial) this.xenconsoled.add(rec.domid, rec.name, serial, 'serial');
    // xenstored mapped the guest's xenstore page when libxl introduced it; xenconsoled maps its
    // console page and binds the console port. The guest's xenbus and hvc drivers talk through
    // the pages start_info names.
    const m = rec.magic!;
    const d = this.hv.get(rec.domid);
    const xenstore = xenbusComms(this.hv, rec.domid, d.sharedFrame(m.storePfn)!, m.storePort);
    const console = hvcConsole(this.hv, rec.domid, d.sharedFrame(m.consolePfn)!, m.consolePort);
    this.xenconsoled.connect(rec.domid, rec.name, m.consolePort);
    const g = new GuestKernel({
      domid: rec.domid, name: rec.name, type: rec.type, hv: this.hv, clock: this.clock,
      xenstore, console, serial, disks: hw.disks, platformPci: hw.platformPci, cmdline: hw.cmdline, workload: parseWorkload(rec.workload ?? undefined), alreadyBooted,
    });
    this.guests.set(rec.domid, g);
    await g.start();
  }

  private stopGuest(domid: number): void {
    this.guests.get(domid)?.stop();
    this.guests.delete(domid);
    this.xenconsoled.remove(domid);
  }

  /** blkback maps `n` more pages the guest's blkfront granted for its data (kept: feature-persistent). */
  private mapPersistent(domid: number, n: number): void {
    const fe = this.guests.get(domid)?.frontends;
    if (!fe) return;
    const held = this.persistent.get(domid) ?? [];
    this.persistent.set(domid, held);
    const refs = fe.grantDataPages(0, n);
    for (const [i, ref] of refs.entries()) {
      try { held.push({ ref, handle: this.blkDataXen.mapGrant(domid, ref) }); } catch (e) {
        fe.endDataPages(refs.slice(i));
        this.log(`blkback d${domid}: ${e instanceof Error ? e.message : String(e)}`);
        return;
      }
    }
  }

  private unmapPersistent(domid: number, n: number): void {
    const held = this.persistent.get(domid) ?? [];
    const gone = held.splice(Math.max(0, held.length - n));
    for (const p of gone) this.blkDataXen.unmapGrant(domid, p.handle);
    this.guests.get(domid)?.frontends.endDataPages(gone.map(p => p.ref));
    if (!held.length) this.persistent.delete(domid);
  }

  /**
   * Persist one domain and the host counters in one transaction: the commit point of every
   * command, made before the reply. A domain still being built (a create before its end, a
   * restore before its last page, an incoming migration before the sender's go) is not written:
   * what was never completely built must not come back. A failed write throws a ToolError the
   * tool prints; the caller undoes its change, so the command changes nothing.
   */
  commit(domid: number): void {
    const rec = this.toolstack.records.get(domid);
    const d = this.hv.domains.get(domid);
    if (rec?.incoming) return;
    const st: PersistedDomainState | undefined = rec && d ? {
      totPages: d.totPages, pauseCount: d.pauseCount, shutdown: d.shutdown, shutdownReason: d.shutdownReason,
      maxPages: d.maxPages, onlineVcpus: d.onlineVcpus, maxVcpus: d.maxVcpus, weight: d.weight, cap: d.cap, poolId: d.poolId,
      affinity: d.affinity, cpuNs: this.cpuNs(domid), createdNs: d.createdNs.toString(),
      cwd: rec.cwd, targetKb: rec.targetKb, staticMaxKb: rec.staticMaxKb, videoKb: rec.videoKb, type: rec.type,
    } : undefined;
    this.write(`the state of domain ${domid}`, () => {
      this.writeHostCounters();
      if (!rec || !st) return;
      this.store.putDomain({
        domid, name: rec.name, uuid: rec.uuid, config: JSON.stringify(rec.config), configText: rec.configText,
        configFile: rec.configFile, workload: rec.workload, state: JSON.stringify(st),
      });
    });
    if (st) this.committed.set(domid, st);
  }

  /** Record a destroy (before the teardown, so a destroy that cannot be recorded leaves the domain as it was). */
  forget(domid: number): void {
    if (!this.committed.has(domid)) return;
    this.write(`the destruction of domain ${domid}`, () => this.store.deleteDomain(domid));
    this.committed.delete(domid);
  }

  private write(what: string, fn: () => void): void {
    try { this.store.tx(fn); } catch (e) {
      throw new ToolError('EIO', `xenlabd: cannot record ${what}: ${e instanceof Error ? e.message : String(e)}`, 1);
    }
  }

  /** The domid rover, the clock and Domain-0's CPU time, recorded with every commit and checkpoint. */
  private writeHostCounters(): void {
    this.store.setHost('rover', String(this.hv.rover));
    this.store.setHost('clock_ns', this.clock.now().toString());
    this.store.setHost('dom0_cpu_ns', JSON.stringify(this.cpuNs(0)));
  }

  private cpuNs(domid: number): string[] {
    return Array.from({ length: this.hv.get(domid).maxVcpus }, (_, v) => this.hv.vcpuTimeNs(domid, v).toString());
  }

  /**
   * Save what runs on by itself (CPU time, Domain-0's too, the balloon's progress, the clock) into the state the
   * last commit of each domain recorded: periodic and at stop. It never records a command, so a
   * command that was not acknowledged (its commit had not happened) cannot slip in. A failure
   * (a full disk) is logged and the next period tries again: the daemon keeps serving.
   */
  checkpoint(): void {
    try {
      this.store.tx(() => {
        for (const [domid, st] of this.committed) {
          const d = this.hv.domains.get(domid);
          if (d) this.store.updateState(domid, JSON.stringify({ ...st, totPages: d.totPages, cpuNs: this.cpuNs(domid) }));
        }
        this.writeHostCounters();
      });
      if (this.checkpointFailing) this.log('checkpoint: written again');
      this.checkpointFailing = false;
    } catch (e) {
      if (!this.checkpointFailing) this.log(`checkpoint failed, retrying every period: ${e instanceof Error ? e.message : String(e)}`);
      this.checkpointFailing = true;
    }
  }

  private async recover(): Promise<void> {
    for (const row of this.store.domains()) {
      const st: PersistedDomainState = JSON.parse(row.state);
      const config = JSON.parse(row.config);
      const rec: DomainRecord = {
        domid: row.domid, name: row.name, uuid: row.uuid, type: st.type as DomainRecord['type'], config,
        configText: row.configText, configFile: row.configFile, cwd: st.cwd, workload: row.workload,
        targetKb: st.targetKb, staticMaxKb: st.staticMaxKb, videoKb: st.videoKb,
      };
      // A lowered maximum may sit below the pages the guest still had (its balloon was on the
      // way down): Xen allows that, so the pages come back under the larger and the maximum after.
      this.hv.restoreDomain(row.domid, {
        type: rec.type, uuid: row.uuid, maxVcpus: st.maxVcpus, onlineVcpus: st.onlineVcpus, maxMemkb: st.maxPages < 0 ? -1 : Math.max(st.maxPages, st.totPages) * 4,
        memkb: st.totPages * 4, weight: st.weight, cap: st.cap, poolId: st.poolId, affinity: st.affinity,
        maxGrantFrames: config.b_info?.max_grant_frames, maxMaptrackFrames: config.b_info?.max_maptrack_frames, maxEvtchnPort: config.b_info?.event_channels,
      }, {
        totPages: st.totPages, pauseCount: st.pauseCount, shutdown: st.shutdown, shutdownReason: st.shutdownReason,
        cpuBaseNs: st.cpuNs.map(s => BigInt(s)), createdNs: BigInt(st.createdNs),
      });
      this.hv.setMaxmem(row.domid, st.maxPages < 0 ? -1 : st.maxPages * 4);
      this.hv.setVcpusOnline(row.domid, st.onlineVcpus);
      // Suspended for a save that never finished: libxl resumes such a guest ("resuming domain").
      // Not once xl has renamed it <name>--migratedaway: the target then has, or is about to get,
      // permission to start it, and a resumed copy would run on both hosts. It stays suspended
      // for the administrator, as real xl leaves it when a migration fails that late.
      const migratedAway = row.name.endsWith(MIGRATED_AWAY_SUFFIX);
      const resume = st.shutdown && st.shutdownReason === ShutdownReason.suspend && !migratedAway;
      if (migratedAway && st.shutdown) this.log(`d${row.domid} ${row.name}: a migration's target was given permission to start it: left suspended`);
      if (resume) this.hv.resumeDomain(row.domid);
      this.committed.set(row.domid, st);
      await this.toolstack.recover(rec);
      this.log(`recovered d${row.domid} ${row.name}${resume ? ', resuming domain suspended by an unfinished save' : ''}`);
      if (resume) try { this.commit(row.domid); } catch (e) { this.log(e instanceof Error ? e.message : String(e)); }
    }
  }

  /** Advance simulated time, letting reactions (watches, acks, actions) run at each timer's instant. */
  async advance(to: bigint): Promise<void> {
    while (this.clock.now() < to) {
      const next = this.clock.nextTimerAt();
      const stop = next !== undefined && next < to ? next : to;
      this.clock.advanceTo(stop);
      await settle();
    }
    await settle();
  }

  async shutdown(): Promise<void> {
    this.checkpoint();
    for (const g of this.guests.values()) g.stop();
    await this.xenstored.close();
  }
}

/** Let every pending reaction (promise chains, in-process xenstore round trips) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 4; i++) await new Promise(r => setImmediate(r));
}
