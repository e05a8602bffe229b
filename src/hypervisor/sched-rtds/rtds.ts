// The RTDS scheduler (xen/common/sched/rt.c) of one cpupool: global EDF. Each vCPU has a budget
// to use in every period; one runqueue of the vCPUs with budget ordered by (priority level,
// deadline), a depleted queue, and a replenishment queue whose head arms the one replenishment
// timer. With extratime a vCPU that used its budget carries on at a lower priority level.
import type { DomainSchedOptions, SchedulerOptions } from '../scheduler.ts';
import { EV_FIRST_OWN, SchedCore, type CorePcpu, type CoreVcpu, type Decision } from '../sched-core/core.ts';
import { maskList } from '../keyhandlers/printk-formats.ts';
import * as T from './trace.ts';
import { RTDS_DEFAULT_BUDGET, RTDS_DEFAULT_PERIOD, UPDATE_LIMIT_SHIFT, comparePriority, type RtDom, type RtVcpu } from './model.ts';

const EV_REPL = EV_FIRST_OWN;

/** One vCPU's parameters as XEN_DOMCTL_SCHEDOP_{get,put}vcpuinfo carry them (µs). */
export interface RtdsVcpuParams { periodUs: number; budgetUs: number; extratime: boolean }

export class Rtds extends SchedCore<RtVcpu, RtDom> {
  readonly name = 'rtds' as const;
  private runq: RtVcpu[] = [];
  private depletedq: RtVcpu[] = [];
  private replq: RtVcpu[] = [];
  private readonly tickled = new Set<number>();
  private replGen = 0;

  constructor(o: SchedulerOptions) { super(o); }

  // ---- parameters ------------------------------------------------------------------------------

  /** XEN_DOMCTL_SCHEDOP_putvcpuinfo; validate with params.ts first. */
  setVcpuParams(domid: number, vcpu: number, p: RtdsVcpuParams): void {
    const v = this.getVcpu(domid, vcpu);
    v.period = p.periodUs * 1000;
    v.budget = p.budgetUs * 1000;
    v.extratime = p.extratime;
  }

  getVcpuParams(domid: number, vcpu: number): RtdsVcpuParams {
    const v = this.getVcpu(domid, vcpu);
    return { periodUs: v.period / 1000, budgetUs: v.budget / 1000, extratime: v.extratime };
  }

  /** XEN_DOMCTL_SCHEDOP_putinfo: every vCPU's period and budget (extratime stays). */
  setDomainParams(domid: number, periodUs: number, budgetUs: number): void {
    for (const v of this.getDom(domid).vcpus) { v.period = periodUs * 1000; v.budget = budgetUs * 1000; }
  }

  /** Deadlines the vCPU reached still runnable with budget left. */
  deadlineMisses(domid: number, vcpu: number): number { return this.getVcpu(domid, vcpu).misses; }

  // ---- units -----------------------------------------------------------------------------------

  protected newDom(domid: number, o: DomainSchedOptions): RtDom {
    return { id: domid, paused: o.paused ?? false, dying: false, vcpus: [] };
  }

  protected newVcpu(core: CoreVcpu<RtDom>): RtVcpu {
    return Object.assign(core, {
      period: RTDS_DEFAULT_PERIOD, budget: RTDS_DEFAULT_BUDGET, curBudget: 0, curDeadline: 0, lastStart: 0, priorityLevel: 0,
      extratime: true, onQ: null, onReplq: false, depleted: false, scheduled: false, delayedRunqAdd: false, misses: 0,
    });
  }

  protected insertUnit(v: RtVcpu): void {
    const eff = this.effective(v);
    if (!eff.includes(v.processor)) v.processor = eff.find(c => c > v.processor) ?? eff[0]!;
    if (this.t >= v.curDeadline) this.updateDeadline(v);
    if (this.runnable(v) && !v.onQ) {
      this.replqInsert(v);
      if (!v.running) { this.runqInsert(v); this.runqTickle(v); }
    }
  }

  protected removeUnit(v: RtVcpu): void {
    if (v.onQ) this.qRemove(v);
    if (v.onReplq) this.replqRemove(v);
    v.delayedRunqAdd = false;
    v.scheduled = false;
  }

  protected unitWake(v: RtVcpu): void {
    if (v.onQ) return;
    // A deadline passed while it slept: a new period with a full budget.
    if (this.t >= v.curDeadline) this.updateDeadline(v);
    // Its context is still being saved: it is queued once it is.
    if (v.scheduled) { v.delayedRunqAdd = true; return; }
    if (!v.onReplq) this.replqInsert(v);
    this.runqInsert(v);
    this.runqTickle(v);
  }

  protected unitSleep(v: RtVcpu): void {
    if (v.running) return;
    if (v.onQ) { this.qRemove(v); if (v.onReplq) this.replqRemove(v); }
    else v.delayedRunqAdd = false;
  }

  protected contextSaved(prev: RtVcpu): void {
    prev.scheduled = false;
    if (prev.delayedRunqAdd && this.runnable(prev)) {
      prev.delayedRunqAdd = false;
      this.runqInsert(prev);
      this.runqTickle(prev);
    } else {
      prev.delayedRunqAdd = false;
      if (prev.onReplq) this.replqRemove(prev);
    }
  }

  protected pcpusChanged(): void {
    for (const c of [...this.tickled]) if (!this.cpus.includes(c)) this.tickled.delete(c);
  }

  // ---- budget and deadlines --------------------------------------------------------------------

  /** rt_update_deadline(): the first deadline after now, a full budget, priority level 0. */
  private updateDeadline(v: RtVcpu): void {
    const now = this.t;
    if (v.curDeadline + v.period * (1 << UPDATE_LIMIT_SHIFT) > now) {
      do v.curDeadline += v.period; while (v.curDeadline <= now);
    } else v.curDeadline += (Math.floor((now - v.curDeadline) / v.period) + 1) * v.period;
    v.lastStart = now;
    v.curBudget = v.budget;
    v.priorityLevel = 0;
    if (this.sink.enabled) T.budgetReplenish(this.sink, v.processor, v.word, 0, v.curDeadline, v.curBudget);
  }

  private burnBudget(v: RtVcpu): void {
    const delta = this.t - v.lastStart;
    if (delta < 0) { v.lastStart = this.t; return; }
    v.curBudget -= delta;
    v.lastStart = this.t;
    if (v.curBudget <= 0) {
      if (v.extratime) { v.priorityLevel++; v.curBudget = v.budget; }
      else { v.curBudget = 0; v.depleted = true; }
    }
    if (this.sink.enabled) T.budgetBurn(this.sink, v.processor, v.word, v.curBudget, delta, v.priorityLevel, v.extratime);
  }

  // ---- queues ----------------------------------------------------------------------------------

  /** EDF order; the depleted queue is unordered (newest first). */
  private runqInsert(v: RtVcpu): void {
    if (v.curBudget > 0 || v.extratime) { insertOrdered(this.runq, v, comparePriority); v.onQ = 'runq'; }
    else { this.depletedq.unshift(v); v.onQ = 'depletedq'; }
  }

  private qRemove(v: RtVcpu): void {
    const q = v.onQ === 'runq' ? this.runq : this.depletedq;
    q.splice(q.indexOf(v), 1);
    v.onQ = null;
  }

  private replqInsert(v: RtVcpu): void {
    if (insertOrdered(this.replq, v, byDeadline) === 0) this.armRepl();
    v.onReplq = true;
  }

  private replqRemove(v: RtVcpu): void {
    const i = this.replq.indexOf(v);
    this.replq.splice(i, 1);
    v.onReplq = false;
    if (i === 0) this.armRepl();
  }

  /** The replenishment timer fires at the deadline of the head of the replenishment queue. */
  private armRepl(): void {
    const head = this.replq[0];
    this.replGen++;
    if (head) this.at(Math.max(head.curDeadline, this.t), EV_REPL, 0, this.replGen);
  }

  protected onEvent(_kind: number, _target: number, gen: number): void {
    if (gen === this.replGen) this.replenish();
  }

  /** repl_timer_handler(): every vCPU whose deadline has come starts a new period. */
  private replenish(): void {
    const done: RtVcpu[] = [];
    while (this.replq.length && this.t >= this.replq[0]!.curDeadline) {
      const v = this.replq.shift()!;
      v.onReplq = false;
      this.countMiss(v);
      this.updateDeadline(v);
      done.push(v);
      if (v.onQ) { this.qRemove(v); this.runqInsert(v); }
    }
    for (const v of done) {
      const head = this.runq[0];
      if (v.running && this.pc[v.processor]!.curr === v) {
        if (head && comparePriority(v, head) < 0) this.runqTickle(head);
      } else if (v.depleted && v.onQ) {
        v.depleted = false;
        this.runqTickle(v);
      }
      insertOrdered(this.replq, v, byDeadline);
      v.onReplq = true;
    }
    this.armRepl();
  }

  /** A deadline reached by a vCPU still wanting CPU and with budget of this period left is a miss. */
  private countMiss(v: RtVcpu): void {
    if (!this.runnable(v) || v.priorityLevel > 0) return;
    const left = v.running ? v.curBudget - (this.t - v.lastStart) : v.curBudget;
    if (left > 0) v.misses++;
  }

  // ---- the scheduler ---------------------------------------------------------------------------

  /** runq_tickle(): an idle pCPU it may use (its own first), else the one running the latest deadline, if that loses to it. */
  private runqTickle(nw: RtVcpu): void {
    const cands = this.effective(nw).filter(c => !this.tickled.has(c));
    if (!cands.length) return;
    const start = cands.includes(nw.processor) ? cands.indexOf(nw.processor) : Math.max(0, cands.findIndex(c => c > nw.processor));
    let latest: RtVcpu | null = null;
    let target = -1;
    for (let k = 0; k < cands.length; k++) {
      const c = cands[(start + k) % cands.length]!;
      const cur = this.pc[c]!.curr;
      if (!cur) { target = c; break; }
      if (!latest || comparePriority(cur, latest) < 0) latest = cur;
    }
    if (target < 0 && latest && comparePriority(latest, nw) < 0) target = latest.processor;
    if (target < 0) return;
    if (this.sink.enabled) T.tickle(this.sink, nw.processor, target);
    this.tickled.add(target);
    this.tickle(target);
  }

  protected doSchedule(p: CorePcpu<RtVcpu>, prev: RtVcpu | null): Decision<RtVcpu> {
    const cpu = p.id;
    if (this.sink.enabled) T.schedule(this.sink, cpu, this.tickled.has(cpu), !prev);
    this.tickled.delete(cpu);
    if (prev) this.burnBudget(prev);
    let snext: RtVcpu | null = this.runq.find(v => this.allowed(v, cpu)) ?? null;
    if (snext && this.sink.enabled) T.runqPick(this.sink, cpu, snext.word, snext.curDeadline, snext.curBudget);
    if (snext && !this.runnable(snext)) {
      this.qRemove(snext);
      if (snext.onReplq) this.replqRemove(snext);
      snext = null;
    }
    // The current vCPU carries on if it still has budget and nobody queued beats it.
    if (prev && this.runnable(prev) && this.allowed(prev, cpu) && prev.curBudget > 0 && (!snext || comparePriority(prev, snext) > 0)) snext = prev;
    if (prev && snext !== prev && this.runnable(prev)) prev.delayedRunqAdd = true;
    if (!snext) return { next: null, slice: Infinity };
    snext.lastStart = this.t;
    if (snext !== prev) { this.qRemove(snext); snext.scheduled = true; }
    return { next: snext, slice: snext.curBudget };
  }

  // ---- the 'r' debug key -----------------------------------------------------------------------

  protected dumpSettings(): string[] {
    if (!this.doms.size) return [];
    const out = ['Global RunQueue info:', ...this.runq.flatMap(v => this.dumpUnit(v)), 'Global DepletedQueue info:', ...this.depletedq.flatMap(v => this.dumpUnit(v))];
    out.push('Global Replenishment Events info:', ...this.replq.flatMap(v => this.dumpUnit(v)), 'Domain info:');
    for (const d of [...this.doms.values()]) out.push(`\tdomain: ${d.id}`, ...d.vcpus.flatMap(v => this.dumpUnit(v)));
    return out;
  }

  dumpCpu(cpu: number): string[] {
    const cur = this.pc[cpu]!.curr;
    return [`CPU[${String(cpu).padStart(2, '0')}]`, ...(cur ? this.dumpUnit(cur) : [])];
  }

  private dumpUnit(v: RtVcpu): string[] {
    const flags = (v.running ? 1 << 1 : 0) | (v.delayedRunqAdd ? 1 << 2 : 0) | (v.depleted ? 1 << 3 : 0) | (v.extratime ? 1 << 4 : 0);
    return [
      `[${String(v.dom.id).padStart(5)}.${String(v.id).padEnd(2)}] cpu ${v.processor}, (${v.period}, ${v.budget}), cur_b=${Math.round(v.curBudget)} cur_d=${Math.round(v.curDeadline)} last_start=${Math.round(v.lastStart)}`,
      ` \t\t priority_level=${v.priorityLevel} has_extratime=${v.extratime ? 1 : 0}`,
      ` \t\t onQ=${v.onQ ? 1 : 0} runnable=${this.runnable(v) ? 1 : 0} flags=${flags.toString(16)} effective hard_affinity=${maskList(this.effective(v))}`,
    ];
  }
}

/**
 * The replenishment queue is kept in deadline order alone: Xen orders it as the runqueue, but a
 * vCPU's level rises while it is queued there, and an event behind a later one would fire late.
 */
const byDeadline = (a: RtVcpu, b: RtVcpu): number => b.curDeadline - a.curDeadline;

/** deadline_queue_insert(): behind every vCPU that goes before it; returns the position. */
function insertOrdered(q: RtVcpu[], v: RtVcpu, cmp: (a: RtVcpu, b: RtVcpu) => number): number {
  let i = 0;
  while (i < q.length && cmp(v, q[i]!) <= 0) i++;
  q.splice(i, 0, v);
  return i;
}
