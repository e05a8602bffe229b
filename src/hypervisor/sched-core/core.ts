// What every scheduler of a cpupool shares, as Xen's sched/core.c does around its struct scheduler
// hooks: simulated time and the event loop (advance), each vCPU's workload blocking and waking it,
// runstates and CPU time, pause and online state, affinity, and the context switch with its trace
// records. A concrete scheduler (credit, credit2, RTDS, null) supplies the hooks: insert and remove a unit,
// wake, sleep, do_schedule, context_saved, and its own timed events. Times are float64 ns inside.
import { NO_TRACE, type TraceSink } from '../trace-sink.ts';
import {
  DOMID_IDLE, RUNSTATE_blocked, RUNSTATE_offline, RUNSTATE_runnable, RUNSTATE_running,
  TRC_SCHED_BLOCK, TRC_SCHED_DOM_ADD, TRC_SCHED_DOM_REM, TRC_SCHED_SLEEP, TRC_SCHED_WAKE,
} from '../trace-events.ts';
import { type DomainSchedOptions, type Scheduler, type SchedulerName, type SchedulerOptions, type VcpuInfo, vcpuStateOf } from '../scheduler.ts';
import { EventQueue, TimerHeap } from './event-queue.ts';
import * as T from './trace.ts';
import { coreMates, siblings } from './topology.ts';
import { maskList } from '../keyhandlers/printk-formats.ts';
import type { CpuTopology } from '../../machine/host.ts';
import { blockTime, consume, initialDutyCycle, roll, runPendingNow, ticksBetween, workAt, setDemand, wantsCpu, type DutyCycle, type VcpuWork } from './workload.ts';

/** Delay between a tickle and the tickled pCPU running its scheduler (IPI and softirq). */
export const TICKLE_LATENCY = 1_000;

export interface CoreDom<V> { id: number; paused: boolean; dying: boolean; vcpus: V[] }

export interface CoreVcpu<D> {
  dom: D;
  id: number;
  /** The trace records' `unit:16, dom:16` word. */
  word: number;
  processor: number;
  running: boolean;
  runstate: number;
  stateEntry: number;
  /** CPU time accounted up to here while running. */
  runFrom: number;
  cpuNs: number;
  online: boolean;
  blocked: boolean;
  hard: number[] | null;
  soft: number[] | null;
  work: DutyCycle;
  wakeGen: number;
  /** Until when its last switch-out is in progress (context_saved not yet called): no other pCPU may take it. */
  savedAt: number;
}

export interface CorePcpu<V> {
  id: number;
  inPool: boolean;
  curr: V | null;
  tickled: boolean;
  tickleAt: number;
  /** When the idle vCPU's runstate last changed (for INFPREV/INFNEXT). */
  idleEntry: number;
  idleSince: number;
  idleNs: number;
  blockAt: number;
  sliceEnd: number;
}

/** What do_schedule decides: the unit to run (null: idle) and for how long (Infinity: until an event). */
export interface Decision<V> { next: V | null; slice: number }

/** Event kinds below this are the core's; a scheduler numbers its own from it. */
export const EV_FIRST_OWN = 2;
const EV_WAKE = 0, EV_SAVED = 1;

export abstract class SchedCore<V extends CoreVcpu<D>, D extends CoreDom<V>> implements Scheduler {
  abstract readonly name: SchedulerName;
  protected t: number;
  private readonly q = new EventQueue();
  private readonly timers: TimerHeap;
  private seq = 0;
  protected readonly sink: TraceSink;
  private readonly timerFired: NonNullable<SchedulerOptions['timer']>;
  protected readonly pc: CorePcpu<V>[] = [];
  /** The pool's pCPUs, ascending. */
  protected cpus: number[] = [];
  protected readonly doms = new Map<number, D>();
  private readonly wakeTargets: (V | undefined)[] = [];
  private readonly freeWakeSlots: number[] = [];
  protected readonly topology: readonly CpuTopology[];
  /**
   * How long after a switch the previous unit's context is saved (context_saved): TICKLE_LATENCY
   * keeps a unit from being picked up on another pCPU at the same TSC; a scheduler whose pCPUs only
   * take a unit after a tickle, itself TICKLE_LATENCY away, saves at once (0).
   */
  protected readonly contextSaveDelay: number = TICKLE_LATENCY;

  constructor(o: SchedulerOptions) {
    this.t = Number(o.startNs ?? 0n);
    this.sink = o.trace ?? NO_TRACE;
    this.sink.now[0] = this.t;
    this.timerFired = o.timer ?? (() => {});
    this.timers = new TimerHeap(o.nrPcpus);
    for (let i = 0; i < o.nrPcpus; i++)
      this.pc.push({ id: i, inPool: false, curr: null, tickled: false, tickleAt: 0, idleEntry: this.t, idleSince: this.t, idleNs: 0, blockAt: Infinity, sliceEnd: Infinity });
    for (const c of o.pcpus) this.pc[c]!.inPool = true;
    this.cpus = [...o.pcpus].sort((a, b) => a - b);
    this.topology = o.topology ?? this.pc.map(p => ({ core: p.id, socket: 0, node: 0 }));
  }

  // ---- the scheduler's hooks (struct scheduler) ------------------------------------------------

  protected abstract newDom(domid: number, o: DomainSchedOptions): D;
  /** The scheduler's fields of a new vCPU, around the core's. */
  /**
   * The scheduler's vCPU: `core` with the scheduler's own fields added in place (Object.assign).
   * A spread copy (`{ ...core, ... }`) made every scheduler about three times slower under V8.
   */
  protected abstract newVcpu(core: CoreVcpu<D>, o: DomainSchedOptions): V;
  /** insert_unit: a vCPU joins (or re-joins) the pool: choose its pCPU, queue it if runnable. */
  protected abstract insertUnit(v: V): void;
  /** The part of insert_unit that places the unit, before it shows as runnable (the runqueue assignment's records come first). */
  protected placeUnit(_v: V): void {}
  /** remove_unit: the vCPU (not running) leaves every queue. */
  protected abstract removeUnit(v: V): void;
  /** wake: the vCPU became runnable and is not running. */
  protected abstract unitWake(v: V): void;
  /** sleep: the vCPU was paused or taken offline (the core tickles its pCPU if it runs). */
  protected abstract unitSleep(v: V): void;
  /** schedule() is entered on p, before any accounting (the scheduler's own record of it); `tickled`: its softirq was raised. */
  protected scheduleEntered(_p: CorePcpu<V>, _tickled: boolean): void {}
  /** do_schedule on pCPU p, whose current unit is prev (CPU time already accounted). */
  protected abstract doSchedule(p: CorePcpu<V>, prev: V | null): Decision<V>;
  /** context_saved: prev has been switched out. */
  protected abstract contextSaved(prev: V): void;
  /** One of the scheduler's own events (kind >= EV_FIRST_OWN) is due. */
  protected abstract onEvent(kind: number, target: number, gen: number): void;
  /** The pool's pCPUs changed (every vCPU is detached meanwhile). */
  protected abstract pcpusChanged(): void;
  /** dump_settings and dump_cpu_state: what the 'r' key prints for the pool and for each of its pCPUs. */
  protected abstract dumpSettings(): string[];
  abstract dumpCpu(cpu: number): string[];

  /** unit_runnable(); a scheduler may add its own conditions (credit's parked units). */
  protected runnable(v: V): boolean {
    return v.online && !v.blocked && !v.dom.paused && !v.dom.dying;
  }

  // ---- time ------------------------------------------------------------------------------------

  advance(toNs: bigint): void {
    const to = Number(toNs);
    const q = this.q, timers = this.timers;
    for (;;) {
      const ta = timers.topAt(), qa = q.peekAt();
      if (ta < qa || (ta === qa && timers.topSeq() < q.peekSeq())) {
        if (ta > to) break;
        const p = this.pc[timers.topSlot()]!;
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
      q.recycle(e);
      if (qa > this.t) this.setTime(qa);
      if (kind === EV_WAKE || kind === EV_SAVED) {
        const v = this.wakeTargets[target];
        this.wakeTargets[target] = undefined;
        this.freeWakeSlots.push(target);
        if (!v) continue;
        if (kind === EV_SAVED) { if (this.doms.get(v.dom.id) === v.dom && gen === v.savedAt) this.contextSaved(v); }
        else if (gen === v.wakeGen) { this.timerFired(v.dom.id, v.id, 1); this.workloadWake(v); }
      } else this.onEvent(kind, target, gen);
    }
    if (to > this.t) this.setTime(to);
  }

  private setTime(t: number): void { this.sink.now[0] = this.t = t; }

  /** Queue one of the scheduler's own events. */
  protected at(ns: number, kind: number, target: number, gen: number): void {
    this.q.push(ns, this.seq++, kind, target, gen);
  }

  // ---- pCPUs -----------------------------------------------------------------------------------

  pcpus(): number[] { return [...this.cpus]; }

  addPcpu(pcpu: number): void { this.repool(() => { this.pc[pcpu]!.inPool = true; }); }

  removePcpu(pcpu: number): void {
    this.repool(() => {
      const p = this.pc[pcpu]!;
      p.inPool = false;
      p.tickled = false;
      this.timers.clear(p.id);
    });
  }

  /** Every vCPU leaves, the pool's pCPUs change, every vCPU comes back (as schedule_cpu_add/rm move units). */
  private repool(change: () => void): void {
    const all = [...this.doms.values()].flatMap(d => d.vcpus);
    for (const v of all) this.detach(v);
    change();
    this.cpus = this.pc.filter(p => p.inPool).map(p => p.id);
    this.pcpusChanged();
    for (const v of all) this.attach(v);
  }

  protected tickle(cpu: number): void {
    const p = this.pc[cpu]!;
    if (!p.inPool) return;
    if (!p.tickled) { p.tickled = true; p.tickleAt = this.t + TICKLE_LATENCY; }
    this.timers.set(p.id, p.tickleAt, this.seq++);
  }

  private armTimer(p: CorePcpu<V>): void {
    const at = p.tickled ? p.tickleAt : Math.min(p.blockAt, p.sliceEnd);
    if (at !== Infinity) this.timers.set(p.id, at, this.seq++);
    else this.timers.clear(p.id);
  }

  /** May v run on cpu? Its hard affinity within the pool; a hard affinity outside the pool counts as the whole pool. */
  protected allowed(v: V, cpu: number): boolean {
    if (!this.pc[cpu]?.inPool) return false;
    const h = v.hard;
    return !h || h.includes(cpu) || !h.some(c => this.pc[c]?.inPool);
  }

  /** The pool's pCPUs v may run on. */
  protected effective(v: V): number[] { return this.cpus.filter(c => this.allowed(v, c)); }

  /** The soft affinity within the effective one, or null when it would not restrict anything. */
  protected softCpus(v: V): number[] | null {
    if (!v.soft) return null;
    const eff = this.effective(v);
    const s = eff.filter(c => v.soft!.includes(c));
    return s.length && s.length < eff.length ? s : null;
  }

  // ---- domains ---------------------------------------------------------------------------------

  domains(): number[] { return [...this.doms.keys()].sort((a, b) => a - b); }

  addDomain(domid: number, o: DomainSchedOptions): void {
    if (this.doms.has(domid)) throw new Error(`domain ${domid} exists`);
    if (!this.cpus.length) throw new Error(`no cpus in the pool for domain ${domid}`);
    const d = this.newDom(domid, o);
    this.doms.set(domid, d);
    if (this.sink.enabled) T.domOp(this.sink, this.cpus[0]!, TRC_SCHED_DOM_ADD, domid);
    const online = o.onlineVcpus ?? o.nrVcpus;
    for (let i = 0; i < o.nrVcpus; i++) {
      const work = initialDutyCycle(domid, i, o, this.t);
      const core: CoreVcpu<D> = {
        dom: d, id: i, word: T.unitWord(domid, i), processor: this.cpus[0]!, running: false, runstate: RUNSTATE_offline,
        stateEntry: this.t, runFrom: this.t, cpuNs: Number(o.cpuTimeNs?.[i] ?? 0n), online: i < online, blocked: !wantsCpu(work),
        hard: o.hardAffinity?.[i]?.length ? [...o.hardAffinity[i]!] : null, soft: o.softAffinity?.[i]?.length ? [...o.softAffinity[i]!] : null,
        work, wakeGen: 0, savedAt: -1,
      };
      d.vcpus.push(this.newVcpu(core, o));
    }
    for (const v of d.vcpus) this.attach(v);
  }

  removeDomain(domid: number): void {
    const d = this.getDom(domid);
    d.dying = true;
    for (const v of d.vcpus) { v.wakeGen++; this.detach(v); }
    if (this.sink.enabled) T.domOp(this.sink, this.cpus[0] ?? 0, TRC_SCHED_DOM_REM, domid);
    this.doms.delete(domid);
  }

  /**
   * domain_pause: each vCPU is put to sleep and, as vcpu_sleep_sync spins until it has stopped,
   * the pCPUs running one switch away from it now rather than a tickle later, so the domain is
   * paused when the call returns.
   */
  pauseDomain(domid: number): void {
    const d = this.getDom(domid);
    if (d.paused) return;
    d.paused = true;
    for (const v of d.vcpus) this.sleep(v);
    for (const v of d.vcpus) if (v.running) this.schedule(this.pc[v.processor]!);
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
    else this.sleep(v);
  }

  setAffinity(domid: number, vcpu: number, hard: number[] | null, soft: number[] | null): void {
    const v = this.getVcpu(domid, vcpu);
    this.changeAffinity(v, () => {
      if (hard) v.hard = hard.length ? [...hard] : null;
      if (soft) v.soft = soft.length ? [...soft] : null;
    });
  }

  /** vcpu_set_affinity(): `apply` sets the masks; moving the unit through remove and insert is what its migration amounts to. */
  protected changeAffinity(v: V, apply: () => void): void {
    this.detach(v);
    apply();
    this.attach(v);
  }

  setDemand(domid: number, vcpu: number, frac: number): void {
    const v = this.getVcpu(domid, vcpu);
    const w = v.work;
    if (v.running) this.accountRun(v);
    else roll(w, this.t);
    const end = w.periodEnd;
    setDemand(w, frac, this.t);
    if (v.running) {
      const p = this.pc[v.processor]!;
      p.blockAt = blockTime(w, this.t);
      this.armTimer(p);
    } else if (v.blocked && wantsCpu(w)) {
      v.wakeGen++;
      this.workloadWake(v);
    } else if (!v.blocked && !wantsCpu(w)) {
      // Runnable but no longer wanting CPU: it blocks now.
      this.unitSleep(v);
      this.block(v);
      this.setRunstate(v, RUNSTATE_blocked);
      this.armWake(v);
    } else if (v.blocked && w.periodEnd !== end) {
      // Its period was cut short: it wakes at the new end.
      this.armWake(v);
    }
  }

  // ---- queries ---------------------------------------------------------------------------------

  vcpu(domid: number, vcpu: number): VcpuInfo {
    const v = this.getVcpu(domid, vcpu);
    const all = this.pc.map(p => p.id);
    return {
      cpuTimeNs: BigInt(Math.round(this.cpuNs(v))), state: vcpuStateOf(v), pcpu: v.processor, online: v.online,
      hard: v.hard ? [...v.hard] : all, soft: v.soft ? [...v.soft] : all,
    };
  }

  vcpuCpuTimeNs(domid: number, vcpu: number): bigint { return BigInt(Math.round(this.cpuNs(this.getVcpu(domid, vcpu)))); }

  vcpuStatus(domid: number, vcpu: number): Pick<VcpuInfo, 'state' | 'online'> {
    const v = this.getVcpu(domid, vcpu);
    return { state: vcpuStateOf(v), online: v.online };
  }

  vcpuWork(domid: number, vcpu: number): VcpuWork { return workAt(this.getVcpu(domid, vcpu), this.t); }

  resume(): void {
    runPendingNow(this.pc, p => p.inPool, p => {
      this.timers.clear(p.id);
      if (p.curr && this.t >= p.blockAt) this.block(p.curr);
      this.schedule(p);
    });
  }

  domainCpuTimeNs(domid: number): bigint {
    let s = 0;
    for (const v of this.getDom(domid).vcpus) s += this.cpuNs(v);
    return BigInt(Math.round(s));
  }

  pcpuIdleTimeNs(pcpu: number): bigint {
    const p = this.pc[pcpu];
    if (!p) throw new Error(`no pcpu ${pcpu}`);
    return BigInt(Math.round(p.idleNs + (p.curr ? 0 : this.t - p.idleSince)));
  }

  pcpuCurrent(pcpu: number): { domid: number; vcpu: number } | null {
    const v = this.pc[pcpu]?.curr;
    return v ? { domid: v.dom.id, vcpu: v.id } : null;
  }

  dump(): string[] { return this.dumpSettings(); }

  /** The 'r' dump's sibling and core masks of a pCPU. */
  protected cpuMasks(cpu: number): string {
    return `sibling={${maskList(siblings(this.topology, cpu))}}, core={${maskList(coreMates(this.topology, cpu))}}`;
  }

  protected cpuNs(v: V): number { return v.cpuNs + (v.running ? this.t - v.runFrom : 0); }

  protected getDom(id: number): D {
    const d = this.doms.get(id);
    if (!d) throw new Error(`no domain ${id}`);
    return d;
  }

  protected getVcpu(domid: number, vcpu: number): V {
    const v = this.getDom(domid).vcpus[vcpu];
    if (!v) throw new Error(`no vcpu ${vcpu} in domain ${domid}`);
    return v;
  }

  // ---- wake, sleep, block ----------------------------------------------------------------------

  protected setRunstate(v: V, s: number): void {
    if (v.runstate === s) return;
    if (this.sink.enabled) T.runstateChange(this.sink, v.processor, v.dom.id, v.id, v.runstate, s);
    v.runstate = s;
    v.stateEntry = this.t;
  }

  /** vcpu_wake(): the vCPU may have become runnable. */
  protected wake(v: V): void {
    if (this.sink.enabled) T.vcpuOp(this.sink, v.processor, TRC_SCHED_WAKE, v.dom.id, v.id);
    if (this.runnable(v)) {
      if (v.runstate >= RUNSTATE_blocked) this.setRunstate(v, RUNSTATE_runnable);
      if (!v.running) this.unitWake(v);
    } else {
      if (!v.blocked && v.runstate === RUNSTATE_blocked) this.setRunstate(v, RUNSTATE_offline);
      if (v.blocked && v.online && !v.dom.paused && !v.running) this.armWake(v);
    }
  }

  /** vcpu_sleep_nosync(): paused, taken offline, or parked by the scheduler. */
  protected sleep(v: V): void {
    v.wakeGen++;
    if (this.sink.enabled) T.vcpuOp(this.sink, v.processor, TRC_SCHED_SLEEP, v.dom.id, v.id);
    if (v.runstate === RUNSTATE_runnable) this.setRunstate(v, RUNSTATE_offline);
    if (v.running) this.tickle(v.processor);
    this.unitSleep(v);
  }

  /** The workload has had its fill for this period (vcpu_block). */
  private block(v: V): void {
    if (v.running) this.accountRun(v);
    v.blocked = true;
    if (this.sink.enabled) T.vcpuOp(this.sink, v.processor, TRC_SCHED_BLOCK, v.dom.id, v.id);
  }

  private armWake(v: V): void {
    const w = v.work;
    if (w.quota <= 0) return;
    v.wakeGen++;
    this.q.push(w.periodEnd > this.t ? w.periodEnd : this.t, this.seq++, EV_WAKE, this.slotOf(v), v.wakeGen);
  }

  /** Events name vCPUs by a slot number, reused once the event has fired. */
  private slotOf(v: V): number {
    const slot = this.freeWakeSlots.length ? this.freeWakeSlots.pop()! : this.wakeTargets.length;
    this.wakeTargets[slot] = v;
    return slot;
  }

  /** A new workload period began for a blocked vCPU. */
  private workloadWake(v: V): void {
    if (this.doms.get(v.dom.id) !== v.dom || v.running) return;
    roll(v.work, this.t);
    if (!wantsCpu(v.work)) { this.armWake(v); return; }
    v.blocked = false;
    this.wake(v);
  }

  /** CPU time and workload consumption of a running vCPU up to now. */
  protected accountRun(v: V): void {
    const from = v.runFrom, to = this.t;
    if (to <= from) return;
    const cpu = v.cpuNs;
    v.cpuNs += to - from;
    consume(v.work, from, to);
    v.runFrom = to;
    const ticks = ticksBetween(cpu, v.cpuNs);
    if (ticks) this.timerFired(v.dom.id, v.id, ticks);
  }

  // ---- placement -------------------------------------------------------------------------------

  protected attach(v: V): void {
    this.placeUnit(v);
    if (this.runnable(v)) this.setRunstate(v, RUNSTATE_runnable);
    this.insertUnit(v);
    if (v.blocked && v.online && !v.dom.paused && !v.dom.dying) this.armWake(v);
  }

  /** Take a vCPU off its pCPU and out of the scheduler (it is re-attached, or going away). */
  protected detach(v: V): void {
    if (v.running) {
      const p = this.pc[v.processor]!;
      const hold = v.dom.dying;
      v.dom.dying = true; // not runnable during this switch
      this.schedule(p, false);
      v.dom.dying = hold;
    }
    this.removeUnit(v);
  }

  // ---- the context switch ------------------------------------------------------------------------

  /**
   * schedule() of core.c on one pCPU at the current instant. The switched-out vCPU's context is
   * saved contextSaveDelay later, as the switch takes a little time: until then no other pCPU can
   * pick it up, so a vCPU never shows up on two pCPUs at one TSC (which xenalyze cannot order).
   * A vCPU being detached is saved at once, before it leaves the scheduler.
   */
  private schedule(p: CorePcpu<V>, deferSave = true): void {
    if (!p.inPool) { p.tickled = false; return; }
    const prev = p.curr;
    // The softirq is being served; do_schedule may raise it again (to look once more shortly).
    const tickled = p.tickled;
    p.tickled = false;
    this.scheduleEntered(p, tickled);
    if (prev) this.accountRun(prev);
    const { next, slice } = this.doSchedule(p, prev);
    this.contextSwitch(p, prev, next, slice, deferSave);
  }

  private contextSwitch(p: CorePcpu<V>, prev: V | null, next: V | null, slice: number, deferSave: boolean): void {
    const now = this.t;
    const s = this.sink;
    const tracing = s.enabled;
    const traceSlice = next && slice !== Infinity ? slice : -1;
    if (prev === next) {
      if (tracing) {
        const d = next ? next.dom.id : DOMID_IDLE, u = next ? next.id : p.id;
        T.switchInfCont(s, p.id, d, u, now - (next ? next.stateEntry : p.idleEntry), traceSlice);
        T.continueRunning(s, p.id, d, u);
      }
    } else {
      if (tracing) {
        T.switchUnits(s, p.id,
          prev ? prev.dom.id : DOMID_IDLE, prev ? prev.id : p.id, now - (prev ? prev.stateEntry : p.idleEntry),
          next ? next.dom.id : DOMID_IDLE, next ? next.id : p.id,
          next ? (next.runstate === RUNSTATE_runnable ? now - next.stateEntry : 0) : now - p.idleEntry, traceSlice);
      }
      if (prev) {
        prev.running = false;
        this.setRunstate(prev, prev.blocked ? RUNSTATE_blocked : this.runnable(prev) ? RUNSTATE_runnable : RUNSTATE_offline);
      } else {
        if (tracing) T.runstateChange(s, p.id, DOMID_IDLE, p.id, RUNSTATE_running, RUNSTATE_runnable);
        p.idleEntry = now;
        p.idleNs += now - p.idleSince;
      }
      if (next) {
        next.running = true;
        next.processor = p.id;
        next.runFrom = now;
        roll(next.work, now);
        this.setRunstate(next, RUNSTATE_running);
      } else {
        if (tracing) T.runstateChange(s, p.id, DOMID_IDLE, p.id, RUNSTATE_runnable, RUNSTATE_running);
        p.idleEntry = now;
        p.idleSince = now;
      }
      p.curr = next;
      if (prev) {
        if (deferSave && this.contextSaveDelay) {
          prev.savedAt = now + this.contextSaveDelay;
          this.q.push(prev.savedAt, this.seq++, EV_SAVED, this.slotOf(prev), prev.savedAt);
        } else { prev.savedAt = now; this.contextSaved(prev); }
        if (prev.blocked && prev.online && !prev.dom.paused && !prev.dom.dying) this.armWake(prev);
      }
    }
    p.sliceEnd = next && slice !== Infinity ? now + slice : Infinity;
    p.blockAt = next ? blockTime(next.work, now) : Infinity;
    this.armTimer(p);
  }
}
