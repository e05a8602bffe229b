// A deterministic, discrete-event model of Xen's credit2 scheduler (xen/common/sched/credit2.c
// and the parts of core.c around it). Nothing here reads the wall clock or sets timers: the owner
// calls advance(toNs) and every scheduling decision up to that simulated instant is made then.
// A vCPU runs until its next decision point (slice end, credit crossing, cap budget exhausted,
// its workload blocking, a tickle), so the cost grows with decisions, not with simulated time.
// Internally times are float64 nanoseconds (exact for 104 days of uptime); the API speaks bigint.
import { NO_TRACE, type TraceSink } from '../trace-sink.ts';
import {
  DOMID_IDLE, RUNSTATE_blocked, RUNSTATE_offline, RUNSTATE_runnable, RUNSTATE_running,
  TRC_SCHED_BLOCK, TRC_SCHED_DOM_ADD, TRC_SCHED_DOM_REM, TRC_SCHED_SLEEP, TRC_SCHED_WAKE,
} from '../trace-events.ts';
import * as K from './constants.ts';
import { EventQueue, TimerHeap } from '../sched-core/event-queue.ts';
import * as T from './trace.ts';
import { blockTime, consume, initialDutyCycle, roll, runPendingNow, ticksBetween, workAt, setDemand, wantsCpu, type VcpuWork } from '../sched-core/workload.ts';
import { type Dom, type Pcpu, type Pool, type Runq, type Vcpu, isRunnable } from './model.ts';
import { type DomainSchedOptions, type Scheduler, type SchedulerOptions, type VcpuInfo, vcpuStateOf } from '../scheduler.ts';
import { burnCredit, creditAfter, runtime } from './credit.ts';
import { credit2Dump } from './dump.ts';
import type { CpuTopology } from '../../machine/host.ts';

export interface Credit2Options extends Omit<SchedulerOptions, 'pcpus'> {
  /** The pool's pCPUs at creation; all of them by default (Pool-0 at boot). */
  pcpus?: number[];
  /** Most pCPUs in one runqueue (sched_credit2_max_cpus_runqueue); the pool is split evenly. */
  runqueuePerSocket?: number;
}

const EV_WAKE = 1, EV_REPL = 2;

/** One cpupool's credit2 instance: it schedules only the pCPUs and domains of its pool. */
export class Credit2 implements Scheduler {
  readonly name = 'credit2' as const;
  private t: number;
  private readonly q = new EventQueue();
  private readonly timers: TimerHeap;
  /** Orders events of one instant across both queues. */
  private seq = 0;
  private readonly sink: TraceSink;
  private readonly timerFired: NonNullable<SchedulerOptions['timer']>;
  private readonly perRq: number;
  /** Every pCPU of the machine; those of other pools have no `pool`. */
  private readonly cpu: Pcpu[] = [];
  private readonly pool: Pool;
  private readonly doms = new Map<number, Dom>();
  private readonly topology: readonly CpuTopology[];
  private readonly wakeTargets: Vcpu[] = [];
  private readonly freeWakeSlots: number[] = [];

  constructor(opts: Credit2Options) {
    this.t = Number(opts.startNs ?? 0n);
    this.sink = opts.trace ?? NO_TRACE;
    this.sink.now[0] = this.t;
    this.timerFired = opts.timer ?? (() => {});
    this.perRq = opts.runqueuePerSocket ?? K.MAX_CPUS_RUNQUEUE;
    this.pool = { pcpus: [], ratelimitNs: (opts.ratelimitUs ?? K.SCHED_DEFAULT_RATELIMIT_US) * 1000, runqs: [] };
    this.timers = new TimerHeap(opts.nrPcpus);
    this.topology = opts.topology ?? Array.from({ length: opts.nrPcpus }, (_, i) => ({ socket: 0, core: i, node: 0 }));
    for (let i = 0; i < opts.nrPcpus; i++)
      this.cpu.push({ id: i, pool: null, rq: null, curr: null, rqIdx: 0, idle: true, tickled: false, tickleAt: 0, idleEntry: this.t, idleSince: this.t, idleNs: 0, blockAt: Infinity, sliceEnd: Infinity });
    this.movePcpus(opts.pcpus ?? this.cpu.map(p => p.id), true);
  }

  // ---- time ------------------------------------------------------------------------------------

  now(): bigint { return BigInt(this.t); }

  /** Run every scheduling decision up to simulated time `toNs`. */
  advance(toNs: bigint): void {
    const to = Number(toNs);
    const q = this.q, timers = this.timers;
    for (;;) {
      const ta = timers.topAt(), qa = q.peekAt();
      if (ta < qa || (ta === qa && timers.topSeq() < q.peekSeq())) {
        // A pCPU's timer or tickle: the end of a slice, its vCPU's workload blocking, a softirq.
        if (ta > to) break;
        const p = this.cpu[timers.topSlot()]!;
        timers.clear(p.id);
        if (ta > this.t) this.setTime(ta);
        const v = p.curr;
        if (v && this.t >= p.blockAt) this.block(v);
        this.schedule(p);
        continue;
      }
      if (qa > to) break;
      const e = q.pop()!;
      const { kind, target, gen } = e;
      if (qa > this.t) this.setTime(qa);
      q.recycle(e);
      if (kind === EV_WAKE) {
        const v = this.wakeTargets[target];
        this.releaseWakeSlot(target);
        if (!v || gen !== v.wakeGen) continue;
        this.timerFired(v.dom.id, v.id, 1);
        this.workloadWake(v);
      } else {
        const d = this.findDomByReplSlot(target);
        if (!d || gen !== d.replGen) continue;
        this.replenish(d);
      }
    }
    if (to > this.t) this.setTime(to);
  }

  /** Time moves, and with it the instant of the trace records. */
  private setTime(t: number): void {
    this.sink.now[0] = this.t = t;
  }

  // ---- the pool's pCPUs ------------------------------------------------------------------------

  /** cpupool-cpu-add: the pCPU joins this pool. */
  addPcpu(pcpu: number): void { this.movePcpus([pcpu], true); }
  /** cpupool-cpu-remove: the pCPU leaves (the pool layer refuses the last one of a pool with domains). */
  removePcpu(pcpu: number): void { this.movePcpus([pcpu], false); }
  pcpus(): number[] { return [...this.pool.pcpus]; }

  setRatelimit(us: number): void { this.pool.ratelimitNs = us * 1000; }
  getRatelimit(): number { return this.pool.ratelimitNs / 1000; }
  /** The runqueues, as lists of pCPUs. */
  runqueues(): number[][] { return this.pool.runqs.map(r => [...r.cpus]); }

  private movePcpus(cpus: number[], join: boolean): void {
    const pool = this.pool;
    let changed = false;
    for (const c of cpus) {
      const p = this.cpu[c];
      if (!p) throw new Error(`no pcpu ${c}`);
      if ((p.pool === pool) === join) continue;
      if (!join && pool.pcpus.length === 1 && this.doms.size) throw new Error(`EBUSY: last cpu of a cpupool with domains`);
      pool.pcpus = join ? [...pool.pcpus, c].sort((x, y) => x - y) : pool.pcpus.filter(x => x !== c);
      p.pool = join ? pool : null;
      changed = true;
    }
    if (!changed) { if (!pool.runqs.length) this.rebuildPool(pool); return; }
    // Everything running stops, runqueues are rebuilt and the vCPUs requeued.
    const affected = [...this.doms.values()];
    for (const d of affected) for (const v of d.vcpus) this.detach(v);
    for (const c of cpus) { const p = this.cpu[c]!; if (!p.pool) { p.rq = null; this.descheduleIdle(p); } }
    this.rebuildPool(pool);
    for (const d of affected) for (const v of d.vcpus) this.attach(v);
  }

  private rebuildPool(pool: Pool): void {
    const n = pool.pcpus.length;
    const nrq = n === 0 ? 0 : Math.ceil(n / this.perRq);
    pool.runqs = [];
    let k = 0;
    for (let i = 0; i < nrq; i++) {
      const size = Math.floor(n / nrq) + (i < n % nrq ? 1 : 0);
      const cpus = pool.pcpus.slice(k, k + size);
      k += size;
      const rq: Runq = { id: i, pool, cpus, runq: [], svc: new Set(), maxWeight: 1, pickBias: cpus[0]!, busy: 0, since: new Float64Array(size).fill(Infinity) };
      pool.runqs.push(rq);
      cpus.forEach((c, j) => { const p = this.cpu[c]!; p.rq = rq; p.rqIdx = j; p.tickled = false; });
    }
  }

  // ---- domains --------------------------------------------------------------------------------

  addDomain(domid: number, o: DomainSchedOptions): void {
    if (this.doms.has(domid)) throw new Error(`domain ${domid} exists`);
    const pool = this.pool;
    if (pool.pcpus.length === 0) throw new Error('cpupool has no cpus');
    const d: Dom = {
      id: domid, weight: o.weight ?? K.CSCHED2_DEFAULT_WEIGHT, cap: 0, pool, paused: o.paused ?? false, dying: false,
      vcpus: [], budget: 0, totBudget: 0, nextRepl: 0, parked: [], replGen: 0, replPending: false,
    };
    this.doms.set(domid, d);
    if (this.sink.enabled) T.domOp(this.sink, pool.pcpus[0]!, TRC_SCHED_DOM_ADD, domid);
    const online = o.onlineVcpus ?? o.nrVcpus;
    for (let i = 0; i < o.nrVcpus; i++) {
      const v: Vcpu = {
        dom: d, id: i, word: T.unitWord(domid, i), credit: K.CSCHED2_CREDIT_INIT, residual: 0, budget: Infinity, budgetQuota: 0,
        rq: null, onRunq: false, processor: pool.pcpus[0]!, running: false, runstate: RUNSTATE_offline, stateEntry: this.t,
        startTime: this.t, runFrom: this.t, cpuNs: Number(o.cpuTimeNs?.[i] ?? 0n), tickledCpu: -1, online: i < online, blocked: false, parked: false,
        hard: o.hardAffinity?.[i] ?? null, soft: o.softAffinity?.[i] ?? null, eff: new Uint8Array(this.cpu.length), softMask: null,
        pinned: false, work: initialDutyCycle(domid, i, o, this.t), wakeGen: 0,
      };
      v.blocked = !wantsCpu(v.work);
      v.runstate = !v.online || d.paused ? RUNSTATE_offline : v.blocked ? RUNSTATE_blocked : RUNSTATE_runnable;
      d.vcpus.push(v);
    }
    if (o.cap) this.applyCap(d, o.cap);
    for (const v of d.vcpus) this.attach(v);
  }

  removeDomain(domid: number): void {
    const d = this.getDom(domid);
    d.dying = true;
    for (const v of d.vcpus) { v.wakeGen++; this.detach(v); }
    d.replGen++;
    this.replSlots.delete(domid);
    if (this.sink.enabled) T.domOp(this.sink, d.pool.pcpus[0] ?? 0, TRC_SCHED_DOM_REM, domid);
    this.doms.delete(domid);
  }

  domains(): number[] { return [...this.doms.keys()].sort((a, b) => a - b); }

  /** Weight and cap; validate with params.ts first. */
  setParams(domid: number, p: { weight?: number; cap?: number }): void {
    const d = this.getDom(domid);
    if (p.weight !== undefined && p.weight !== d.weight) {
      d.weight = p.weight;
      const rqs = new Set<Runq>();
      for (const v of d.vcpus) if (v.rq) rqs.add(v.rq);
      for (const rq of rqs) this.updateMaxWeight(rq);
    }
    if (p.cap !== undefined && p.cap !== d.cap) this.applyCap(d, p.cap);
  }

  getParams(domid: number): { weight: number; cap: number } {
    const d = this.getDom(domid);
    return { weight: d.weight, cap: d.cap };
  }

  pauseDomain(domid: number): void {
    const d = this.getDom(domid);
    if (d.paused) return;
    d.paused = true;
    for (const v of d.vcpus) {
      if (this.sink.enabled) T.vcpuOp(this.sink, v.processor, TRC_SCHED_SLEEP, domid, v.id);
      this.sleep(v);
    }
  }

  unpauseDomain(domid: number): void {
    const d = this.getDom(domid);
    if (!d.paused) return;
    d.paused = false;
    for (const v of d.vcpus) this.wake(v);
  }

  setVcpuOnline(domid: number, vcpu: number, online: boolean): void {
    const v = this.getVcpu(domid, vcpu);
    if (v.online === online) return;
    v.online = online;
    if (online) this.wake(v);
    else {
      if (this.sink.enabled) T.vcpuOp(this.sink, v.processor, TRC_SCHED_SLEEP, domid, vcpu);
      this.sleep(v);
    }
  }

  /** Hard and soft affinity; null keeps the current one. An empty hard list means all pCPUs. */
  setAffinity(domid: number, vcpu: number, hard: number[] | null, soft: number[] | null): void {
    const v = this.getVcpu(domid, vcpu);
    if (hard) v.hard = hard.length ? [...hard] : null;
    if (soft) v.soft = soft.length ? [...soft] : null;
    this.computeMasks(v);
    if (v.running) {
      if (!v.eff[v.processor] && v.processor >= 0) this.tickleCpu(this.cpu[v.processor]!);
    } else if (v.rq && !this.rqAllowed(v, v.rq)) {
      // Its runqueue has no pCPU it may use any more: move it (csched2_unit_migrate).
      this.detach(v);
      this.attach(v);
    } else if (v.onRunq && !v.eff[v.processor]) {
      this.runqRemove(v);
      v.processor = this.pickCpuIn(v, v.rq!);
      this.runqInsert(v);
      this.runqTickle(v);
    }
  }

  /** The vCPU's workload: the fraction of wall time it wants to run (see workload.ts). */
  setDemand(domid: number, vcpu: number, frac: number): void {
    const v = this.getVcpu(domid, vcpu);
    const w = v.work;
    if (v.running) this.accountRun(v);
    else roll(w, this.t);
    const end = w.periodEnd;
    setDemand(w, frac, this.t);
    if (v.running) {
      const p = this.cpu[v.processor]!;
      p.blockAt = blockTime(w, this.t);
      this.armTimer(p);
    } else if (v.blocked && wantsCpu(w)) {
      v.wakeGen++;
      this.workloadWake(v);
    } else if (!v.blocked && !wantsCpu(w)) {
      // Runnable but no longer wanting CPU: it blocks now.
      if (v.onRunq) this.runqRemove(v);
      this.block(v);
      this.setRunstate(v, RUNSTATE_blocked);
      this.armWake(v);
    } else if (v.blocked && w.periodEnd !== end) {
      // Its period was cut short: it wakes at the new end.
      this.armWake(v);
    }
  }

  // ---- queries --------------------------------------------------------------------------------

  vcpu(domid: number, vcpu: number): VcpuInfo {
    const v = this.getVcpu(domid, vcpu);
    return {
      cpuTimeNs: BigInt(Math.round(this.vcpuCpuNs(v))), state: vcpuStateOf(v), pcpu: v.processor, online: v.online,
      hard: v.hard ? [...v.hard] : this.cpu.map(p => p.id), soft: v.soft ? [...v.soft] : this.cpu.map(p => p.id),
    };
  }

  vcpuWork(domid: number, vcpu: number): VcpuWork { return workAt(this.getVcpu(domid, vcpu), this.t); }

  resume(): void {
    runPendingNow(this.cpu, p => p.rq !== null, p => {
      this.timers.clear(p.id);
      if (p.curr && this.t >= p.blockAt) this.block(p.curr);
      this.schedule(p);
    });
  }

  vcpuCpuTimeNs(domid: number, vcpu: number): bigint { return BigInt(Math.round(this.vcpuCpuNs(this.getVcpu(domid, vcpu)))); }

  vcpuStatus(domid: number, vcpu: number): Pick<VcpuInfo, 'state' | 'online'> {
    const v = this.getVcpu(domid, vcpu);
    return { state: vcpuStateOf(v), online: v.online };
  }

  nrVcpus(domid: number): number { return this.getDom(domid).vcpus.length; }

  domainCpuTimeNs(domid: number): bigint {
    let s = 0;
    for (const v of this.getDom(domid).vcpus) s += this.vcpuCpuNs(v);
    return BigInt(Math.round(s));
  }

  pcpuIdleTimeNs(pcpu: number): bigint {
    const p = this.cpu[pcpu];
    if (!p) throw new Error(`no pcpu ${pcpu}`);
    return BigInt(Math.round(p.idleNs + (p.curr ? 0 : this.t - p.idleSince)));
  }

  /** The domain running on a pCPU, or null when it is idle. */
  pcpuCurrent(pcpu: number): { domid: number; vcpu: number } | null {
    const v = this.cpu[pcpu]?.curr;
    return v ? { domid: v.dom.id, vcpu: v.id } : null;
  }

  /** The scheduler's own state, read only, for the 'r' debug key's dump (csched2_dump). */
  dumpView(): { pool: Pool; doms: readonly Dom[]; pcpus: readonly Pcpu[] } {
    return { pool: this.pool, doms: [...this.doms.values()], pcpus: this.cpu };
  }

  dump(): string[] { return credit2Dump(this.dumpView(), this.topology); }

  private vcpuCpuNs(v: Vcpu): number { return v.cpuNs + (v.running ? this.t - v.runFrom : 0); }

  // ---- placement ------------------------------------------------------------------------------

  private computeMasks(v: Vcpu): void {
    const pool = v.dom.pool;
    const eff = v.eff;
    eff.fill(0);
    let any = false;
    const hard = v.hard ?? pool.pcpus;
    for (const c of hard) if (this.cpu[c]?.pool === pool) { eff[c] = 1; any = true; }
    if (!any) for (const c of pool.pcpus) eff[c] = 1;
    let n = 0;
    for (const c of pool.pcpus) n += eff[c]!;
    v.pinned = n === 1;
    v.softMask = null;
    if (v.soft) {
      const m = new Uint8Array(this.cpu.length);
      let inter = 0, covers = true;
      for (const c of v.soft) if (c < m.length) m[c] = 1;
      for (const c of pool.pcpus) if (eff[c]) { if (m[c]) inter++; else covers = false; }
      // has_soft_affinity(): soft must restrict hard and intersect it.
      if (inter > 0 && !covers) v.softMask = m;
    }
  }

  private rqAllowed(v: Vcpu, rq: Runq): boolean {
    for (const c of rq.cpus) if (v.eff[c]) return true;
    return false;
  }

  /** Place a vCPU of its domain's pool on a runqueue and queue it if runnable. */
  private attach(v: Vcpu): void {
    this.computeMasks(v);
    const rq = this.pickRunq(v);
    this.runqAssign(v, rq, this.pickCpuIn(v, rq));
    if (isRunnable(v)) {
      this.setRunstate(v, RUNSTATE_runnable);
      this.runqInsert(v);
      this.runqTickle(v);
    } else if (v.blocked && v.online && !v.dom.paused) this.armWake(v);
  }

  /** Take a vCPU off its pCPU and runqueue (the caller re-attaches it, or it is going away). */
  private detach(v: Vcpu): void {
    if (v.running) {
      const p = this.cpu[v.processor]!;
      const hold = v.dom.dying;
      v.dom.dying = true; // not runnable during this switch
      this.schedule(p);
      v.dom.dying = hold;
      if (v.running) this.descheduleIdle(p);
    }
    if (v.onRunq) this.runqRemove(v);
    if (v.rq) this.runqDeassign(v);
  }

  /** Force a pCPU to idle (its pool went away); its vCPU is simply dropped from it. */
  private descheduleIdle(p: Pcpu): void {
    const v = p.curr;
    if (v) {
      this.accountRun(v);
      this.burn(v);
      v.running = false;
      if (p.rq) { p.rq.busy--; p.rq.since[p.rqIdx] = Infinity; }
      p.curr = null;
      this.setRunstate(v, isRunnable(v) ? RUNSTATE_runnable : v.blocked ? RUNSTATE_blocked : RUNSTATE_offline);
      p.idleSince = this.t;
      p.idleEntry = this.t;
    }
    p.idle = true;
    // A pending tickle dies with the timer: a pCPU left marked tickled would turn away, for ever,
    // every vCPU once tickled to it (runqCandidate skips those).
    p.tickled = false;
    p.blockAt = Infinity;
    this.timers.clear(p.id);
  }

  private pickRunq(v: Vcpu): Runq {
    let best: Runq | null = null, bestLoad = Infinity, bestSoft: Runq | null = null, bestSoftLoad = Infinity;
    for (const rq of v.dom.pool.runqs) {
      if (!this.rqAllowed(v, rq)) continue;
      let load = (rq.runq.length + rq.busy) / rq.cpus.length;
      if (rq === v.rq) load -= 1 / rq.cpus.length;
      if (load < bestLoad) { bestLoad = load; best = rq; }
      if (v.softMask && load < bestSoftLoad && rq.cpus.some(c => v.softMask![c] && v.eff[c])) { bestSoftLoad = load; bestSoft = rq; }
    }
    const rq = bestSoft ?? best ?? v.dom.pool.runqs[0]!;
    return rq;
  }

  /** A pCPU of rq in v's hard (soft, if any) affinity, cycling from the runqueue's pick bias. */
  private pickCpuIn(v: Vcpu, rq: Runq): number {
    const cpus = rq.cpus;
    const start = Math.max(0, cpus.indexOf(rq.pickBias));
    let hardPick = -1;
    for (let k = 1; k <= cpus.length; k++) {
      const c = cpus[(start + k) % cpus.length]!;
      if (!v.eff[c]) continue;
      if (!v.softMask || v.softMask[c]) { rq.pickBias = c; return c; }
      if (hardPick < 0) hardPick = c;
    }
    const c = hardPick >= 0 ? hardPick : cpus[0]!;
    rq.pickBias = c;
    return c;
  }

  private runqAssign(v: Vcpu, rq: Runq, cpu: number): void {
    v.rq = rq;
    v.processor = cpu;
    rq.svc.add(v);
    if (this.sink.enabled) {
      T.pickedCpu(this.sink, cpu, v.word, rq.id, cpu, 0);
      T.runqAssign(this.sink, cpu, v.word, rq.id);
    }
    if (v.dom.weight > rq.maxWeight) { rq.maxWeight = v.dom.weight; this.traceMaxWeight(rq); }
  }

  private runqDeassign(v: Vcpu): void {
    const rq = v.rq!;
    rq.svc.delete(v);
    v.rq = null;
    if (v.dom.weight >= rq.maxWeight) this.updateMaxWeight(rq);
  }

  private updateMaxWeight(rq: Runq): void {
    let m = 1;
    for (const s of rq.svc) if (s.dom.weight > m) m = s.dom.weight;
    rq.maxWeight = m;
    this.traceMaxWeight(rq);
  }

  private traceMaxWeight(rq: Runq): void {
    if (this.sink.enabled) T.runqMaxWeight(this.sink, rq.cpus[0]!, rq.id, rq.maxWeight);
  }

  // ---- runqueue ---------------------------------------------------------------------------------


  /** Insert keeping credit order; equal credits queue behind each other (runq_insert). */
  private runqInsert(v: Vcpu): void {
    const rq = v.rq!;
    const a = rq.runq;
    let lo = 0, hi = a.length;
    const c = v.credit;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (a[mid]!.credit >= c) lo = mid + 1; else hi = mid; }
    a.splice(lo, 0, v);
    v.onRunq = true;
    if (this.sink.enabled) T.runqPos(this.sink, v.processor, v.word, lo);
  }

  private runqRemove(v: Vcpu): void {
    const a = v.rq!.runq;
    // The head is the common case; shift() is cheap in V8 (left-trimming), splice is not.
    if (a[0] === v) a.shift();
    else { const i = a.indexOf(v); if (i >= 0) a.splice(i, 1); }
    v.onRunq = false;
  }

  /**
   * Raise SCHEDULE_SOFTIRQ on a pCPU. It runs the scheduler TICKLE_LATENCY later, as the IPI
   * would: besides being what happens, this keeps a vCPU that leaves one pCPU from showing up on
   * another at the very same TSC, which trace consumers (xenalyze) cannot order.
   */
  private tickleCpu(p: Pcpu): void {
    if (!p.tickled) { p.tickled = true; p.tickleAt = this.t + K.TICKLE_LATENCY; }
    this.timers.set(p.id, p.tickleAt, this.seq++);
  }

  /** (Re)arm the pCPU's next decision; a pending tickle keeps its time. */
  private armTimer(p: Pcpu): void {
    const at = p.tickled ? p.tickleAt : p.blockAt < p.sliceEnd ? p.blockAt : p.sliceEnd;
    if (at !== Infinity) this.timers.set(p.id, at, this.seq++);
    else this.timers.clear(p.id);
  }

  /** tickle_score() for a busy pCPU already found preemptable (is_preemptable()). */
  private tickleScore(nw: Vcpu, p: Pcpu, cur: Vcpu): number {
    // Burning now or later gives the same credit (the residual carries), so when nobody records
    // the CREDIT_BURN, peek at the credit instead of burning: this runs for many busy pCPUs.
    let curCredit: number;
    if (this.sink.enabled) { this.burn(cur); curCredit = cur.credit; } else curCredit = creditAfter(cur, cur.rq!.maxWeight, this.t);
    let score = nw.credit - curCredit;
    if (nw.processor !== p.id) score -= K.CSCHED2_MIGRATE_RESIST;
    if (score > 0) {
      // No soft affinity means all pCPUs are in it.
      if (!nw.softMask || nw.softMask[p.id]) score += K.CSCHED2_CREDIT_INIT;
      if (cur.softMask && !cur.softMask[p.id]) score += K.CSCHED2_CREDIT_INIT;
    }
    if (this.sink.enabled) T.tickleCheck(this.sink, p.id, cur.word, curCredit, score);
    return score;
  }


  /** Find a pCPU for a vCPU just queued: an idle one, else the one it may best preempt. */
  private runqTickle(nw: Vcpu): void {
    const rq = nw.rq!;
    const cpu = nw.processor;
    if (this.sink.enabled) T.tickleNew(this.sink, cpu, nw.word, cpu, nw.credit);
    let ipid = -1;
    const pc = this.cpu;
    const self = pc[cpu]!;
    if (nw.pinned && self.idle && !self.tickled) ipid = cpu;
    else {
      ipid = this.idleIn(nw, rq, cpu);
      if (ipid < 0) {
        // No idler here: work conservation across the pool's runqueues (an idle pCPU elsewhere
        // may take it; in Xen the load balancer gets there more slowly).
        for (const o of rq.pool.runqs) {
          if (o === rq || o.busy === o.cpus.length) continue;
          const c = this.idleIn(nw, o, -1);
          if (c >= 0) { this.migrateTo(nw, o, c); ipid = c; break; }
        }
      }
      if (ipid < 0) {
        // Busy pCPUs: preempt where the score is best, its own pCPU first. The cheap tests that
        // reject most of them (tickled, not preemptable yet) come before any credit arithmetic.
        let max = 0;
        const rl = rq.pool.ratelimitNs;
        const minRan = rl <= K.CSCHED2_RATELIMIT_TICKLE_TOLERANCE ? -Infinity : rl - K.CSCHED2_RATELIMIT_TICKLE_TOLERANCE;
        const now = this.t;
        const since = rq.since;
        if (now - since[self.rqIdx]! > minRan && !self.tickled && nw.eff[cpu]) {
          const s = this.tickleScore(nw, self, self.curr!);
          if (s > max) { max = s; ipid = cpu; }
        }
        if (!(ipid === cpu && (!nw.softMask || nw.softMask[cpu]))) {
          const cpus = rq.cpus;
          for (let i = 0; i < cpus.length; i++) {
            if (now - since[i]! <= minRan) continue; // idle, or not preemptable yet
            const c = cpus[i]!;
            const p = pc[c]!;
            if (c === cpu || p.tickled || !nw.eff[c]) continue;
            const s = this.tickleScore(nw, p, p.curr!);
            if (s > max) { max = s; ipid = c; }
          }
        }
      }
    }
    if (ipid < 0) return;
    if (this.sink.enabled) T.tickle(this.sink, cpu, ipid);
    this.tickleCpu(pc[ipid]!);
    nw.tickledCpu = ipid;
  }

  /** An idle, untickled pCPU of rq that v may use, soft affinity first, `from` preferred. */
  private idleIn(v: Vcpu, rq: Runq, from: number): number {
    if (rq.busy === rq.cpus.length) return -1;
    const pc = this.cpu;
    for (let pass = v.softMask ? 0 : 1; pass < 2; pass++) {
      const mask = pass === 0 ? v.softMask! : null;
      if (from >= 0) {
        const p = pc[from]!;
        if (p.idle && !p.tickled && v.eff[from] && (!mask || mask[from])) return from;
      }
      // cpumask_cycle: the next one after `from`, wrapping.
      let first = -1;
      for (const c of rq.cpus) {
        const p = pc[c]!;
        if (!p.idle || p.tickled || !v.eff[c] || (mask && !mask[c])) continue;
        if (c > from) return c;
        if (first < 0) first = c;
      }
      if (first >= 0) return first;
    }
    return -1;
  }

  /** Move a queued vCPU to another runqueue of its pool (csched2 migrate()). */
  private migrateTo(v: Vcpu, to: Runq, cpu: number): void {
    if (this.sink.enabled) T.migrate(this.sink, v.processor, v.word, v.rq!.id, to.id);
    const queued = v.onRunq;
    if (queued) this.runqRemove(v);
    this.runqDeassign(v);
    this.runqAssign(v, to, cpu);
    if (queued) this.runqInsert(v);
  }

  // ---- credits and budget ------------------------------------------------------------------------

  /** burn_credits(); its record goes to the pCPU doing the accounting (`cpu`), by default the vCPU's own. */
  private burn(v: Vcpu, cpu = v.processor): void {
    const delta = this.t - v.startTime;
    if (delta > 0) {
      burnCredit(v, v.rq!.maxWeight, delta);
      if (v.dom.cap) v.budget -= delta;
      v.startTime = this.t;
    }
    if (this.sink.enabled) T.creditBurn(this.sink, cpu, v.word, v.credit, v.dom.cap ? v.budget : null, delta);
  }

  /** reset_credit() run by pCPU `cpu`: its records go to that pCPU's trace buffer, as Xen's do. */
  private resetCredit(rq: Runq, snext: Vcpu, cpu: number): void {
    let reset = K.CSCHED2_CREDIT_INIT;
    if (snext.credit === K.CSCHED2_CREDIT_MIN) reset += K.CSCHED2_CREDIT_INIT;
    const max = K.CSCHED2_CREDIT_INIT + K.CSCHED2_CARRYOVER_MAX;
    const tracing = this.sink.enabled;
    for (const s of rq.svc) {
      if (s.running) {
        this.burn(s, cpu);
        if (s.dom.cap && s.budget <= 0) this.tickleCpu(this.cpu[s.processor]!);
      }
      const start = s.credit;
      let c = start + reset;
      if (c > max) c = max;
      s.credit = c;
      s.startTime = this.t;
      if (tracing) T.creditReset(this.sink, cpu, s.word, start, c);
    }
  }

  private applyCap(d: Dom, cap: number): void {
    const was = d.cap;
    d.cap = cap;
    if (cap) {
      d.totBudget = (K.CSCHED2_BDGT_REPL_PERIOD * cap) / 100;
      const quota = Math.max(d.totBudget / d.vcpus.length, K.CSCHED2_MIN_TIMER);
      if (!was) {
        d.budget = d.totBudget;
        d.nextRepl = this.t + K.CSCHED2_BDGT_REPL_PERIOD;
      }
      for (const v of d.vcpus) {
        if (!was) { if (v.running) this.burn(v); v.budget = 0; }
        v.budgetQuota = quota;
      }
      // A running vCPU with no budget must grab some or be parked at its next decision.
      for (const v of d.vcpus) if (v.running && !was) this.tickleCpu(this.cpu[v.processor]!);
    } else {
      d.replGen++;
      d.replPending = false;
      for (const v of d.vcpus) { if (v.running) this.burn(v); v.budget = Infinity; }
      this.unpark(d);
    }
  }

  /** Apply the replenishments due by now (lazily: a timer is armed only when someone is parked). */
  private catchUpBudget(d: Dom): void {
    if (d.nextRepl > this.t) return;
    do { d.budget += d.totBudget; d.nextRepl += K.CSCHED2_BDGT_REPL_PERIOD; } while (d.nextRepl <= this.t);
    if (d.budget > d.totBudget) d.budget = d.totBudget;
  }

  private grabBudget(v: Vcpu): boolean {
    if (v.budget > 0) return true;
    const d = v.dom;
    this.catchUpBudget(d);
    d.budget += v.budget;
    if (d.budget > 0) {
      const b = d.budget >= v.budgetQuota ? v.budgetQuota : d.budget;
      v.budget = b;
      d.budget -= b;
    } else {
      v.budget = 0;
      this.park(v);
    }
    return v.budget > 0;
  }

  private park(v: Vcpu): void {
    v.parked = true;
    if (v.onRunq) this.runqRemove(v);
    const d = v.dom;
    d.parked.push(v);
    if (!d.replPending) {
      d.replPending = true;
      d.replGen++;
      this.q.push(d.nextRepl, this.seq++, EV_REPL, this.replSlot(d), d.replGen);
    }
  }

  private returnBudget(v: Vcpu): void {
    const d = v.dom;
    this.catchUpBudget(d);
    d.budget += v.budget;
    v.budget = 0;
    if (d.budget > 0) this.unpark(d);
  }

  private replenish(d: Dom): void {
    d.replPending = false;
    this.catchUpBudget(d);
    if (d.budget > 0) this.unpark(d);
    else if (d.parked.length) {
      d.replPending = true;
      d.replGen++;
      this.q.push(d.nextRepl, this.seq++, EV_REPL, this.replSlot(d), d.replGen);
    }
  }

  private unpark(d: Dom): void {
    const list = d.parked;
    if (!list.length) return;
    d.parked = [];
    for (const v of list) {
      v.parked = false;
      if (!v.running && !v.onRunq && v.rq && isRunnable(v)) {
        // Xen leaves the runstate at offline until it runs; xenalyze calls offline->running
        // strange, so we say runnable here.
        this.setRunstate(v, RUNSTATE_runnable);
        this.runqInsert(v);
        this.runqTickle(v);
      }
    }
  }

  // Domains are found from REPL events through a small slot table (event targets are numbers).
  private replSlots = new Map<number, Dom>();
  private replSlot(d: Dom): number { this.replSlots.set(d.id, d); return d.id; }
  private findDomByReplSlot(id: number): Dom | undefined {
    const d = this.replSlots.get(id);
    return d && this.doms.get(id) === d ? d : undefined;
  }

  // ---- wake / sleep / block ----------------------------------------------------------------------

  private setRunstate(v: Vcpu, s: number): void {
    if (v.runstate === s) return;
    if (this.sink.enabled) T.runstateChange(this.sink, v.processor, v.dom.id, v.id, v.runstate, s);
    v.runstate = s;
    v.stateEntry = this.t;
  }

  /** vcpu_wake(): the vCPU may have become runnable. */
  private wake(v: Vcpu): void {
    if (this.sink.enabled) T.vcpuOp(this.sink, v.processor, TRC_SCHED_WAKE, v.dom.id, v.id);
    if (isRunnable(v)) {
      if (v.runstate >= RUNSTATE_blocked) this.setRunstate(v, RUNSTATE_runnable);
      if (v.running || v.onRunq || !v.rq) return;
      this.runqInsert(v);
      this.runqTickle(v);
    } else {
      if (!v.blocked && v.runstate === RUNSTATE_blocked) this.setRunstate(v, RUNSTATE_offline);
      if (v.blocked && v.online && !v.dom.paused && !v.running) this.armWake(v);
    }
  }

  /** vcpu_sleep_nosync(): paused or taken offline. */
  private sleep(v: Vcpu): void {
    v.wakeGen++;
    if (v.runstate === RUNSTATE_runnable) this.setRunstate(v, RUNSTATE_offline);
    if (v.running) this.tickleCpu(this.cpu[v.processor]!);
    else if (v.onRunq) this.runqRemove(v);
  }

  /** The workload has had its fill for this period (vcpu_block). */
  private block(v: Vcpu): void {
    if (v.running) this.accountRun(v);
    v.blocked = true;
    if (this.sink.enabled) T.vcpuOp(this.sink, v.processor, TRC_SCHED_BLOCK, v.dom.id, v.id);
  }

  private armWake(v: Vcpu): void {
    const w = v.work;
    if (w.quota <= 0) return;
    v.wakeGen++;
    const slot = this.freeWakeSlots.length ? this.freeWakeSlots.pop()! : this.wakeTargets.length;
    this.wakeTargets[slot] = v;
    this.q.push(w.periodEnd > this.t ? w.periodEnd : this.t, this.seq++, EV_WAKE, slot, v.wakeGen);
  }

  private releaseWakeSlot(slot: number): void {
    this.wakeTargets[slot] = undefined as unknown as Vcpu;
    this.freeWakeSlots.push(slot);
  }

  /** A new workload period began for a blocked vCPU. */
  private workloadWake(v: Vcpu): void {
    if (!this.doms.has(v.dom.id) || v.running) return;
    roll(v.work, this.t);
    if (!wantsCpu(v.work)) { this.armWake(v); return; }
    v.blocked = false;
    this.wake(v);
  }

  /** CPU time and workload consumption of a running vCPU up to now. */
  private accountRun(v: Vcpu): void {
    const from = v.runFrom, to = this.t;
    if (to <= from) return;
    const cpu = v.cpuNs;
    v.cpuNs += to - from;
    consume(v.work, from, to);
    v.runFrom = to;
    const ticks = ticksBetween(cpu, v.cpuNs);
    if (ticks) this.timerFired(v.dom.id, v.id, ticks);
  }

  // ---- the scheduler proper ---------------------------------------------------------------------

  /** csched2_schedule() plus the context switch of core.c, on one pCPU at the current instant. */
  private schedule(p: Pcpu): void {
    const rq = p.rq;
    if (!rq) { p.tickled = false; return; }
    const now = this.t;
    const tracing = this.sink.enabled;
    const tickled = p.tickled;
    p.tickled = false;
    const prev = p.curr;
    if (tracing) T.schedule(this.sink, p.id, rq.id, prev === null, p.idle, tickled);

    if (prev) {
      this.accountRun(prev);
      this.burn(prev);
      if (prev.dom.cap && prev.budget <= 0) this.grabBudget(prev);
    }

    let snext = this.runqCandidate(rq, prev, p);
    if (!snext && !rq.runq.length && rq.pool.runqs.length > 1 && this.steal(p)) snext = this.runqCandidate(rq, prev, p);

    if (snext) {
      if (snext !== prev) this.runqRemove(snext);
      p.idle = false;
      const head = rq.runq[0];
      const top = head && head.credit > snext.credit ? head.credit : snext.credit;
      if (top <= K.CSCHED2_CREDIT_RESET) {
        this.resetCredit(rq, snext, p.id);
        this.balanceLoad(rq);
      }
      snext.startTime = now;
      snext.tickledCpu = -1;
      if (snext.processor !== p.id) {
        snext.credit += K.CSCHED2_MIGRATE_COMPENSATION;
        snext.processor = p.id;
      }
    } else p.idle = true;

    const slice = snext ? runtime(snext, rq.runq[0], rq.maxWeight, rq.pool.ratelimitNs, snext === prev, now) : -1;
    this.contextSwitch(p, prev, snext, slice);
  }

  private runqCandidate(rq: Runq, scurr: Vcpu | null, p: Pcpu): Vcpu | null {
    const cpu = p.id, now = this.t;
    const tracing = this.sink.enabled;
    let snext: Vcpu | null = null;
    if (scurr) {
      const ok = isRunnable(scurr) && scurr.eff[cpu] === 1;
      const rl = rq.pool.ratelimitNs;
      if (rl && ok && now - scurr.stateEntry < rl) {
        if (tracing) T.ratelimit(this.sink, cpu, scurr.word, now - scurr.stateEntry);
        return scurr;
      }
      let softPreempt = false;
      if (scurr.softMask && !scurr.softMask[cpu]) {
        for (const c of rq.cpus) {
          const o = this.cpu[c]!;
          if (scurr.softMask[c] && scurr.eff[c] && o.idle && !o.tickled) { softPreempt = true; break; }
        }
      }
      if (ok && !softPreempt) snext = scurr;
    }
    const snextCredit = snext ? snext.credit : K.CSCHED2_IDLE_CREDIT;
    const a = rq.runq;
    for (let i = 0; i < a.length; i++) {
      const svc = a[i]!;
      if (tracing) T.runqCandCheck(this.sink, cpu, svc.word);
      // The runqueue is in credit order: nobody further down beats the current choice.
      if (svc.credit <= snextCredit) break;
      if (!isRunnable(svc)) continue;
      if (!svc.eff[cpu]) continue;
      if (svc.tickledCpu !== -1 && svc.tickledCpu !== cpu && this.cpu[svc.tickledCpu]!.tickled) continue;
      if (svc.processor !== cpu && snextCredit + K.CSCHED2_MIGRATE_RESIST > svc.credit) continue;
      // A capped vCPU whose domain has no budget left is parked (off the runqueue) and passed
      // over for the next one.
      if (svc.dom.cap && !this.grabBudget(svc)) { if (a[i] !== svc) i--; continue; }
      snext = svc;
      break;
    }
    if (tracing) {
      if (snext) T.runqCandidate(this.sink, cpu, snext.word, snext.tickledCpu, snext.credit);
      else T.runqCandidate(this.sink, cpu, T.unitWord(DOMID_IDLE, cpu), -1, K.CSCHED2_IDLE_CREDIT);
    }
    return snext;
  }

  private contextSwitch(p: Pcpu, prev: Vcpu | null, next: Vcpu | null, slice: number): void {
    const now = this.t;
    const tracing = this.sink.enabled;
    const s = this.sink;
    if (prev === next) {
      if (tracing) {
        const d = next ? next.dom.id : DOMID_IDLE, u = next ? next.id : p.id;
        T.switchInfCont(s, p.id, d, u, now - (next ? next.stateEntry : p.idleEntry), slice);
        T.continueRunning(s, p.id, d, u);
      }
    } else {
      if (tracing) {
        T.switchUnits(s, p.id,
          prev ? prev.dom.id : DOMID_IDLE, prev ? prev.id : p.id, now - (prev ? prev.stateEntry : p.idleEntry),
          next ? next.dom.id : DOMID_IDLE, next ? next.id : p.id,
          next ? (next.runstate === RUNSTATE_runnable ? now - next.stateEntry : 0) : now - p.idleEntry, slice);
      }
      const rq = p.rq!;
      if (prev) {
        prev.running = false;
        rq.busy--;
        this.setRunstate(prev, prev.blocked ? RUNSTATE_blocked : isRunnable(prev) ? RUNSTATE_runnable : RUNSTATE_offline);
      } else {
        if (tracing) T.runstateChange(s, p.id, DOMID_IDLE, p.id, RUNSTATE_running, RUNSTATE_runnable);
        p.idleEntry = now;
        p.idleNs += now - p.idleSince;
      }
      if (next) {
        next.running = true;
        rq.busy++;
        next.runFrom = now;
        roll(next.work, now);
        this.setRunstate(next, RUNSTATE_running);
      } else {
        if (tracing) T.runstateChange(s, p.id, DOMID_IDLE, p.id, RUNSTATE_runnable, RUNSTATE_running);
        p.idleEntry = now;
        p.idleSince = now;
      }
      p.curr = next;
      rq.since[p.rqIdx] = next ? now : Infinity;
      // csched2_context_saved() for prev.
      if (prev) {
        if (prev.dom.cap && prev.budget > 0) this.returnBudget(prev);
        if (isRunnable(prev) && !prev.onRunq) {
          if (!prev.eff[prev.processor] || !this.rqAllowed(prev, rq)) this.replace(prev);
          else { this.runqInsert(prev); this.runqTickle(prev); }
        } else if (prev.blocked && prev.online && !prev.dom.paused && !prev.dom.dying) this.armWake(prev);
      }
    }
    p.sliceEnd = next ? now + slice : Infinity;
    p.blockAt = next ? blockTime(next.work, now) : Infinity;
    this.armTimer(p);
  }

  /** A runnable vCPU whose affinity no longer allows where it is: find it a new home. */
  private replace(v: Vcpu): void {
    const rq = this.pickRunq(v);
    if (rq !== v.rq) { this.runqDeassign(v); this.runqAssign(v, rq, this.pickCpuIn(v, rq)); }
    else v.processor = this.pickCpuIn(v, rq);
    this.runqInsert(v);
    this.runqTickle(v);
  }

  /** An idle pCPU pulls the best queued vCPU it may run from another runqueue of its pool. */
  private steal(p: Pcpu): boolean {
    const rq = p.rq!;
    let best: Vcpu | null = null, from: Runq | null = null;
    for (const o of rq.pool.runqs) {
      if (o === rq) continue;
      for (const v of o.runq) {
        if (!v.eff[p.id] || !isRunnable(v)) continue;
        if (v.tickledCpu !== -1 && this.cpu[v.tickledCpu]!.tickled) continue;
        if (!best || v.credit > best.credit) { best = v; from = o; }
        break;
      }
    }
    if (!best || !from) return false;
    this.migrateTo(best, rq, p.id);
    return true;
  }

  /**
   * Simplified balance_load(): at each credit reset, pull one queued vCPU from the pool's most
   * loaded runqueue if that makes the per-pCPU loads closer.
   */
  private balanceLoad(rq: Runq): void {
    const runqs = rq.pool.runqs;
    if (runqs.length < 2) return;
    const load = (r: Runq): number => (r.runq.length + r.busy) / r.cpus.length;
    let busiest: Runq | null = null;
    for (const o of runqs) if (o !== rq && (!busiest || load(o) > load(busiest))) busiest = o;
    if (!busiest) return;
    const lo = rq.runq.length + rq.busy, bo = busiest.runq.length + busiest.busy;
    if ((bo - 1) / busiest.cpus.length < (lo + 1) / rq.cpus.length) return;
    for (const v of busiest.runq) {
      if (!this.rqAllowed(v, rq) || !isRunnable(v)) continue;
      this.migrateTo(v, rq, this.pickCpuIn(v, rq));
      this.runqTickle(v);
      return;
    }
  }

  // ---- lookups ----------------------------------------------------------------------------------

  private getDom(id: number): Dom {
    const d = this.doms.get(id);
    if (!d) throw new Error(`no domain ${id}`);
    return d;
  }
  private getVcpu(domid: number, vcpu: number): Vcpu {
    const v = this.getDom(domid).vcpus[vcpu];
    if (!v) throw new Error(`no vcpu ${vcpu} in domain ${domid}`);
    return v;
  }
}
