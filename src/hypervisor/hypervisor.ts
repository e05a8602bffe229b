// The hypervisor model: domains and their vCPUs, domid allocation (Xen's rover), host memory
// accounting, pausing, guest-requested shutdown, and the cpupools whose schedulers turn simulated
// time into CPU time. It knows nothing of Dom0's services: it reports domain exceptions through
// a callback, as Xen raises VIRQ_DOM_EXC.
import { Passthrough } from './passthrough.ts';
import type { Clock } from '../machine/clock.ts';
import type { Machine } from '../machine/host.ts';
import { Credit } from './sched-credit/credit.ts';
import { Credit2 } from './credit2/index.ts';
import { Cpupools, type Cpupool } from './cpupools.ts';
import { isSchedulerName, schedulerKind } from './sched-factory.ts';
import type { SchedulerName } from './scheduler.ts';
import type { VcpuWork } from './sched-core/workload.ts';
import { ConsoleRing, XENLOG, conringSize } from './console-ring.ts';
import { Domain, memorySeed, populateLowest, releaseHighest, type DomainSpec } from './domain.ts';
import { GrantedRings } from './io-ring.ts';
import { TraceBuffers } from './trace-buffers.ts';
import { TraceActivity } from './trace-activity.ts';
import { TRC_DOM0_DOM_ADD, TRC_DOM0_DOM_REM, TRC_MEM_DECREASE_RESERVATION, TRC_MEM_PAGE_GRANT_MAP, TRC_MEM_PAGE_GRANT_UNMAP } from './trace-events.ts';

/** DOMID_FIRST_RESERVED: ids from here on are special (DOMID_SELF, DOMID_IO, ...). */
export const DOMID_FIRST_RESERVED = 0x7ff0;

import { HypervisorError } from './errors.ts';
import { GrantOps } from './grant-ops.ts';
import type { GrantTable } from './grant-table.ts';
import { EventChannelOps, VIRQ_DOM_EXC, VIRQ_TIMER } from './event-channel.ts';
import { encodeVcpuContext } from '../formats/x86-vcpu-context.ts';
import { kernelPfn, stoppedContext } from './vcpu-context.ts';
import { DebugKeys } from './debug-keys.ts';
import { IrqTable } from './irq.ts';
import { PowerManagement } from './pm/power.ts';
import { PlatformQos } from './psr/psr.ts';

export { HypervisorError };

export class Hypervisor {
  readonly machine: Machine;
  readonly clock: Clock;
  /** The cpupools and their schedulers: every domain's scheduling goes through its pool. */
  readonly sched: Cpupools;
  readonly console: ConsoleRing;
  readonly domains = new Map<number, Domain>();
  /** Device rings shared between frontends and backends. */
  readonly rings = new GrantedRings(domid => this.domains.get(domid));
  /** Per-pCPU trace buffers (xentrace); off until a tool enables them. */
  readonly trace: TraceBuffers;
  /** What vCPUs do while they run, written into the trace buffers between the scheduler's records. */
  readonly traceActivity: TraceActivity;
  /** A pCPU's trace ring crossed half full (Xen raises VIRQ_TBUF): xentrace should read now. */
  onTraceHighWater: (cpu: number) => void = () => {};
  /** Workload of each vCPU ("domid:vcpu" → 0..1), which sets the rate of its traced activity. */
  private readonly vcpuLoad = new Map<string, number>();
  /** Last domid handed out (Xen's rover). */
  rover = 0;
  private freePagesCount: number;
  onDomainException: (domid: number) => void = () => {};
  /** GNTTABOP map, unmap and copy between the domains' grant tables. */
  readonly gnttab: GrantOps;
  /** EVTCHNOP on the domains' ports. */
  readonly evtchn: EventChannelOps;
  /** The host's physical IRQs and where they go. */
  readonly irqs: IrqTable;
  /** Who owns each PCI function (passthrough). */
  readonly passthrough: Passthrough;
  /** What `xl debug-keys` presses. */
  readonly debugKeys = new DebugKeys(this);
  /** Grant tables of destroyed domains whose grants another domain still maps (zombies until unmapped). */
  private readonly dyingGrantTables = new Map<number, GrantTable>();
  /** The pCPUs' C-states and P-states (xenpm). */
  readonly pm: PowerManagement;
  /** Intel RDT: cache monitoring and allocation, memory bandwidth (xl psr-*). */
  readonly psr: PlatformQos;

  constructor(machine: Machine, clock: Clock) {
    this.machine = machine;
    this.clock = clock;
    this.trace = new TraceBuffers({ nrPcpus: machine.spec.nrCpus, mhz: machine.mhz, onHighWater: cpu => this.onTraceHighWater(cpu) });
    this.traceActivity = new TraceActivity(this.trace, {
      current: cpu => this.sched.pcpuCurrent(cpu),
      kind: domid => (this.domains.get(domid)?.type === 'pv' ? 'pv' : 'hvm'),
      load: (domid, vcpu) => this.vcpuLoad.get(`${domid}:${vcpu}`) ?? 0,
      cstate: spanNs => this.pm.cstateFor(spanNs),
    });
    // The scheduler starts where the clock stands (a recovered host's), so CPU time is counted
    // from there on and not again from host boot.
    const sched = bootScheduler(machine);
    this.sched = new Cpupools({
      nrPcpus: machine.spec.nrCpus, sched, trace: this.trace, startNs: clock.now(), topology: machine.topology,
      // send_timer_event: the timer's VIRQ goes to the vCPU's port, if its kernel bound one.
      timer: (domid, vcpu, n) => { for (let i = 0; i < n; i++) this.evtchn.sendVirq(VIRQ_TIMER, domid, vcpu); },
    });
    this.freePagesCount = machine.totalPages - this.xenReservedPages();
    this.console = new ConsoleRing(bootBanner(machine, sched), conringSize(machine.spec.nrCpus));
    this.gnttab = new GrantOps({
      table: domid => this.domains.get(domid)?.grantTable ?? this.dyingGrantTables.get(domid),
      frameValid: (domid, gfn) => this.domains.get(domid)?.frameValid(gfn) ?? false,
      mfn: (domid, gfn) => machineFrame(domid, gfn),
      memory: domid => this.domains.get(domid)?.memory ?? null,
      traceMap: (mapper, granter) => this.traceGrant(TRC_MEM_PAGE_GRANT_MAP, mapper, granter),
      traceUnmap: (mapper, granter) => this.traceGrant(TRC_MEM_PAGE_GRANT_UNMAP, mapper, granter),
      released: granter => { if (!this.domains.has(granter)) this.dyingGrantTables.delete(granter); },
    });
    this.evtchn = new EventChannelOps({ table: domid => this.domains.get(domid)?.evtchn, virqDomain: 0 });
    this.irqs = new IrqTable(this.evtchn);
    this.pm = new PowerManagement({
      nrPcpus: machine.spec.nrCpus, nominalKhz: machine.spec.cpuKhz, startNs: clock.now(), trace: this.trace,
      idleNs: cpu => Number(this.pcpuIdleTimeNs(cpu)), onFreqChange: cpu => this.rescaleWork(cpu),
    });
    this.psr = new PlatformQos({
      nrSockets: machine.nrSockets, exists: domid => this.domains.has(domid),
      cpuTimeNs: domid => (this.domains.has(domid) ? Number(this.cpuTimeNs(domid)) : 0),
      pagesWritten: domid => { const d = this.domains.get(domid); return d?.memoryMade ? d.memory!.pagesWritten : 0; },
    });
    this.passthrough = new Passthrough(machine.pci, this.console);
  }

  /** A pCPU's idle time (ns): the one place power management reads the scheduler. */
  private pcpuIdleTimeNs(cpu: number): bigint { return this.sched.pcpuIdleTimeNs(cpu); }

  /** Grant tables in the order Xen's domain list holds them: live domains, then the dying ones still mapped. */
  grantTables(): GrantTable[] {
    return [...[...this.domains.values()].map(d => d.grantTable), ...this.dyingGrantTables.values()];
  }

  /** Memory Xen itself keeps (heap, frame table): about 1/64 of RAM plus 16 MiB. */
  private xenReservedPages(): number { return Math.floor(this.machine.totalPages / 64) + 16 * 256; }

  get freePages(): number { return this.freePagesCount; }

  /** Advance the scheduler to `to` (the clock's stepper). */
  step(to: bigint): void {
    // The governors sample each pCPU's load at their own rate: the scheduler runs up to each sample.
    for (let t = this.pm.nextSampleNs(); t <= to; t = this.pm.nextSampleNs()) { this.sched.advance(t); this.pm.sample(t); }
    this.sched.advance(to);
  }

  /** Pick the next domid as Xen does: the first free id after the rover, wrapping before the reserved range. */
  allocDomid(): number {
    let id = this.rover;
    for (let i = 0; i < DOMID_FIRST_RESERVED; i++) {
      id = id + 1 >= DOMID_FIRST_RESERVED ? 1 : id + 1;
      if (!this.domains.has(id)) { this.rover = id; return id; }
    }
    throw new HypervisorError('ENOMEM', 'no free domid');
  }

  createDomain(spec: DomainSpec, domid?: number, work?: VcpuWork[]): Domain {
    const id = domid ?? this.allocDomid();
    if (this.domains.has(id)) throw new HypervisorError('EEXIST', `domain ${id} exists`);
    const d = new Domain(id, spec, this.clock.now());
    // Guests get real memory contents (save, migration, dump-core); empty until populated.
    if (id !== 0 && spec.maxMemkb >= 0) { d.memoryPages = Math.ceil(spec.maxMemkb / 4); d.memorySeed = memorySeed(spec.uuid, id); }
    this.domains.set(id, d);
    // domain_create: the toolstack's hypercall runs on the pCPU of Dom0's first vCPU.
    if (this.trace.enabled) this.trace.record(this.vcpu0Cpu(0), this.clock.now(), TRC_DOM0_DOM_ADD, [id]);
    try {
      this.sched.addDomain(id, spec.poolId, {
        weight: spec.weight, cap: spec.cap, nrVcpus: spec.maxVcpus, onlineVcpus: spec.onlineVcpus,
        // No affinity is all pCPUs (cpumask_all), whatever the pool.
        hardAffinity: spec.affinity.map(a => a.hard),
        softAffinity: spec.affinity.map(a => a.soft),
        work,
      });
    } catch (e) {
      // The pool takes no domain (cpupool_add_domain): the domain never was.
      this.domains.delete(id);
      throw e;
    }
    return d;
  }

  /** Re-create a domain from persisted state after a daemon restart. */
  restoreDomain(domid: number, spec: DomainSpec, st: { totPages: number; pauseCount: number; shutdown: boolean; shutdownReason: number; cpuBaseNs: bigint[]; createdNs: bigint; work?: VcpuWork[] }): Domain {
    const d = this.createDomain(spec, domid, st.work);
    (d as { createdNs: bigint }).createdNs = st.createdNs;
    this.allocate(d, st.totPages);
    d.cpuBaseNs = st.cpuBaseNs;
    for (let i = 0; i < st.pauseCount; i++) this.pause(domid);
    if (st.shutdown) this.shutdownDomain(domid, st.shutdownReason, false);
    return d;
  }

  /**
   * An HVM guest writes whole lines to Xen's debug port 0xe9 (hvm_print_line): printable
   * characters and tabs are kept, and each line goes to the console ring at guest debug level.
   */
  hvmDebugWrite(domid: number, text: string): void {
    for (const line of text.split('\n').slice(0, -1)) this.console.guest(domid, XENLOG.debug, line.replace(/[^\x20-\x7e\t]/g, ''));
  }

  /** The cpupools, by id. */
  get pools(): readonly Cpupool[] { return this.sched.list(); }

  poolCpus(poolId: number): number[] { return this.sched.get(poolId)?.cpus ?? []; }

  /** XEN_SYSCTL_CPUPOOL_OP_CREATE: a new pool, whose scheduler's init prints as at boot. */
  createCpupool(name: string, sched: SchedulerName): Cpupool {
    const pool = this.sched.create(name, sched);
    const kind = schedulerKind(sched);
    for (const l of kind.initLines) this.console.xen(l);
    for (const l of kind.initInfoLines ?? []) this.console.xen(l, XENLOG.info);
    return pool;
  }

  /**
   * XEN_SYSCTL_CPUPOOL_OP_MOVEDOMAIN: the domain continues in another pool, with that scheduler's
   * default parameters and no vCPU affinity (as sched_move_domain leaves it).
   */
  moveDomainToPool(domid: number, poolId: number): void {
    const d = this.get(domid);
    this.sched.moveDomain(domid, poolId);
    if (d.poolId === poolId) return;
    d.poolId = poolId;
    d.weight = 256;
    d.cap = 0;
    d.affinity = d.affinity.map(() => ({ hard: null, soft: null }));
  }

  get(domid: number): Domain {
    const d = this.domains.get(domid);
    if (!d) throw new HypervisorError('ESRCH', 'No such process');
    return d;
  }

  /** populate_physmap: give a domain pages from the free pool. */
  allocate(d: Domain, pages: number): void {
    if (pages <= 0) return;
    if (pages > this.freePagesCount) throw new HypervisorError('ENOMEM', 'Out of memory');
    if (d.maxPages >= 0 && d.totPages + pages > d.maxPages) throw new HypervisorError('ENOMEM', 'Out of memory');
    this.freePagesCount -= pages;
    d.totPages += pages;
    if (d.memoryMade) populateLowest(d.memory!, pages);
  }

  /**
   * Pages taken from the free pool by something other than a domain (the fault plane's memory
   * pressure, as memory Xen itself holds): as many as are free, at most `pages`; returns how many.
   */
  withhold(pages: number): number {
    const n = Math.max(0, Math.min(pages, this.freePagesCount));
    this.freePagesCount -= n;
    return n;
  }
  unwithhold(pages: number): void { this.freePagesCount += pages; }

  /** decrease_reservation: pages go back to the free pool. */
  release(d: Domain, pages: number): void {
    const n = Math.min(pages, d.totPages);
    if (this.trace.enabled && !d.dying && n > 0) this.traceDecreaseReservation(d, d.totPages - n, n);
    d.totPages -= n;
    this.freePagesCount += n;
    if (d.memoryMade && !d.dying) releaseHighest(d.memory!, n);
  }

  setMaxmem(domid: number, kb: number): void {
    const d = this.get(domid);
    d.maxPages = kb < 0 ? -1 : Math.ceil(kb / 4);
  }

  /**
   * domain_kill: the domain's own mappings of others' grants and its event channels go at once;
   * its grant table outlives it while another domain (a backend) still maps its pages.
   */
  destroyDomain(domid: number): void {
    const d = this.get(domid);
    d.dying = true;
    this.gnttab.releaseMappings(domid);
    this.evtchn.destroy(domid);
    if (d.grantTable.pinnedRefs().length) this.dyingGrantTables.set(domid, d.grantTable);
    this.release(d, d.totPages);
    this.sched.removeDomain(domid);
    if (this.trace.enabled) this.trace.record(this.vcpu0Cpu(0), this.clock.now(), TRC_DOM0_DOM_REM, [domid]);
    this.rings.drop(domid);
    this.irqs.releaseDomain(domid);
    this.passthrough.releaseDomain(domid);
    this.domains.delete(domid);
    for (let v = 0; v < d.maxVcpus; v++) this.vcpuLoad.delete(`${domid}:${v}`);
    this.psr.removeDomain(domid);
    this.evtchn.sendVirq(VIRQ_DOM_EXC);
  }

  pause(domid: number): void {
    const d = this.get(domid);
    if (d.pauseCount === 0 && !d.shutdown) this.stopVcpus(d);
    if (d.pauseCount++ === 0) this.sched.pauseDomain(domid);
  }

  /** The domain stops running: each vCPU's state stays where it was, for getvcpucontext and a save. */
  private stopVcpus(d: Domain): void {
    d.vcpuContextsSet = [];
    d.vcpuStops = Array.from({ length: d.maxVcpus }, (_, v) => ({ cpuNs: this.vcpuTimeNs(d.domid, v), idle: this.sched.vcpu(d.domid, v).state !== 'running' }));
  }

  /** XEN_DOMCTL_getvcpucontext: vcpu_guest_context of a vCPU, as of the domain's last stop (now, if it runs). */
  vcpuContext(domid: number, vcpu: number): Buffer {
    const d = this.get(domid);
    if (vcpu < 0 || vcpu >= d.maxVcpus) throw new HypervisorError('EINVAL', 'Invalid argument');
    const set = d.vcpuContextsSet[vcpu];
    if (set) return set;
    const stop = d.vcpuStops[vcpu] ?? { cpuNs: this.vcpuTimeNs(domid, vcpu), idle: this.sched.vcpu(domid, vcpu).state !== 'running' };
    return encodeVcpuContext(stoppedContext({ seed: d.memorySeed || memorySeed(d.uuid, domid), vcpu, ...stop, online: vcpu < d.onlineVcpus, hvm: d.type === 'hvm' }));
  }

  /** xc_translate_foreign_address and a foreign mapping: the page of a guest kernel address, null when nothing is there. */
  guestKernelPage(domid: number, va: bigint): Buffer | null {
    const mem = this.get(domid).memory;
    const pfn = kernelPfn(va);
    if (!mem || pfn === null || pfn >= mem.nrPages || !mem.populated(pfn)) return null;
    return mem.readPage(pfn);
  }

  /** XEN_DOMCTL_setvcpucontext (a restore puts back the state the stream carried). */
  setVcpuContext(domid: number, vcpu: number, ctx: Buffer): void {
    const d = this.get(domid);
    if (vcpu < 0 || vcpu >= d.maxVcpus) throw new HypervisorError('EINVAL', 'Invalid argument');
    d.vcpuContextsSet[vcpu] = Buffer.from(ctx);
  }

  unpause(domid: number): void {
    const d = this.get(domid);
    if (d.pauseCount === 0) return;
    if (--d.pauseCount === 0 && !d.shutdown) this.runVcpus(d);
  }

  /** The domain runs again: its vCPUs leave the state they stopped in and take the NMIs sent meanwhile. */
  private runVcpus(d: Domain): void {
    d.vcpuStops = [];
    d.vcpuContextsSet = [];
    this.sched.unpauseDomain(d.domid);
    this.deliverNmis(d);
  }

  /**
   * XEN_DOMCTL_sendtrigger: an NMI to one vCPU (a second one while the first is pending is
   * lost); the power and sleep buttons to an HVM guest's ACPI PM1a (a PVH guest has no ACPI PM
   * device: nothing happens). INIT and RESET are not implemented on x86.
   */
  sendTrigger(domid: number, trigger: 'nmi' | 'power' | 'sleep' | 'init' | 'reset', vcpu: number): void {
    const d = this.get(domid);
    if (vcpu < 0 || vcpu >= d.maxVcpus) throw new HypervisorError('ESRCH', 'No such process');
    if (trigger === 'nmi') { d.nmiPending.add(vcpu); if (!d.paused && !d.shutdown) this.deliverNmis(d); return; }
    if (trigger === 'init' || trigger === 'reset') throw new HypervisorError('ENOSYS', 'Function not implemented');
    if (d.type === 'pv') throw new HypervisorError('EINVAL', 'Invalid argument');
    if (d.type === 'hvm') d.platform?.acpiButton(trigger);
  }

  private deliverNmis(d: Domain): void {
    for (const v of d.nmiPending) d.platform?.nmi(v);
    d.nmiPending.clear();
  }

  /** hvm_s3_suspend: the guest wrote S3 to its PM1a control register; it stays paused until woken. */
  s3Suspend(domid: number): void {
    const d = this.get(domid);
    if (d.s3Suspended) return;
    d.s3Suspended = true;
    this.pause(domid);
  }

  /** hvm_s3_resume: false when the domain was not in S3. */
  s3Resume(domid: number): boolean {
    const d = this.get(domid);
    if (!d.s3Suspended) return false;
    d.s3Suspended = false;
    this.unpause(domid);
    d.platform?.s3Resumed();
    return true;
  }

  /** SCHEDOP_shutdown from the guest (or domain_shutdown from Xen on a crash). */
  shutdownDomain(domid: number, reason: number, notify = true): void {
    const d = this.get(domid);
    if (d.shutdown) return;
    d.shutdown = true;
    d.shutdownReason = reason;
    if (d.pauseCount === 0) { this.stopVcpus(d); this.sched.pauseDomain(domid); }
    this.evtchn.sendVirq(VIRQ_DOM_EXC);
    if (notify) this.onDomainException(domid);
  }

  /** Resume a domain that shut down with reason suspend (a cancelled save). */
  resumeDomain(domid: number): void {
    const d = this.get(domid);
    if (!d.shutdown) return;
    d.shutdown = false;
    if (d.pauseCount === 0) this.runVcpus(d);
  }

  setWorkloadDemand(domid: number, vcpu: number, frac: number): void {
    this.vcpuLoad.set(`${domid}:${vcpu}`, frac);
    this.sched.setDemand(domid, vcpu, this.workDemand(domid, vcpu, frac));
  }

  /**
   * A workload below 1 is a fixed amount of work per period: on a pCPU running slower than the
   * speed it was sized at, the same work takes proportionally more CPU time. A vCPU that wants
   * all of its CPU (1) spins whatever the frequency.
   */
  private workDemand(domid: number, vcpu: number, frac: number): number {
    if (frac >= 1 || frac <= 0) return frac;
    const cpu = this.sched.vcpu(domid, vcpu).pcpu;
    return cpu >= 0 && cpu < this.pm.nrPcpus ? Math.min(1, frac * this.pm.workScale(cpu)) : frac;
  }

  /** A pCPU's frequency changed: the vCPUs there get their workloads' new CPU demand. */
  private rescaleWork(cpu: number): void {
    for (const [key, frac] of this.vcpuLoad) {
      const [domid, vcpu] = key.split(':').map(Number) as [number, number];
      if (this.domains.has(domid) && this.sched.vcpu(domid, vcpu).pcpu === cpu) this.sched.setDemand(domid, vcpu, this.workDemand(domid, vcpu, frac));
    }
  }

  // ---- tracing (xentrace's side of XEN_SYSCTL_tbuf_op) ----------------------------------------

  /** Allocate the rings if need be (`pages` is ignored once they exist) and start recording. */
  startTracing(pages?: number): void {
    if (!this.trace.allocated) this.trace.setSize(pages);
    if (this.trace.enabled) return;
    this.traceActivity.start(this.clock.now());
    this.trace.enable();
  }

  stopTracing(): void {
    if (!this.trace.enabled) return;
    this.traceActivity.flush(this.clock.now());
    this.trace.disable();
  }

  /** What xentrace reads in one poll: each pCPU's unread records as a window, activity up to now included. */
  drainTrace(into?: Buffer): Buffer {
    this.traceActivity.flush(this.clock.now());
    return this.trace.drain(into);
  }

  /** TRC_MEM_PAGE_GRANT_MAP / _UNMAP: one word naming the granter, on the pCPU of the mapper's vCPU 0. */
  private traceGrant(event: number, mapper: number, granter: number): void {
    if (this.trace.enabled) this.trace.record(this.vcpu0Cpu(mapper), this.clock.now(), event, [granter & 0xffff]);
  }

  /** Where a domain's vCPU 0 is (pCPU 0 if the domain does not exist): the toolstack's hypercalls run on Dom0's. */
  private vcpu0Cpu(domid: number): number {
    return this.domains.has(domid) ? this.sched.vcpu(domid, 0).pcpu : 0;
  }

  /**
   * TRC_MEM_DECREASE_RESERVATION per extent handed back: {u64 gfn; int d:16, order:16}. The
   * balloon gives back the top of the guest's memory, in 2 MiB extents where it can.
   */
  private traceDecreaseReservation(d: Domain, firstGfn: number, pages: number): void {
    const cpu = this.vcpu0Cpu(d.domid), now = this.clock.now();
    let gfn = firstGfn;
    for (let left = pages; left > 0;) {
      const order = left >= 512 && gfn % 512 === 0 ? 9 : 0;
      this.trace.record(cpu, now, TRC_MEM_DECREASE_RESERVATION,
        [gfn % 0x100000000, Math.floor(gfn / 0x100000000), ((d.domid & 0xffff) | (order << 16)) >>> 0]);
      gfn += 1 << order;
      left -= 1 << order;
    }
  }

  setVcpusOnline(domid: number, count: number): void {
    const d = this.get(domid);
    for (let v = 0; v < d.maxVcpus; v++) this.sched.setVcpuOnline(domid, v, v < count);
    d.onlineVcpus = count;
  }

  setAffinity(domid: number, vcpu: number, hard: number[] | null, soft: number[] | null): void {
    const d = this.get(domid);
    const cur = d.affinity[vcpu] ?? { hard: null, soft: null };
    d.affinity[vcpu] = { hard: hard ?? cur.hard, soft: soft ?? cur.soft };
    // An empty list is all pCPUs, as no affinity is.
    this.sched.setAffinity(domid, vcpu, d.affinity[vcpu]!.hard ?? [], d.affinity[vcpu]!.soft ?? []);
  }

  setSchedParams(domid: number, p: { weight?: number; cap?: number }): void {
    const d = this.get(domid);
    if (p.weight !== undefined) d.weight = p.weight;
    if (p.cap !== undefined) d.cap = p.cap;
    const s = this.sched.poolOf(domid).sched;
    if (s instanceof Credit2) s.setParams(domid, p);
    else if (s instanceof Credit) s.setDomainParams(domid, p);
  }

  vcpuTimeNs(domid: number, vcpu: number): bigint {
    const d = this.get(domid);
    return (d.cpuBaseNs[vcpu] ?? 0n) + this.sched.vcpuCpuTimeNs(domid, vcpu);
  }

  cpuTimeNs(domid: number): bigint {
    const d = this.get(domid);
    let t = 0n;
    for (let v = 0; v < d.maxVcpus; v++) t += this.vcpuTimeNs(domid, v);
    return t;
  }
}

/** Where a guest frame sits in host memory: each domain's frames in a region of their own. */
function machineFrame(domid: number, gfn: number): number { return 0x100000 + domid * 0x40000 + gfn; }

/** What the boot loader gave Xen (xl info's xen_commandline). */
export function xenCommandLine(m: Machine): string {
  return `placeholder dom0_mem=${m.spec.dom0MemMiB}M,max:${m.spec.dom0MemMiB}M${m.spec.sched ? ` sched=${m.spec.sched}` : ''}`;
}

/** Xen's sched= boot option: an unknown name falls back to the default, as scheduler_init does. */
function bootScheduler(m: Machine): SchedulerName {
  return m.spec.sched && isSchedulerName(m.spec.sched) ? m.spec.sched : 'credit2';
}

function bootBanner(m: Machine, sched: SchedulerName): string[] {
  const kind = schedulerKind(sched);
  const fallback = m.spec.sched && m.spec.sched !== sched ? [`(XEN) Could not find scheduler: ${m.spec.sched}`, `(XEN) Using '${kind.title}' (${sched})`] : [];
  return [
    ' __  __            _  _    _ _____    _____ ',
    ' \\ \\/ /___ _ __   | || |  / |___  |  |___  |',
    "  \\  // _ \\ '_ \\  | || |_ | |  / /     / / ",
    '  /  \\  __/ | | | |__   _|| | / /  _  / /  ',
    ' /_/\\_\\___|_| |_|    |_|(_)_|/_/  (_)/_/   ',
    '                                            ',
    '(XEN) Xen version 4.17.7 (pkg-xen-devel@lists.alioth.debian.org) (gcc (Debian 12.2.0-14+deb12u1) 12.2.0) debug=n Mon Nov  3 12:00:00 UTC 2025',
    '(XEN) Latest ChangeSet: ',
    '(XEN) build-id: ',
    '(XEN) Bootloader: GRUB 2.06-13+deb12u1',
    `(XEN) Command line: ${xenCommandLine(m)}`,
    '(XEN) Xen image load base address: 0',
    '(XEN) Video information:',
    '(XEN)  No VGA detected',
    '(XEN) Disc information:',
    '(XEN)  Found 1 MBR signatures',
    '(XEN)  Found 1 EDD information structures',
    '(XEN) Xen-e820 RAM map:',
    `(XEN)  [0000000000000000, 000000000009fbff] (usable)`,
    `(XEN)  [0000000000100000, ${(m.spec.memoryMiB * 1024 * 1024 - 1).toString(16).padStart(16, '0')}] (usable)`,
    `(XEN) System RAM: ${m.spec.memoryMiB}MB (${m.spec.memoryMiB * 1024}kB)`,
    `(XEN) Domain heap initialised`,
    ...fallback,
    `(XEN) Using scheduler: ${kind.title} (${sched})`,
    ...[...kind.initLines, ...kind.initInfoLines ?? []].map(l => `(XEN) ${l}`),
    // The IOMMU that PCI passthrough relies on (VT-d, sharing EPT's tables).
    '(XEN) Intel VT-d iommu 0 supported page sizes: 4kB, 2MB, 1GB',
    '(XEN) Intel VT-d Snoop Control enabled.',
    '(XEN) Intel VT-d Dom0 DMA Passthrough not enabled.',
    '(XEN) Intel VT-d Queued Invalidation enabled.',
    '(XEN) Intel VT-d Interrupt Remapping enabled.',
    '(XEN) Intel VT-d Posted Interrupt not enabled.',
    '(XEN) Intel VT-d Shared EPT tables enabled.',
    '(XEN) I/O virtualisation enabled',
    '(XEN)  - Dom0 mode: Relaxed',
    '(XEN) Interrupt remapping enabled',
    `(XEN) Detected ${(m.spec.cpuKhz / 1000).toFixed(3)} MHz processor.`,
    `(XEN) Allocated console ring of ${conringSize(m.spec.nrCpus) >> 10} KiB.`,
    `(XEN) Brought up ${m.spec.nrCpus} CPUs`,
    `(XEN) *** Building a PV Dom0 ***`,
    `(XEN) Dom0 has maximum ${m.spec.dom0Vcpus} VCPUs`,
    `(XEN) Scrubbing Free RAM in background`,
    `(XEN) Std. Loglevel: Errors and warnings`,
    `(XEN) Guest Loglevel: Nothing (Rate-limited: Errors and warnings)`,
    `(XEN) *** Serial input to DOM0 (type 'CTRL-a' three times to switch input)`,
    `(XEN) Freed 2048kB init memory`,
  ];
}
