// The credit scheduler (credit1, xen/common/sched/credit.c) of one cpupool: a runqueue per pCPU
// ordered by priority (BOOST, UNDER, OVER), credits earned every time slice by weight and cap
// (acct.ts) and burnt at 10 per ms of CPU, a 10 ms tick that ends boosts and re-sorts the
// runqueue, the ratelimit that lets a vCPU run at least that long, and idle pCPUs stealing work
// from busy ones.
import type { DomainSchedOptions, SchedulerOptions } from '../scheduler.ts';
import { EV_FIRST_OWN, SchedCore, type CorePcpu, type CoreVcpu, type Decision } from '../sched-core/core.ts';
import { TRC_CSCHED_ACCOUNT_START, TRC_CSCHED_ACCOUNT_STOP, TRC_CSCHED_BOOST_END, TRC_CSCHED_BOOST_START } from '../trace-events.ts';
import * as K from './constants.ts';
import * as T from './trace.ts';
import { account, type AcctState } from './acct.ts';
import type { CDom, CPcpu, CVcpu } from './model.ts';
import { maskHex } from '../keyhandlers/printk-formats.ts';

const EV_ACCT = EV_FIRST_OWN, EV_TICK = EV_FIRST_OWN + 1;

export interface CreditParams { tsliceMs: number; ratelimitUs: number; migrDelayUs: number }

export class Credit extends SchedCore<CVcpu, CDom> {
  readonly name = 'credit' as const;
  private readonly spc: CPcpu[];
  private readonly prv: AcctState & { runqSort: number; master: number; acctGen: number; acctRunning: boolean };
  private tsliceMs = K.CSCHED_DEFAULT_TSLICE_MS;
  private tickPeriod = 0;
  private ratelimitNs: number;
  private migrDelayNs = 0;
  private lastTickleCpu = 0;
  private balanceBias = 0;
  private sawSaving = false;

  constructor(o: SchedulerOptions) {
    super(o);
    this.ratelimitNs = (o.ratelimitUs ?? K.SCHED_DEFAULT_RATELIMIT_US) * K.US;
    this.spc = this.pc.map(() => ({ runq: [], runqSortLast: 0, tickGen: 0 }));
    this.prv = { weight: 0, credit: 0, creditBalance: 0, creditsPerTslice: 0, activeDoms: [], runqSort: 0, master: 0, acctGen: 0, acctRunning: false };
    this.setTslice(K.CSCHED_DEFAULT_TSLICE_MS);
    this.pcpusChanged();
  }

  // ---- parameters ------------------------------------------------------------------------------

  /** Pool-wide parameters (XEN_SYSCTL_SCHEDOP_putinfo); validate with params.ts first. */
  setParams(p: CreditParams): void {
    this.setTslice(p.tsliceMs);
    this.ratelimitNs = p.ratelimitUs * K.US;
    this.migrDelayNs = p.migrDelayUs * K.US;
  }

  getParams(): CreditParams {
    return { tsliceMs: this.tsliceMs, ratelimitUs: this.ratelimitNs / K.US, migrDelayUs: this.migrDelayNs / K.US };
  }

  /** A domain's weight and cap (XEN_DOMCTL_SCHEDOP_putinfo); undefined keeps the value. */
  setDomainParams(domid: number, p: { weight?: number; cap?: number }): void {
    const d = this.getDom(domid);
    if (p.weight !== undefined && p.weight !== 0) {
      this.prv.weight += (p.weight - d.weight) * d.active.length;
      d.weight = p.weight;
    }
    if (p.cap !== undefined) d.cap = p.cap;
  }

  getDomainParams(domid: number): { weight: number; cap: number } {
    const d = this.getDom(domid);
    return { weight: d.weight, cap: d.cap };
  }

  private setTslice(ms: number): void {
    this.tsliceMs = ms;
    const ticks = ms < K.CSCHED_TICKS_PER_TSLICE ? 1 : K.CSCHED_TICKS_PER_TSLICE;
    this.tickPeriod = Math.floor((ms * 1000) / ticks) * K.US;
    this.prv.creditsPerTslice = K.CSCHED_CREDITS_PER_MSEC * ms;
    this.prv.credit = this.prv.creditsPerTslice * this.cpus.length;
  }

  // ---- domains and units -----------------------------------------------------------------------

  protected newDom(domid: number, o: DomainSchedOptions): CDom {
    return { id: domid, paused: o.paused ?? false, dying: false, vcpus: [], weight: o.weight ?? K.CSCHED_DEFAULT_WEIGHT, cap: o.cap ?? 0, active: [] };
  }

  protected newVcpu(core: CoreVcpu<CDom>): CVcpu {
    return Object.assign(core, { pri: K.CSCHED_PRI_TS_UNDER, credit: 0, startTime: this.t, lastSchedTime: 0, isActive: false, onRunq: false, parked: false, migrating: false, unparking: false });
  }

  protected override runnable(v: CVcpu): boolean { return super.runnable(v) && !v.parked; }

  protected insertUnit(v: CVcpu): void {
    v.processor = this.cpuPick(v);
    v.migrating = true;
    if (this.runnable(v) && !v.running && !v.onRunq) {
      this.runqInsert(v);
      this.runqTickle(v);
    }
  }

  protected removeUnit(v: CVcpu): void {
    if (v.onRunq) this.runqRemove(v);
    v.parked = false;
    if (v.isActive) this.acctStop(v);
  }

  protected unitWake(v: CVcpu): void {
    if (v.onRunq) return;
    const migrating = v.migrating;
    v.migrating = false;
    // A waking vCPU is boosted: it preempts CPU-bound ones until its next tick finds it running.
    if (!migrating && !v.unparking && v.pri === K.CSCHED_PRI_TS_UNDER) {
      if (this.sink.enabled) T.boost(this.sink, v.processor, TRC_CSCHED_BOOST_START, v.dom.id, v.id);
      v.pri = K.CSCHED_PRI_TS_BOOST;
    }
    this.runqInsert(v);
    this.runqTickle(v);
  }

  protected unitSleep(v: CVcpu): void {
    if (!v.running && v.onRunq) this.runqRemove(v);
  }

  /** credit has no context_saved: csched_schedule requeues the previous unit itself. */
  protected contextSaved(): void {}

  // ---- runqueues -------------------------------------------------------------------------------

  /** Behind every unit of the same or a higher priority. */
  private runqInsert(v: CVcpu): void {
    const q = this.spc[v.processor]!.runq;
    let i = 0;
    while (i < q.length && q[i]!.pri >= v.pri) i++;
    q.splice(i, 0, v);
    v.onRunq = true;
  }

  private runqRemove(v: CVcpu): void {
    const q = this.spc[v.processor]!.runq;
    const i = q.indexOf(v);
    if (i >= 0) q.splice(i, 1);
    v.onRunq = false;
  }

  /** Queued units plus the running one: what a thief looks at before taking the lock. */
  private nrRunnable(cpu: number): number {
    return this.spc[cpu]!.runq.length + (this.pc[cpu]!.curr ? 1 : 0);
  }

  /** csched_runq_sort(): once per accounting, UNDER (and BOOST) units move ahead of OVER ones. */
  private runqSort(cpu: number): void {
    const spc = this.spc[cpu]!;
    if (spc.runqSortLast === this.prv.runqSort) return;
    spc.runqSortLast = this.prv.runqSort;
    const under = spc.runq.filter(v => v.pri >= K.CSCHED_PRI_TS_UNDER);
    spc.runq = [...under, ...spc.runq.filter(v => v.pri < K.CSCHED_PRI_TS_UNDER)];
  }

  private isIdler(cpu: number): boolean {
    const p = this.pc[cpu]!;
    return p.inPool && !p.curr && !p.tickled;
  }

  /** _csched_cpu_pick(): its current pCPU if idle, else an idle one it may use, soft affinity first. */
  private cpuPick(v: CVcpu): number {
    let pick = -1;
    for (const set of [this.softCpus(v), this.effective(v)]) {
      if (!set?.length) continue;
      const start = set.includes(v.processor) ? v.processor : set.find(c => c > v.processor) ?? set[0]!;
      if (pick < 0) pick = start;
      if (this.isIdler(start)) { pick = start; break; }
      const idle = cycle(start, set.filter(c => this.isIdler(c)));
      if (idle >= 0) { pick = idle; break; }
    }
    if (this.sink.enabled) T.pickedCpu(this.sink, v.processor, v.dom.id, v.id, pick);
    return pick;
  }

  /** __runq_tickle(): wake an idle pCPU for the new unit, or preempt its own pCPU if it beats the current one. */
  private runqTickle(nw: CVcpu): void {
    const cpu = nw.processor;
    const cur = this.pc[cpu]!.curr;
    const curPri = cur ? cur.pri : K.CSCHED_PRI_IDLE;
    const idlers = this.cpus.filter(c => this.isIdler(c));
    const eff = this.effective(nw);
    let target = -1;
    if (eff.length === 1 && idlers.includes(cpu)) target = cpu;
    else if (curPri === K.CSCHED_PRI_IDLE || (!idlers.length && nw.pri > curPri)) target = cpu;
    else if (idlers.length) {
      for (const set of [this.softCpus(nw), eff]) {
        if (!set) continue;
        const fit = idlers.filter(c => set.includes(c));
        if (!fit.length && set !== eff) continue;
        if (!fit.length && nw.pri > curPri) target = cpu;
        else if (fit.length) target = this.lastTickleCpu = cycle(this.lastTickleCpu, fit);
        if (target >= 0) break;
      }
    }
    if (target < 0) return;
    if (this.sink.enabled) T.tickle(this.sink, cpu, target);
    this.tickle(target);
  }

  // ---- accounting ------------------------------------------------------------------------------

  private burn(v: CVcpu): void {
    const delta = this.t - v.startTime;
    if (delta <= 0) return;
    v.credit -= (delta * K.CSCHED_CREDITS_PER_MSEC) / K.MS;
    v.startTime = this.t;
  }

  private acctStart(v: CVcpu): void {
    const d = v.dom;
    if (!v.isActive) {
      v.isActive = true;
      d.active.unshift(v);
      this.prv.weight += d.weight;
      if (!this.prv.activeDoms.includes(d)) this.prv.activeDoms.unshift(d);
    }
    if (this.sink.enabled) T.account(this.sink, v.processor, TRC_CSCHED_ACCOUNT_START, d.id, v.id, d.active.length);
  }

  private acctStop(v: CVcpu): void {
    const d = v.dom;
    v.isActive = false;
    d.active.splice(d.active.indexOf(v), 1);
    this.prv.weight -= d.weight;
    if (!d.active.length) this.prv.activeDoms.splice(this.prv.activeDoms.indexOf(d), 1);
    if (this.sink.enabled) T.account(this.sink, v.processor, TRC_CSCHED_ACCOUNT_STOP, d.id, v.id, d.active.length);
  }

  /** The master ticker: csched_acct() every time slice. */
  private acct(): void {
    for (const c of this.cpus) { const v = this.pc[c]!.curr; if (v) this.burn(v); }
    account(this.prv, {
      // A capped-out vCPU is paused until its credit is positive again.
      park: v => { v.parked = true; this.sleep(v); },
      unpark: v => { v.parked = false; v.unparking = true; this.wake(v); v.unparking = false; },
      stop: v => this.acctStop(v),
    });
    this.prv.runqSort++;
    this.at(this.t + this.tsliceMs * K.MS, EV_ACCT, 0, this.prv.acctGen);
  }

  /** csched_tick() on a busy pCPU: its unit's boost ends, it becomes active, the runqueue is sorted. */
  private tick(cpu: number): void {
    const v = this.pc[cpu]!.curr;
    if (v) {
      if (v.pri === K.CSCHED_PRI_TS_BOOST) {
        v.pri = K.CSCHED_PRI_TS_UNDER;
        if (this.sink.enabled) T.boost(this.sink, cpu, TRC_CSCHED_BOOST_END, v.dom.id, v.id);
      }
      this.burn(v);
      if (!v.isActive) this.acctStart(v);
    }
    this.runqSort(cpu);
    this.at(this.t + this.tickPeriod, EV_TICK, cpu, this.spc[cpu]!.tickGen);
  }

  protected onEvent(kind: number, target: number, gen: number): void {
    if (kind === EV_ACCT) { if (gen === this.prv.acctGen) this.acct(); }
    else if (kind === EV_TICK && gen === this.spc[target]!.tickGen) this.tick(target);
  }

  protected pcpusChanged(): void {
    this.prv.credit = this.prv.creditsPerTslice * this.cpus.length;
    for (const p of this.pc) if (!p.inPool) { this.spc[p.id]!.tickGen++; this.spc[p.id]!.runq = []; }
    this.prv.master = this.cpus[0] ?? 0;
    if (this.cpus.length && !this.prv.acctRunning) {
      this.prv.acctRunning = true;
      this.at(this.t + this.tsliceMs * K.MS, EV_ACCT, 0, this.prv.acctGen);
    } else if (!this.cpus.length && this.prv.acctRunning) {
      this.prv.acctRunning = false;
      this.prv.acctGen++;
    }
  }

  // ---- csched_schedule -------------------------------------------------------------------------

  protected doSchedule(p: CorePcpu<CVcpu>, prev: CVcpu | null): Decision<CVcpu> {
    const cpu = p.id, now = this.t;
    if (this.sink.enabled) T.schedule(this.sink, cpu, !prev);
    const runtime = prev ? Math.max(0, now - prev.stateEntry) : 0;
    if (prev) { this.burn(prev); prev.lastSchedTime = now; }
    if (prev && this.ratelimitNs && this.runnable(prev) && this.allowed(prev, cpu) && runtime < this.ratelimitNs) {
      // Rate limiting: the current unit runs on until it has had `ratelimit`.
      if (this.sink.enabled) T.ratelimit(this.sink, cpu, prev.word, runtime);
      return { next: prev, slice: runtime < K.CSCHED_MIN_TIMER ? K.CSCHED_MIN_TIMER : this.ratelimitNs - runtime };
    }
    const runq = this.spc[cpu]!.runq;
    if (prev && this.runnable(prev) && this.allowed(prev, cpu)) this.runqInsert(prev);
    let snext: CVcpu | null = runq[0] ?? null;
    if (snext && snext.pri > K.CSCHED_PRI_TS_OVER) this.runqRemove(snext);
    else snext = this.loadBalance(cpu, snext);
    // The pCPU's tick runs only while it runs a guest.
    if (!prev && snext) this.at(now + this.tickPeriod - (now % this.tickPeriod), EV_TICK, cpu, ++this.spc[cpu]!.tickGen);
    else if (prev && !snext) this.spc[cpu]!.tickGen++;
    if (snext) snext.startTime = now;
    return { next: snext, slice: snext ? this.tsliceMs * K.MS : Infinity };
  }

  /**
   * csched_load_balance(): the best local choice is OVER or idle, so look at the busy pCPUs'
   * runqueues for a unit of strictly higher priority that may run here (soft affinity first).
   */
  private loadBalance(cpu: number, local: CVcpu | null): CVcpu | null {
    const pri = local ? local.pri : K.CSCHED_PRI_IDLE;
    const workers = this.cpus.filter(c => c !== cpu && this.pc[c]!.curr);
    if (workers.length) {
      for (const soft of [true, false]) {
        const first = cycle(this.balanceBias, workers);
        let peer = first;
        do {
          if (this.nrRunnable(peer) <= 1) {
            if (this.sink.enabled) T.stealCheck(this.sink, cpu, peer, false);
          } else {
            if (this.sink.enabled) T.stealCheck(this.sink, cpu, peer, true);
            const got = this.steal(peer, cpu, pri, soft);
            if (got) { this.balanceBias = peer; return got; }
          }
          peer = cycle(peer, workers);
        } while (peer !== first);
      }
    }
    // A candidate was still being switched out elsewhere: look again once it is.
    if (this.sawSaving) { this.sawSaving = false; this.tickle(cpu); }
    if (local) this.runqRemove(local);
    return local;
  }

  private steal(peer: number, cpu: number, pri: number, soft: boolean): CVcpu | null {
    for (const v of this.spc[peer]!.runq) {
      if (v.pri <= pri) break;
      const set = soft ? this.softCpus(v) : this.effective(v);
      if (!set) continue;
      if (!set.includes(cpu)) continue;
      // Still being switched out over there (is_running until context_saved).
      if (this.t < v.savedAt) { this.sawSaving = true; continue; }
      if (this.migrDelayNs > 0 && this.t - v.lastSchedTime < this.migrDelayNs) continue;
      if (this.sink.enabled) T.stolenUnit(this.sink, cpu, peer, v.dom.id, v.id);
      this.runqRemove(v);
      v.processor = cpu;
      return v;
    }
    return null;
  }

  // ---- the 'r' debug key -----------------------------------------------------------------------

  protected dumpSettings(): string[] {
    const prv = this.prv;
    const out = [
      'info:', `\tncpus              = ${this.cpus.length}`, `\tmaster             = ${prv.master}`,
      `\tcredit             = ${prv.credit}`, `\tcredit balance     = ${prv.creditBalance}`, `\tweight             = ${prv.weight}`,
      `\trunq_sort          = ${prv.runqSort}`, `\tdefault-weight     = ${K.CSCHED_DEFAULT_WEIGHT}`, `\ttslice             = ${this.tsliceMs}ms`,
      `\tratelimit          = ${this.ratelimitNs / K.US}us`, `\tcredits per msec   = ${K.CSCHED_CREDITS_PER_MSEC}`,
      `\tticks per tslice   = ${this.tsliceMs < K.CSCHED_TICKS_PER_TSLICE ? 1 : K.CSCHED_TICKS_PER_TSLICE}`,
      `\tmigration delay    = ${this.migrDelayNs / K.US}us`,
      `idlers: ${maskHex(this.cpus.filter(c => !this.pc[c]!.curr), this.pc.length)}`, 'active units:',
    ];
    let loop = 0;
    for (const d of prv.activeDoms) for (const v of d.active) out.push(`\t${String(++loop).padStart(3)}: ${this.dumpUnit(v)}`);
    return out;
  }

  dumpCpu(cpu: number): string[] {
    const spc = this.spc[cpu]!;
    const out = [`CPU[${String(cpu).padStart(2, '0')}] nr_run=${this.nrRunnable(cpu)}, sort=${spc.runqSortLast}, ${this.cpuMasks(cpu)}`];
    const cur = this.pc[cpu]!.curr;
    if (cur) out.push(`\trun: ${this.dumpUnit(cur)}`);
    spc.runq.forEach((v, i) => out.push(`\t${String(i + 1).padStart(3)}: ${this.dumpUnit(v)}`));
    return out;
  }

  private dumpUnit(v: CVcpu): string {
    const flags = (v.parked ? K.CSCHED_FLAG_UNIT_PARKED : 0) | (v.migrating ? K.CSCHED_FLAG_UNIT_MIGRATING : 0) | (this.effective(v).length === 1 ? K.CSCHED_FLAG_UNIT_PINNED : 0);
    return `[${v.dom.id}.${v.id}] pri=${v.pri} flags=${flags.toString(16)} cpu=${v.processor} credit=${Math.trunc(v.credit)} [w=${v.dom.weight},cap=${v.dom.cap}]`;
  }
}

/** cpumask_cycle(): the first of `set` after `n`, wrapping; -1 for an empty set. */
function cycle(n: number, set: readonly number[]): number {
  if (!set.length) return -1;
  for (const c of set) if (c > n) return c;
  return set[0]!;
}

