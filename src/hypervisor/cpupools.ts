// Xen's cpupools (xen/common/sched/cpupool.c): the one place that knows which pCPUs and domains
// each pool holds. Every pool has its own scheduler instance; a domain's scheduler calls go to its
// pool's instance, cpupool-cpu-add/-remove move a pCPU between an instance and the free pCPUs,
// and cpupool-migrate moves a domain to another instance (sched_move_domain: new default
// parameters, affinity reset, its CPU time carried). The refusals are Xen's errnos.
import type { CpuTopology } from '../machine/host.ts';
import { HypervisorError } from './errors.ts';
import { createScheduler } from './sched-factory.ts';
import type { DomainSchedOptions, Scheduler, SchedulerName, SchedulerOptions, VcpuInfo } from './scheduler.ts';
import type { TraceSink } from './trace-sink.ts';
import type { VcpuWork } from './sched-core/workload.ts';

export class Cpupool {
  constructor(readonly id: number, public name: string, readonly sched: Scheduler) {}
  get cpus(): number[] { return this.sched.pcpus(); }
}

export interface CpupoolsOptions {
  nrPcpus: number;
  /** Pool-0's scheduler (Xen's sched= boot option). */
  sched: SchedulerName;
  trace?: TraceSink;
  startNs?: bigint;
  topology?: readonly CpuTopology[];
  timer?: SchedulerOptions['timer'];
}

/** What a pool must know of a domain's vCPUs to hand them to another pool's scheduler. */
interface DomainSched { pool: Cpupool; online: boolean[]; demand: number[]; paused: boolean }

const ENOENT = () => new HypervisorError('ENOENT', 'No such file or directory');

export class Cpupools {
  private readonly pools: Cpupool[] = [];
  private readonly doms = new Map<number, DomainSched>();
  /** The pool of each pCPU (null: free). */
  private readonly owner: (Cpupool | null)[];
  /** Idle time a pCPU had before it joined its current pool (or became free), and its count then. */
  private readonly idleBase: bigint[];
  private readonly idleAtJoin: bigint[];
  private now: bigint;

  constructor(private readonly o: CpupoolsOptions) {
    this.now = o.startNs ?? 0n;
    this.owner = Array.from({ length: o.nrPcpus }, () => null);
    this.idleBase = Array.from({ length: o.nrPcpus }, () => 0n);
    this.idleAtJoin = Array.from({ length: o.nrPcpus }, () => this.now);
    this.create('Pool-0', o.sched, 0);
    for (let c = 0; c < o.nrPcpus; c++) this.addCpu(0, c);
  }

  // ---- the pools ------------------------------------------------------------------------------

  /** Every pool, by id (as XEN_SYSCTL_CPUPOOL_OP_INFO walks them). */
  list(): readonly Cpupool[] { return this.pools; }
  get(id: number): Cpupool | undefined { return this.pools.find(p => p.id === id); }
  byName(name: string): Cpupool | undefined { return this.pools.find(p => p.name === name); }
  freeCpus(): number[] { return this.owner.flatMap((p, c) => (p ? [] : [c])); }
  /** The pool a pCPU is in, null when it is free. */
  poolOfCpu(pcpu: number): Cpupool | null { return this.owner[pcpu] ?? null; }
  nDomains(pool: Cpupool): number {
    let n = 0;
    for (const d of this.doms.values()) if (d.pool === pool) n++;
    return n;
  }

  /** XEN_SYSCTL_CPUPOOL_OP_CREATE: an empty pool; its id is the one given or the last one's + 1. */
  create(name: string, sched: SchedulerName, id?: number): Cpupool {
    const poolid = id ?? (this.pools.at(-1)?.id ?? -1) + 1;
    if (this.get(poolid)) throw new HypervisorError('EEXIST', 'File exists');
    const instance = createScheduler(sched, { pcpus: [], nrPcpus: this.o.nrPcpus, trace: this.o.trace, startNs: this.now, topology: this.o.topology, timer: this.o.timer });
    const pool = new Cpupool(poolid, name, instance);
    this.pools.push(pool);
    this.pools.sort((a, b) => a.id - b.id);
    return pool;
  }

  /** XEN_SYSCTL_CPUPOOL_OP_DESTROY: only a pool with no domains and no pCPUs goes. */
  destroy(id: number): void {
    const pool = this.mustGet(id);
    if (this.nDomains(pool) || pool.cpus.length) throw new HypervisorError('EBUSY', 'Device or resource busy');
    this.pools.splice(this.pools.indexOf(pool), 1);
  }

  /** XEN_SYSCTL_CPUPOOL_OP_ADDCPU: a free pCPU joins the pool. */
  addCpu(id: number, pcpu: number): void {
    const pool = this.mustGet(id);
    if (!Number.isInteger(pcpu) || pcpu < 0 || pcpu >= this.o.nrPcpus) throw new HypervisorError('EINVAL', 'Invalid argument');
    if (this.owner[pcpu]) throw new HypervisorError('ENODEV', 'No such device');
    this.idleBase[pcpu] = this.pcpuIdleTimeNs(pcpu);
    pool.sched.addPcpu(pcpu);
    this.owner[pcpu] = pool;
    this.idleAtJoin[pcpu] = pool.sched.pcpuIdleTimeNs(pcpu);
  }

  /**
   * XEN_SYSCTL_CPUPOOL_OP_RMCPU: the pCPU becomes free. pCPU 0 stays in Pool-0, and the last
   * pCPU of a pool with live domains stays.
   */
  removeCpu(id: number, pcpu: number): void {
    const pool = this.mustGet(id);
    if ((id === 0 && pcpu === 0) || !Number.isInteger(pcpu) || pcpu < 0 || pcpu >= this.o.nrPcpus) throw new HypervisorError('EINVAL', 'Invalid argument');
    if (this.owner[pcpu] !== pool) throw new HypervisorError('EADDRNOTAVAIL', 'Cannot assign requested address');
    if (pool.cpus.length === 1 && this.nDomains(pool)) throw new HypervisorError('EBUSY', 'Device or resource busy');
    const idle = this.pcpuIdleTimeNs(pcpu);
    pool.sched.removePcpu(pcpu);
    this.owner[pcpu] = null;
    this.idleBase[pcpu] = idle;
    this.idleAtJoin[pcpu] = this.now;
  }

  /**
   * XEN_SYSCTL_CPUPOOL_OP_MOVEDOMAIN (sched_move_domain): the domain leaves its pool's scheduler
   * and joins the other's with that scheduler's default parameters and no affinity, paused
   * meanwhile; its vCPUs keep their CPU time, online state and workload.
   */
  moveDomain(domid: number, id: number): void {
    const d = this.dom(domid);
    const to = this.get(id);
    if (d.pool === to) return;
    if (!to || to.cpus.length === 0) throw ENOENT();
    const from = d.pool.sched;
    const cpuTimeNs = d.online.map((_, v) => from.vcpu(domid, v).cpuTimeNs);
    from.removeDomain(domid);
    to.sched.addDomain(domid, { nrVcpus: d.online.length, cpuTimeNs, paused: true });
    d.pool = to;
    d.online.forEach((on, v) => { if (!on) to.sched.setVcpuOnline(domid, v, false); });
    d.demand.forEach((f, v) => to.sched.setDemand(domid, v, f));
    if (!d.paused) to.sched.unpauseDomain(domid);
  }

  // ---- a domain's scheduling, routed to its pool ---------------------------------------------

  /** Make every pool's scheduling decisions up to `toNs` (pools share no pCPU, so in any order). */
  advance(toNs: bigint): void {
    for (const p of this.pools) p.sched.advance(toNs);
    if (toNs > this.now) this.now = toNs;
  }

  addDomain(domid: number, poolId: number, o: DomainSchedOptions): void {
    const pool = this.mustGet(poolId);
    // cpupool_add_domain: a pool without pCPUs takes no domain.
    if (!pool.cpus.length) throw new HypervisorError('ENODEV', 'No such device');
    pool.sched.addDomain(domid, o);
    const online = Array.from({ length: o.nrVcpus }, (_, v) => v < (o.onlineVcpus ?? o.nrVcpus));
    this.doms.set(domid, { pool, online, demand: online.map((_, v) => o.work?.[v]?.demand ?? o.demand ?? 0), paused: o.paused ?? false });
  }

  removeDomain(domid: number): void {
    this.dom(domid).pool.sched.removeDomain(domid);
    this.doms.delete(domid);
  }

  pauseDomain(domid: number): void {
    const d = this.dom(domid);
    d.paused = true;
    d.pool.sched.pauseDomain(domid);
  }

  unpauseDomain(domid: number): void {
    const d = this.dom(domid);
    d.paused = false;
    d.pool.sched.unpauseDomain(domid);
  }

  setVcpuOnline(domid: number, vcpu: number, online: boolean): void {
    const d = this.dom(domid);
    d.pool.sched.setVcpuOnline(domid, vcpu, online);
    d.online[vcpu] = online;
  }

  setAffinity(domid: number, vcpu: number, hard: number[] | null, soft: number[] | null): void {
    this.dom(domid).pool.sched.setAffinity(domid, vcpu, hard, soft);
  }

  setDemand(domid: number, vcpu: number, frac: number): void {
    const d = this.dom(domid);
    d.pool.sched.setDemand(domid, vcpu, frac);
    d.demand[vcpu] = frac;
  }

  poolOf(domid: number): Cpupool { return this.dom(domid).pool; }
  vcpu(domid: number, vcpu: number): VcpuInfo { return this.dom(domid).pool.sched.vcpu(domid, vcpu); }
  vcpuWork(domid: number, vcpu: number): VcpuWork { return this.dom(domid).pool.sched.vcpuWork(domid, vcpu); }

  /** Every pool resumes after a daemon restart (see Scheduler.resume). */
  resume(): void { for (const p of this.pools) p.sched.resume(); }
  vcpuCpuTimeNs(domid: number, vcpu: number): bigint { return this.dom(domid).pool.sched.vcpuCpuTimeNs(domid, vcpu); }
  vcpuStatus(domid: number, vcpu: number): Pick<VcpuInfo, 'state' | 'online'> { return this.dom(domid).pool.sched.vcpuStatus(domid, vcpu); }
  domainCpuTimeNs(domid: number): bigint { return this.dom(domid).pool.sched.domainCpuTimeNs(domid); }

  /** Idle time of a pCPU since boot, whichever pools it was in (a free pCPU idles). */
  pcpuIdleTimeNs(pcpu: number): bigint {
    const pool = this.owner[pcpu];
    if (pool === undefined) throw new Error(`no pcpu ${pcpu}`);
    const since = pool ? pool.sched.pcpuIdleTimeNs(pcpu) : this.now;
    return this.idleBase[pcpu]! + since - this.idleAtJoin[pcpu]!;
  }

  pcpuCurrent(pcpu: number): { domid: number; vcpu: number } | null {
    return this.owner[pcpu]?.sched.pcpuCurrent(pcpu) ?? null;
  }

  private mustGet(id: number): Cpupool {
    const p = this.get(id);
    if (!p) throw ENOENT();
    return p;
  }

  private dom(domid: number): DomainSched {
    const d = this.doms.get(domid);
    if (!d) throw new Error(`no domain ${domid}`);
    return d;
  }
}
