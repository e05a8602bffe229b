// What the daemon keeps in its database so that a restart finds the host as it was: each
// domain's record and hypervisor state (written at every command's commit point, refreshed by
// periodic checkpoints), the host's counters, and the settings an administrator changed in the
// running Xen (log thresholds, pool ratelimits), which on a real host outlive the toolstack.
import type { Clock } from '../machine/clock.ts';
import type { Hypervisor } from '../hypervisor/hypervisor.ts';
import { LOGLVL_PARAMS } from '../hypervisor/console-ring.ts';
import { ShutdownReason } from '../hypervisor/shutdown-reason.ts';
import type { DomainRecord, Toolstack } from '../dom0/toolstack/toolstack.ts';
import { LibxlError } from '../dom0/toolstack/errors.ts';
import { credit2Of } from '../dom0/toolstack/cpupool.ts';
import type { SchedulerName } from '../hypervisor/scheduler.ts';
import type { VcpuWork } from '../hypervisor/sched-core/workload.ts';
import { MIGRATED_AWAY_SUFFIX } from '../protocol/migrate.ts';
import type { Store } from './store.ts';
import { commitCreditPools, forgetCreditPool, restoreCreditPools, restoreRtds, rtdsState } from './sched-settings.ts';

interface PersistedDomainState {
  totPages: number; pauseCount: number; shutdown: boolean; shutdownReason: number; maxPages: number;
  onlineVcpus: number; maxVcpus: number; weight: number; cap: number; poolId: number;
  affinity: { hard: number[] | null; soft: number[] | null }[]; cpuNs: string[]; createdNs: string;
  targetKb: number; staticMaxKb: number; videoKb: number; type: string; cwd?: string;
  /** Per-vCPU RTDS parameters, in an RTDS pool. */
  rtds?: ReturnType<typeof rtdsState>;
  /** Simulated time of the commit that wrote this (a later checkpoint's progress supersedes its totPages, cpuNs and work). */
  savedNs?: string;
  /** Each vCPU's workload where it stood, so that a vCPU blocked or running is so again at once after a restart. */
  work?: VcpuWork[];
}

/**
 * What runs on by itself, for every committed domain, as the last checkpoint saw it: one host
 * row rewritten whole, so that a checkpoint of 10,000 domains is one statement and not 10,000
 * (the periodic pause it makes must stay short: xentop's refresh waits behind it).
 */
const PROGRESS_KEY = 'progress';
interface Progress { atNs: string; domains: [domid: number, createdNs: string, totPages: number, cpuNs: string[], work?: VcpuWork[]][] }

const ratelimitKey = (poolId: number) => `ratelimit_${poolId}`;

/** The cpupools as Xen holds them (each pool's pCPUs and scheduler; its name, which libxl keeps in xenstore). */
interface PersistedCpupool { id: number; name: string; sched: SchedulerName; cpus: number[] }
const CPUPOOLS_KEY = 'cpupools';

/** Domain-0's scheduling as an administrator set it (it is never destroyed, so it has no domain row). */
interface PersistedDom0 { onlineVcpus: number; weight: number; cap: number; affinity: PersistedDomainState['affinity']; rtds?: PersistedDomainState['rtds'] }
const DOM0_KEY = 'dom0_sched', DOM0_WORK_KEY = 'dom0_work';
/** xenpm's settings and the domains' RDT settings (RMIDs, CBMs, throttles). */
const PM_KEY = 'pm_settings', PSR_KEY = 'psr_settings';

/** The host's epoch (recorded at its first start) and the simulated time the last record left. */
export function savedClock(store: Store): { epochMs: number; nowNs: bigint } {
  const saved = store.getHost('clock_ns');
  const epochMs = Number(store.getHost('epoch_ms') ?? Date.now());
  if (!store.getHost('epoch_ms')) store.setHost('epoch_ms', String(epochMs));
  return { epochMs, nowNs: saved ? BigInt(saved) : 0n };
}

export class Persistence {
  /** What the last commit of each domain recorded (checkpoints add only runtime progress to it). */
  private committed = new Map<number, PersistedDomainState>();
  private checkpointFailing = false;

  constructor(
    private readonly store: Store, private readonly hv: Hypervisor, private readonly clock: Clock,
    private readonly records: () => ReadonlyMap<number, DomainRecord>, private readonly log: (line: string) => void,
  ) {}

  /** Dom0's LVM metadata (it lives on the PV, which outlives the daemon). */
  readonly lvmMetadata = { load: (): string | undefined => this.store.getHost('lvm'), save: (json: string): void => this.store.setHost('lvm', json) };

  /** The domid rover as last recorded. */
  savedRover(): number { return Number(this.store.getHost('rover') ?? 0); }

  /** Dom0's PCI driver bindings and Xen's device owners, recorded whenever they may have changed. */
  commitPci(state: object): void { this.store.setHost('pci', JSON.stringify(state)); }
  savedPci(): object | undefined {
    const s = this.store.getHost('pci');
    return s ? JSON.parse(s) : undefined;
  }

  /** Domain-0's CPU time per vCPU as last recorded (the host stood still while the daemon was down). */
  savedDom0CpuNs(): bigint[] {
    const ns: string[] = JSON.parse(this.store.getHost('dom0_cpu_ns') ?? '[]');
    return ns.map(s => BigInt(s));
  }

  /** Domain-0's vCPUs' workloads as last recorded (none on a first boot). */
  savedDom0Work(): VcpuWork[] | undefined { return JSON.parse(this.store.getHost(DOM0_WORK_KEY) ?? 'null') ?? undefined; }

  /** Domain-0's vCPUs online, weight, cap and affinity as last committed, or those it boots with. */
  savedDom0(vcpus: number): PersistedDom0 {
    const saved: PersistedDom0 | undefined = JSON.parse(this.store.getHost(DOM0_KEY) ?? 'null') ?? undefined;
    if (saved && saved.affinity.length === vcpus) return saved;
    return { onlineVcpus: vcpus, weight: 256, cap: 0, affinity: Array.from({ length: vcpus }, () => ({ hard: null, soft: null })) };
  }

  /** Domain-0's RTDS parameters as last committed, when Pool-0 runs RTDS (after its vCPUs are in). */
  restoreDom0Rtds(saved: PersistedDom0): void { restoreRtds(this.hv, 0, saved.rtds); }

  /** Xen's settings changed at run time stay with the running Xen, which outlives the daemon. */
  restoreXenSettings(): void {
    for (const p of LOGLVL_PARAMS) { const v = this.store.getHost(p); if (v) this.hv.console.setLoglvl(p, v); }
    this.restoreCpupools();
    for (const pool of this.hv.pools) {
      const us = this.store.getHost(ratelimitKey(pool.id));
      if (us !== undefined) credit2Of(pool)?.setRatelimit(Number(us));
    }
    restoreCreditPools(this.hv, this.store);
    const pm = this.store.getHost(PM_KEY), psr = this.store.getHost(PSR_KEY);
    if (pm) this.hv.pm.restoreSettings(JSON.parse(pm), this.clock.now());
    if (psr) this.hv.psr.restoreSettings(JSON.parse(psr), this.clock.now());
  }

  /**
   * Persist one domain (Domain-0: its scheduling) and the host counters in one transaction: the
   * commit point of every command, made before the reply. A domain still being built (a create before its end, a
   * restore before its last page, an incoming migration before the sender's go) is not written:
   * what was never completely built must not come back. A failed write throws a LibxlError the
   * tool prints; the caller undoes its change, so the command changes nothing.
   */
  commit(domid: number): void {
    const rec = this.records().get(domid);
    const d = this.hv.domains.get(domid);
    if (rec?.incoming) return;
    const st: PersistedDomainState | undefined = rec && d ? {
      totPages: d.totPages, pauseCount: d.pauseCount, shutdown: d.shutdown, shutdownReason: d.shutdownReason,
      maxPages: d.maxPages, onlineVcpus: d.onlineVcpus, maxVcpus: d.maxVcpus, weight: d.weight, cap: d.cap, poolId: d.poolId,
      affinity: d.affinity, cpuNs: this.cpuNs(domid), createdNs: d.createdNs.toString(),
      cwd: rec.cwd, targetKb: rec.targetKb, staticMaxKb: rec.staticMaxKb, videoKb: rec.videoKb, type: rec.type,
      rtds: rtdsState(this.hv, domid),
      savedNs: this.clock.now().toString(), work: this.work(domid),
    } : undefined;
    const dom0: PersistedDom0 | undefined = domid === 0 && d ? { onlineVcpus: d.onlineVcpus, weight: d.weight, cap: d.cap, affinity: d.affinity, rtds: rtdsState(this.hv, 0) } : undefined;
    this.write(`the state of domain ${domid}`, () => {
      this.writeHostCounters();
      if (dom0) this.store.setHost(DOM0_KEY, JSON.stringify(dom0));
      if (!rec || !st) return;
      this.store.putDomain({
        domid, name: rec.name, uuid: rec.uuid, config: JSON.stringify(rec.config), configText: rec.configText,
        configFile: rec.configFile, workload: rec.workload, state: JSON.stringify(st),
      });
    });
    if (st) this.committed.set(domid, st);
  }

  /** Persist Xen's host-wide settings as they are now (with the counters), before the reply. */
  commitXenSettings(): void {
    this.write('the host settings', () => {
      this.writeHostCounters();
      for (const p of LOGLVL_PARAMS) this.store.setHost(p, this.hv.console.loglvl(p));
      const pools: PersistedCpupool[] = this.hv.pools.map(p => ({ id: p.id, name: p.name, sched: p.sched.name, cpus: p.cpus }));
      const before: PersistedCpupool[] = JSON.parse(this.store.getHost(CPUPOOLS_KEY) ?? '[]');
      for (const gone of before.filter(p => !this.hv.sched.get(p.id))) {
        this.store.deleteHost(ratelimitKey(gone.id));
        forgetCreditPool(this.store, gone.id);
      }
      this.store.setHost(CPUPOOLS_KEY, JSON.stringify(pools));
      for (const pool of this.hv.pools) {
        const c = credit2Of(pool);
        if (c) this.store.setHost(ratelimitKey(pool.id), String(c.getRatelimit()));
      }
      commitCreditPools(this.hv, this.store);
      this.store.setHost(PM_KEY, JSON.stringify(this.hv.pm.settings()));
      this.store.setHost(PSR_KEY, JSON.stringify(this.hv.psr.settings()));
    });
  }

  /** The pools as last committed: Pool-0 (booted with every pCPU) gives back the others' pCPUs. */
  private restoreCpupools(): void {
    const saved: PersistedCpupool[] | null = JSON.parse(this.store.getHost(CPUPOOLS_KEY) ?? 'null');
    if (!saved) return;
    const pools = this.hv.sched;
    for (const p of saved) {
      const pool = p.id === 0 ? pools.get(0)! : pools.create(p.name, p.sched, p.id);
      pool.name = p.name;
      if (p.id !== 0) for (const c of p.cpus) { pools.removeCpu(0, c); pools.addCpu(p.id, c); }
    }
    const pool0 = new Set(saved.find(p => p.id === 0)?.cpus);
    for (const c of pools.get(0)!.cpus) if (!pool0.has(c)) pools.removeCpu(0, c);
  }

  /** Record a destroy (before the teardown, so a destroy that cannot be recorded leaves the domain as it was). */
  forget(domid: number): void {
    if (!this.committed.has(domid)) return;
    this.write(`the destruction of domain ${domid}`, () => this.store.deleteDomain(domid));
    this.committed.delete(domid);
  }

  private write(what: string, fn: () => void): void {
    try { this.store.tx(fn); } catch (e) {
      throw new LibxlError('EIO', `xenlabd: cannot record ${what}: ${e instanceof Error ? e.message : String(e)}`, 1);
    }
  }

  /** The domid rover, the clock and Domain-0's CPU time, recorded with every commit and checkpoint. */
  private writeHostCounters(): void {
    this.store.setHost('rover', String(this.hv.rover));
    this.store.setHost('clock_ns', this.clock.now().toString());
    this.store.setHost('dom0_cpu_ns', JSON.stringify(this.cpuNs(0)));
    if (this.hv.domains.has(0)) this.store.setHost(DOM0_WORK_KEY, JSON.stringify(this.work(0)));
  }

  private work(domid: number): VcpuWork[] {
    return Array.from({ length: this.hv.get(domid).maxVcpus }, (_, v) => this.hv.sched.vcpuWork(domid, v));
  }

  private cpuNs(domid: number): string[] {
    // A plain loop: Array.from over an array-like took 3-4x longer, for every vCPU of 10,000 guests each checkpoint.
    const out: string[] = new Array(this.hv.get(domid).maxVcpus);
    for (let v = 0; v < out.length; v++) out[v] = this.hv.vcpuTimeNs(domid, v).toString();
    return out;
  }

  /**
   * Save what runs on by itself (CPU time, Domain-0's too, the balloon's progress, the clock) into the state the
   * last commit of each domain recorded: periodic and at stop. It never records a command, so a
   * command that was not acknowledged (its commit had not happened) cannot slip in. A failure
   * (a full disk) is logged and the next period tries again: the daemon keeps serving.
   */
  checkpoint(): void {
    try {
      const progress: Progress = { atNs: this.clock.now().toString(), domains: [] };
      for (const [domid, st] of this.committed) {
        const d = this.hv.domains.get(domid);
        if (d) progress.domains.push([domid, st.createdNs, d.totPages, this.cpuNs(domid), this.work(domid)]);
      }
      this.store.tx(() => {
        this.store.setHost(PROGRESS_KEY, JSON.stringify(progress));
        this.writeHostCounters();
      });
      if (this.checkpointFailing) this.log('checkpoint: written again');
      this.checkpointFailing = false;
    } catch (e) {
      if (!this.checkpointFailing) this.log(`checkpoint failed, retrying every period: ${e instanceof Error ? e.message : String(e)}`);
      this.checkpointFailing = true;
    }
  }

  private savedProgress(): Map<number, { atNs: bigint; createdNs: string; totPages: number; cpuNs: string[]; work?: VcpuWork[] }> {
    const saved: Progress | null = JSON.parse(this.store.getHost(PROGRESS_KEY) ?? 'null');
    const atNs = BigInt(saved?.atNs ?? 0);
    return new Map((saved?.domains ?? []).map(([domid, createdNs, totPages, cpuNs, work]) => [domid, { atNs, createdNs, totPages, cpuNs, work }]));
  }

  /** Bring back every recorded domain: its hypervisor state here, its runtime parts through the toolstack. */
  async recover(toolstack: Toolstack): Promise<void> {
    const progress = this.savedProgress();
    for (const row of this.store.domains()) {
      const st: PersistedDomainState = JSON.parse(row.state);
      // The last checkpoint's progress, if it came after the commit (and is of this domain, not an earlier one with its domid).
      const p = progress.get(row.domid);
      if (p && p.createdNs === st.createdNs && p.atNs > BigInt(st.savedNs ?? -1)) { st.totPages = p.totPages; st.cpuNs = p.cpuNs; st.work = p.work; }
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
        cpuBaseNs: st.cpuNs.map(s => BigInt(s)), createdNs: BigInt(st.createdNs), work: st.work,
      });
      this.hv.setMaxmem(row.domid, st.maxPages < 0 ? -1 : st.maxPages * 4);
      this.hv.setVcpusOnline(row.domid, st.onlineVcpus);
      restoreRtds(this.hv, row.domid, st.rtds);
      // Suspended for a save that never finished: libxl resumes such a guest ("resuming domain").
      // Not once xl has renamed it <name>--migratedaway: the target then has, or is about to get,
      // permission to start it, and a resumed copy would run on both hosts. It stays suspended
      // for the administrator, as real xl leaves it when a migration fails that late.
      const migratedAway = row.name.endsWith(MIGRATED_AWAY_SUFFIX);
      const resume = st.shutdown && st.shutdownReason === ShutdownReason.suspend && !migratedAway;
      if (migratedAway && st.shutdown) this.log(`d${row.domid} ${row.name}: a migration's target was given permission to start it: left suspended`);
      if (resume) this.hv.resumeDomain(row.domid);
      this.committed.set(row.domid, st);
      await toolstack.recover(rec);
      this.log(`recovered d${row.domid} ${row.name}${resume ? ', resuming domain suspended by an unfinished save' : ''}`);
      if (resume) try { this.commit(row.domid); } catch (e) { this.log(e instanceof Error ? e.message : String(e)); }
    }
    this.hv.sched.resume();
  }
}
