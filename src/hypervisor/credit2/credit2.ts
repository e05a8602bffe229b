// Xen's credit2 scheduler (xen/common/sched/credit2.c) of one cpupool, on the machinery every
// scheduler shares (sched-core/core.ts: time, workloads, runstates, pause and online, the context
// switch). What is credit2's own is here: runqueues of up to 16 pCPUs ordered by credit, credit
// burnt by weight and reset for the whole runqueue when the leader's runs out, how long a picked
// vCPU runs (ratelimit, credit gap, cap budget), which pCPU a queued vCPU tickles, caps enforced
// by a budget replenished every period, and its trace records and 'r' dump.
import * as K from './constants.ts';
import { EV_FIRST_OWN, SchedCore, type CorePcpu, type CoreVcpu, type Decision } from '../sched-core/core.ts';
import * as T from './trace.ts';
import { unitWord } from '../sched-core/trace.ts';
import { DOMID_IDLE, RUNSTATE_runnable } from '../trace-events.ts';
import type { Dom, Runq, Vcpu } from './model.ts';
import type { DomainSchedOptions, SchedulerOptions } from '../scheduler.ts';
import { burnCredit, creditAfter, runtime } from './credit.ts';
import { credit2Dump } from './dump.ts';

export interface Credit2Options extends Omit<SchedulerOptions, 'pcpus'> {
  /** The pool's pCPUs at creation; all of them by default (Pool-0 at boot). */
  pcpus?: number[];
  /** Most pCPUs in one runqueue (sched_credit2_max_cpus_runqueue); the pool is split evenly. */
  runqueuePerSocket?: number;
}

/** A capped domain's budget replenishment. */
const EV_REPL = EV_FIRST_OWN;

/** One cpupool's credit2 instance: it schedules only the pCPUs and domains of its pool. */
export class Credit2 extends SchedCore<Vcpu, Dom> {
  readonly name = 'credit2' as const;
  /** context_saved runs as the switch ends: a pCPU takes a unit only after a tickle's latency anyway. */
  protected override readonly contextSaveDelay = 0;
  private readonly perRq: number;
  private ratelimitNs: number;
  private runqs: Runq[] = [];
  /** Per pCPU: its runqueue (null outside the pool), its index there, whether it chose idle. */
  private readonly rqOf: (Runq | null)[];
  private readonly rqIdx: Int32Array;
  private readonly idle: Uint8Array;
  /** Replenishment generations, unique across domains, so a stale event never matches. */
  private replGens = 0;
  /** What doSchedule returns, reused: the core reads it at once. */
  private readonly decision: Decision<Vcpu> = { next: null, slice: Infinity };

  constructor(opts: Credit2Options) {
    super({ ...opts, pcpus: opts.pcpus ?? Array.from({ length: opts.nrPcpus }, (_, i) => i) });
    this.perRq = opts.runqueuePerSocket ?? K.MAX_CPUS_RUNQUEUE;
    this.ratelimitNs = (opts.ratelimitUs ?? K.SCHED_DEFAULT_RATELIMIT_US) * 1000;
    this.rqOf = this.pc.map(() => null);
    this.rqIdx = new Int32Array(this.pc.length);
    this.idle = new Uint8Array(this.pc.length).fill(1);
    this.pcpusChanged();
  }

  // ---- parameters ------------------------------------------------------------------------------

  setRatelimit(us: number): void { this.ratelimitNs = us * 1000; }
  getRatelimit(): number { return this.ratelimitNs / 1000; }
  /** The runqueues, as lists of pCPUs. */
  runqueues(): number[][] { return this.runqs.map(r => [...r.cpus]); }

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

  // ---- the pool's pCPUs ------------------------------------------------------------------------

  /** The runqueues are rebuilt from the pool's pCPUs (every vCPU is detached meanwhile). */
  protected pcpusChanged(): void {
    const n = this.cpus.length;
    const nrq = n === 0 ? 0 : Math.ceil(n / this.perRq);
    this.runqs = [];
    this.rqOf.fill(null);
    let k = 0;
    for (let i = 0; i < nrq; i++) {
      const size = Math.floor(n / nrq) + (i < n % nrq ? 1 : 0);
      const cpus = this.cpus.slice(k, k + size);
      k += size;
      const rq: Runq = { id: i, cpus, runq: [], svc: new Set(), maxWeight: 1, pickBias: cpus[0]!, busy: 0, since: new Float64Array(size).fill(Infinity) };
      this.runqs.push(rq);
      cpus.forEach((c, j) => { this.rqOf[c] = rq; this.rqIdx[c] = j; this.pc[c]!.tickled = false; });
    }
  }

  // ---- domains and units -----------------------------------------------------------------------

  protected newDom(domid: number, o: DomainSchedOptions): Dom {
    const cap = o.cap ?? 0, totBudget = (K.CSCHED2_BDGT_REPL_PERIOD * cap) / 100;
    return {
      id: domid, paused: o.paused ?? false, dying: false, vcpus: [], weight: o.weight ?? K.CSCHED2_DEFAULT_WEIGHT, cap,
      budget: totBudget, totBudget, nextRepl: cap ? this.t + K.CSCHED2_BDGT_REPL_PERIOD : 0, parked: [], replGen: 0, replPending: false,
    };
  }

  protected newVcpu(core: CoreVcpu<Dom>, o: DomainSchedOptions): Vcpu {
    const d = core.dom;
    return Object.assign(core, {
      credit: K.CSCHED2_CREDIT_INIT, residual: 0, budget: d.cap ? 0 : Infinity, budgetQuota: d.cap ? this.budgetQuota(d, o.nrVcpus) : 0,
      rq: null, onRunq: false, startTime: this.t, tickledCpu: -1, parked: false, eff: new Uint8Array(this.pc.length), softMask: null, pinned: false,
    });
  }

  protected override runnable(v: Vcpu): boolean { return super.runnable(v) && !v.parked; }

  /** csched2_unit_insert: the unit is assigned the runqueue (and pCPU) it fits best. */
  protected override placeUnit(v: Vcpu): void {
    this.computeMasks(v);
    const rq = this.pickRunq(v);
    this.runqAssign(v, rq, this.pickCpuIn(v, rq));
  }

  protected insertUnit(v: Vcpu): void {
    if (this.runnable(v)) {
      this.runqInsert(v);
      this.runqTickle(v);
    }
  }

  protected removeUnit(v: Vcpu): void {
    if (v.onRunq) this.runqRemove(v);
    if (v.rq) this.runqDeassign(v);
  }

  protected unitWake(v: Vcpu): void {
    if (v.onRunq || !v.rq) return;
    this.runqInsert(v);
    this.runqTickle(v);
  }

  protected unitSleep(v: Vcpu): void {
    if (v.onRunq) this.runqRemove(v);
  }

  /** Hard and soft affinity: the unit moves only if where it is no longer allowed. */
  protected override changeAffinity(v: Vcpu, apply: () => void): void {
    apply();
    this.computeMasks(v);
    if (v.running) {
      if (!v.eff[v.processor]) this.tickle(v.processor);
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

  protected onEvent(_kind: number, domid: number, gen: number): void {
    const d = this.doms.get(domid);
    if (d && gen === d.replGen) this.replenish(d);
  }

  /** The scheduler's own state, read only, for the 'r' debug key's dump (csched2_dump). */
  protected dumpSettings(): string[] {
    return credit2Dump({ runqs: this.runqs, doms: [...this.doms.values()], pcpus: this.pc }, this.topology, c => this.cpuMasks(c));
  }

  /** credit2 prints its pCPUs within its dump, none after a pCPU's "CPU[nn] current=" line. */
  dumpCpu(): string[] { return []; }

  // ---- placement ------------------------------------------------------------------------------

  /** The effective hard affinity and the soft one where it restricts it (has_soft_affinity()), as masks. */
  private computeMasks(v: Vcpu): void {
    const eff = v.eff;
    eff.fill(0);
    const cpus = this.effective(v);
    for (const c of cpus) eff[c] = 1;
    v.pinned = cpus.length === 1;
    v.softMask = null;
    if (this.softCpus(v)) {
      const m = new Uint8Array(this.pc.length);
      for (const c of v.soft!) if (c < m.length) m[c] = 1;
      v.softMask = m;
    }
  }

  private rqAllowed(v: Vcpu, rq: Runq): boolean {
    for (const c of rq.cpus) if (v.eff[c]) return true;
    return false;
  }

  private pickRunq(v: Vcpu): Runq {
    let best: Runq | null = null, bestLoad = Infinity, bestSoft: Runq | null = null, bestSoftLoad = Infinity;
    for (const rq of this.runqs) {
      if (!this.rqAllowed(v, rq)) continue;
      let load = (rq.runq.length + rq.busy) / rq.cpus.length;
      if (rq === v.rq) load -= 1 / rq.cpus.length;
      if (load < bestLoad) { bestLoad = load; best = rq; }
      if (v.softMask && load < bestSoftLoad && rq.cpus.some(c => v.softMask![c] && v.eff[c])) { bestSoftLoad = load; bestSoft = rq; }
    }
    const rq = bestSoft ?? best ?? this.runqs[0]!;
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

  /** tickle_score() for a busy pCPU already found preemptable (is_preemptable()). */
  private tickleScore(nw: Vcpu, p: CorePcpu<Vcpu>, cur: Vcpu): number {
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
    const pc = this.pc;
    const self = pc[cpu]!;
    if (nw.pinned && this.idle[cpu] && !self.tickled) ipid = cpu;
    else {
      ipid = this.idleIn(nw, rq, cpu);
      if (ipid < 0) {
        // No idler here: work conservation across the pool's runqueues (an idle pCPU elsewhere
        // may take it; in Xen the load balancer gets there more slowly).
        for (const o of this.runqs) {
          if (o === rq || o.busy === o.cpus.length) continue;
          const c = this.idleIn(nw, o, -1);
          if (c >= 0) { this.migrateTo(nw, o, c); ipid = c; break; }
        }
      }
      if (ipid < 0) {
        // Busy pCPUs: preempt where the score is best, its own pCPU first. The cheap tests that
        // reject most of them (tickled, not preemptable yet) come before any credit arithmetic.
        let max = 0;
        const rl = this.ratelimitNs;
        const minRan = rl <= K.CSCHED2_RATELIMIT_TICKLE_TOLERANCE ? -Infinity : rl - K.CSCHED2_RATELIMIT_TICKLE_TOLERANCE;
        const now = this.t;
        const since = rq.since;
        if (now - since[this.rqIdx[cpu]!]! > minRan && !self.tickled && nw.eff[cpu]) {
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
    this.tickle(ipid);
    nw.tickledCpu = ipid;
  }

  /** An idle, untickled pCPU of rq that v may use, soft affinity first, `from` preferred. */
  private idleIn(v: Vcpu, rq: Runq, from: number): number {
    if (rq.busy === rq.cpus.length) return -1;
    const pc = this.pc, idle = this.idle;
    for (let pass = v.softMask ? 0 : 1; pass < 2; pass++) {
      const mask = pass === 0 ? v.softMask! : null;
      if (from >= 0) {
        const p = pc[from]!;
        if (idle[from] && !p.tickled && v.eff[from] && (!mask || mask[from])) return from;
      }
      // cpumask_cycle: the next one after `from`, wrapping.
      let first = -1;
      for (const c of rq.cpus) {
        const p = pc[c]!;
        if (!idle[c] || p.tickled || !v.eff[c] || (mask && !mask[c])) continue;
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
        if (s.dom.cap && s.budget <= 0) this.tickle(s.processor);
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
      const quota = this.budgetQuota(d, d.vcpus.length);
      if (!was) {
        d.budget = d.totBudget;
        d.nextRepl = this.t + K.CSCHED2_BDGT_REPL_PERIOD;
      }
      for (const v of d.vcpus) {
        if (!was) { if (v.running) this.burn(v); v.budget = 0; }
        v.budgetQuota = quota;
      }
      // A running vCPU with no budget must grab some or be parked at its next decision.
      for (const v of d.vcpus) if (v.running && !was) this.tickle(v.processor);
    } else {
      d.replGen = ++this.replGens;
      d.replPending = false;
      for (const v of d.vcpus) { if (v.running) this.burn(v); v.budget = Infinity; }
      this.unpark(d);
    }
  }

  /** Each vCPU's share of its domain's budget per period, at least MIN_TIMER. */
  private budgetQuota(d: Dom, nrVcpus: number): number { return Math.max(d.totBudget / nrVcpus, K.CSCHED2_MIN_TIMER); }

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
      d.replGen = ++this.replGens;
      this.at(d.nextRepl, EV_REPL, d.id, d.replGen);
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
      d.replGen = ++this.replGens;
      this.at(d.nextRepl, EV_REPL, d.id, d.replGen);
    }
  }

  private unpark(d: Dom): void {
    const list = d.parked;
    if (!list.length) return;
    d.parked = [];
    for (const v of list) {
      v.parked = false;
      if (!v.running && !v.onRunq && v.rq && this.runnable(v)) {
        // Xen leaves the runstate at offline until it runs; xenalyze calls offline->running
        // strange, so we say runnable here.
        this.setRunstate(v, RUNSTATE_runnable);
        this.runqInsert(v);
        this.runqTickle(v);
      }
    }
  }

  // ---- the scheduler proper ---------------------------------------------------------------------

  protected override scheduleEntered(p: CorePcpu<Vcpu>, tickled: boolean): void {
    const rq = this.rqOf[p.id]!;
    if (this.sink.enabled) T.schedule(this.sink, p.id, rq.id, p.curr === null, this.idle[p.id] === 1, tickled);
  }

  /** csched2_schedule() on one pCPU at the current instant. */
  protected doSchedule(p: CorePcpu<Vcpu>, prev: Vcpu | null): Decision<Vcpu> {
    const rq = this.rqOf[p.id]!;
    const now = this.t;
    if (prev) {
      this.burn(prev);
      if (prev.dom.cap && prev.budget <= 0) this.grabBudget(prev);
    }

    let snext = this.runqCandidate(rq, prev, p);
    if (!snext && !rq.runq.length && this.runqs.length > 1 && this.steal(p)) snext = this.runqCandidate(rq, prev, p);

    if (snext) {
      if (snext !== prev) this.runqRemove(snext);
      this.idle[p.id] = 0;
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
    } else this.idle[p.id] = 1;

    if (snext !== prev) {
      // The runqueue's busy count and since-when, as the switch will leave them.
      rq.busy += (snext ? 1 : 0) - (prev ? 1 : 0);
      rq.since[this.rqIdx[p.id]!] = snext ? now : Infinity;
    }
    const slice = snext ? runtime(snext, rq.runq[0], rq.maxWeight, this.ratelimitNs, snext === prev, now) : Infinity;
    const dec = this.decision;
    dec.next = snext;
    dec.slice = slice;
    return dec;
  }

  private runqCandidate(rq: Runq, scurr: Vcpu | null, p: CorePcpu<Vcpu>): Vcpu | null {
    const cpu = p.id, now = this.t;
    const tracing = this.sink.enabled;
    let snext: Vcpu | null = null;
    if (scurr) {
      const ok = this.runnable(scurr) && scurr.eff[cpu] === 1;
      const rl = this.ratelimitNs;
      if (rl && ok && now - scurr.stateEntry < rl) {
        if (tracing) T.ratelimit(this.sink, cpu, scurr.word, now - scurr.stateEntry);
        return scurr;
      }
      let softPreempt = false;
      if (scurr.softMask && !scurr.softMask[cpu]) {
        for (const c of rq.cpus) {
          if (scurr.softMask[c] && scurr.eff[c] && this.idle[c] && !this.pc[c]!.tickled) { softPreempt = true; break; }
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
      if (!this.runnable(svc)) continue;
      if (!svc.eff[cpu]) continue;
      if (svc.tickledCpu !== -1 && svc.tickledCpu !== cpu && this.pc[svc.tickledCpu]!.tickled) continue;
      if (svc.processor !== cpu && snextCredit + K.CSCHED2_MIGRATE_RESIST > svc.credit) continue;
      // A capped vCPU whose domain has no budget left is parked (off the runqueue) and passed
      // over for the next one.
      if (svc.dom.cap && !this.grabBudget(svc)) { if (a[i] !== svc) i--; continue; }
      snext = svc;
      break;
    }
    if (tracing) {
      if (snext) T.runqCandidate(this.sink, cpu, snext.word, snext.tickledCpu, snext.credit);
      else T.runqCandidate(this.sink, cpu, unitWord(DOMID_IDLE, cpu), -1, K.CSCHED2_IDLE_CREDIT);
    }
    return snext;
  }

  /** csched2_context_saved(): prev gives back its unused budget and, if still runnable, is queued again. */
  protected contextSaved(prev: Vcpu): void {
    if (prev.dom.cap && prev.budget > 0) this.returnBudget(prev);
    if (this.runnable(prev) && !prev.onRunq) {
      if (!prev.eff[prev.processor] || !this.rqAllowed(prev, this.rqOf[prev.processor]!)) this.replace(prev);
      else { this.runqInsert(prev); this.runqTickle(prev); }
    }
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
  private steal(p: CorePcpu<Vcpu>): boolean {
    const rq = this.rqOf[p.id]!;
    let best: Vcpu | null = null, from: Runq | null = null;
    for (const o of this.runqs) {
      if (o === rq) continue;
      for (const v of o.runq) {
        if (!v.eff[p.id] || !this.runnable(v)) continue;
        if (v.tickledCpu !== -1 && this.pc[v.tickledCpu]!.tickled) continue;
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
    const runqs = this.runqs;
    if (runqs.length < 2) return;
    const load = (r: Runq): number => (r.runq.length + r.busy) / r.cpus.length;
    let busiest: Runq | null = null;
    for (const o of runqs) if (o !== rq && (!busiest || load(o) > load(busiest))) busiest = o;
    if (!busiest) return;
    const lo = rq.runq.length + rq.busy, bo = busiest.runq.length + busiest.busy;
    if ((bo - 1) / busiest.cpus.length < (lo + 1) / rq.cpus.length) return;
    for (const v of busiest.runq) {
      if (!this.rqAllowed(v, rq) || !this.runnable(v)) continue;
      this.migrateTo(v, rq, this.pickCpuIn(v, rq));
      this.runqTickle(v);
      return;
    }
  }
}
