// The null scheduler (xen/common/sched/null.c) of one cpupool: each vCPU is assigned to one pCPU
// of its own and only ever runs there; that pCPU idles when its vCPU blocks. vCPUs for which no
// pCPU is free wait in the waitqueue until one is (a vCPU leaves, goes offline, or a pCPU joins).
import type { DomainSchedOptions } from '../scheduler.ts';
import { SchedCore, type CoreDom, type CorePcpu, type CoreVcpu, type Decision } from '../sched-core/core.ts';
import { TRC_SNULL_PICKED_CPU, TRC_SNULL_UNIT_ASSIGN, TRC_SNULL_UNIT_DEASSIGN } from '../trace-events.ts';
import { maskList } from '../keyhandlers/printk-formats.ts';
import * as T from './trace.ts';

type NDom = CoreDom<NVcpu>;
interface NVcpu extends CoreVcpu<NDom> { inWaitq: boolean }

export class Null extends SchedCore<NVcpu, NDom> {
  readonly name = 'null' as const;
  /** The vCPU assigned to each pCPU (null_pcpu.unit). */
  private readonly assigned: (NVcpu | null)[] = this.pc.map(() => null);
  private waitq: NVcpu[] = [];

  /** The pCPU a vCPU is assigned to, or -1 while it waits. */
  assignment(domid: number, vcpu: number): number {
    const v = this.getVcpu(domid, vcpu);
    return this.assigned[v.processor] === v ? v.processor : -1;
  }

  protected newDom(domid: number, o: DomainSchedOptions): NDom {
    return { id: domid, paused: o.paused ?? false, dying: false, vcpus: [] };
  }

  protected newVcpu(core: CoreVcpu<NDom>): NVcpu { return Object.assign(core, { inWaitq: false }); }

  private isFree(cpu: number): boolean { return this.pc[cpu]!.inPool && !this.assigned[cpu]; }

  /** pick_res(): its own pCPU if free (or already its), else the first free one, soft affinity first. */
  private pick(v: NVcpu): number {
    let pick = -1;
    for (const set of [this.softCpus(v), this.effective(v)]) {
      if (!set) continue;
      if (set.includes(v.processor) && (this.isFree(v.processor) || this.assigned[v.processor] === v)) { pick = v.processor; break; }
      const free = set.find(c => this.isFree(c));
      if (free !== undefined) { pick = free; break; }
    }
    if (pick < 0) {
      const eff = this.effective(v);
      pick = eff.includes(v.processor) ? v.processor : eff[0]!;
    }
    if (this.sink.enabled) T.unitCpu(this.sink, v.processor, TRC_SNULL_PICKED_CPU, v.word, pick);
    return pick;
  }

  private assign(v: NVcpu, cpu: number): void {
    this.assigned[cpu] = v;
    v.processor = cpu;
    if (this.sink.enabled) T.unitCpu(this.sink, cpu, TRC_SNULL_UNIT_ASSIGN, v.word, cpu);
  }

  /** The pCPU becomes free, and goes to the first waiting vCPU that may use it (soft affinity first). */
  private deassign(v: NVcpu): void {
    const cpu = v.processor;
    this.assigned[cpu] = null;
    if (this.sink.enabled) T.unitCpu(this.sink, cpu, TRC_SNULL_UNIT_DEASSIGN, v.word, cpu);
    const w = this.fromWaitq(cpu);
    if (w) this.tickle(cpu);
  }

  private fromWaitq(cpu: number): NVcpu | null {
    for (const soft of [true, false]) {
      const w = this.waitq.find(x => (soft ? this.softCpus(x)?.includes(cpu) : this.allowed(x, cpu)));
      if (!w) continue;
      this.waitq.splice(this.waitq.indexOf(w), 1);
      w.inWaitq = false;
      this.assign(w, cpu);
      return w;
    }
    return null;
  }

  private wait(v: NVcpu): void {
    this.waitq.push(v);
    v.inWaitq = true;
  }

  protected insertUnit(v: NVcpu): void {
    if (!v.online) return;
    const cpu = this.pick(v);
    if (this.isFree(cpu)) {
      this.assign(v, cpu);
      this.tickle(cpu);
    } else {
      v.processor = cpu;
      this.wait(v);
    }
  }

  protected removeUnit(v: NVcpu): void {
    if (v.inWaitq) { this.waitq.splice(this.waitq.indexOf(v), 1); v.inWaitq = false; }
    else if (this.assigned[v.processor] === v) this.deassign(v);
  }

  protected unitWake(v: NVcpu): void {
    if (v.inWaitq) return;
    const cpu = v.processor;
    if (this.assigned[cpu] === v) { this.tickle(cpu); return; }
    if (this.isFree(cpu) && this.allowed(v, cpu) && (!this.softCpus(v) || this.softCpus(v)!.includes(cpu))) {
      this.assign(v, cpu);
      this.tickle(cpu);
      return;
    }
    // A vCPU coming online again: wait, and let the free pCPUs it may use look at the queue.
    this.wait(v);
    for (const c of this.effective(v)) if (this.isFree(c)) this.tickle(c);
  }

  /** An offline vCPU gives its pCPU up; a paused one keeps it. */
  protected unitSleep(v: NVcpu): void {
    if (v.online) return;
    this.removeUnit(v);
  }

  protected contextSaved(): void {}

  protected pcpusChanged(): void {
    for (const p of this.pc) if (!p.inPool) this.assigned[p.id] = null;
  }

  protected onEvent(): void {}

  protected doSchedule(p: CorePcpu<NVcpu>, _prev: NVcpu | null): Decision<NVcpu> {
    const cpu = p.id;
    let v = this.assigned[cpu] ?? null;
    if (this.sink.enabled) T.schedule(this.sink, cpu, v ? v.word : null);
    // A pCPU new in the pool, or freed: anyone waiting may be assigned to it.
    if (!v && this.waitq.length) v = this.fromWaitq(cpu);
    return { next: v && this.runnable(v) ? v : null, slice: Infinity };
  }

  protected dumpSettings(): string[] {
    const out = [`\tcpus_free = ${maskList(this.cpus.filter(c => this.isFree(c)))}`, 'Domain info:'];
    let loop = 0;
    for (const d of this.doms.values()) {
      out.push(`\tDomain: ${d.id}`);
      for (const v of d.vcpus) out.push(`\t${String(++loop).padStart(3)}: ${this.dumpUnit(v)}`);
    }
    out.push(`Waitqueue: ${this.waitq.map(v => `d${v.dom.id}v${v.id}`).join(', ')}`);
    return out;
  }

  dumpCpu(cpu: number): string[] {
    const a = this.assigned[cpu];
    const cur = this.pc[cpu]!.curr;
    const out = [`CPU[${String(cpu).padStart(2, '0')}] ${this.cpuMasks(cpu)}${a ? `, unit=d${a.dom.id}v${a.id}` : ''}`];
    if (cur) out.push(`\trun: ${this.dumpUnit(cur)}`);
    return out;
  }

  private dumpUnit(v: NVcpu): string { return `[${v.dom.id}.${v.id}] pcpu=${v.inWaitq ? -1 : v.processor}`; }
}
