// A deterministic host for trace tests: a few pCPUs, dom0 and three busy guests scheduled
// round-robin with credit2-style records, a short-lived fourth domain (DOM0OP create/destroy),
// all recorded through TraceBuffers and drained every 100 ms as xentrace polls. It keeps its own
// account of each domain's running time so tests can hold xenalyze's summary to it.
import { TraceBuffers } from '../../../src/hypervisor/trace-buffers.ts';
import * as T from '../../../src/hypervisor/trace-events.ts';
import { traceSegment } from '../../../src/hypervisor/trace-pv.ts';
import { sinkOf } from '../../../src/hypervisor/trace-sink.ts';

const DOMID_IDLE = T.DOMID_IDLE;
const EV = {
  RUNSTATE: T.TRC_SCHED_RUNSTATE_CHANGE, CONTINUE_RUNNING: T.TRC_SCHED_CONTINUE_RUNNING,
  DOM_ADD: T.TRC_SCHED_DOM_ADD, DOM_REM: T.TRC_SCHED_DOM_REM, SLEEP: T.TRC_SCHED_SLEEP, WAKE: T.TRC_SCHED_WAKE,
  BLOCK: T.TRC_SCHED_BLOCK, SWITCH: T.TRC_SCHED_SWITCH, SWITCH_INFPREV: T.TRC_SCHED_SWITCH_INFPREV,
  SWITCH_INFNEXT: T.TRC_SCHED_SWITCH_INFNEXT, SWITCH_INFCONT: T.TRC_SCHED_SWITCH_INFCONT,
  CSCHED2_RUNQ_POS: T.TRC_CSCHED2_RUNQ_POS, CSCHED2_CREDIT_BURN: T.TRC_CSCHED2_CREDIT_BURN,
  CSCHED2_TICKLE: T.TRC_CSCHED2_TICKLE, CSCHED2_CREDIT_RESET: T.TRC_CSCHED2_CREDIT_RESET,
  CSCHED2_RUNQ_CANDIDATE: T.TRC_CSCHED2_RUNQ_CANDIDATE, CSCHED2_SCHEDULE: T.TRC_CSCHED2_SCHEDULE,
  DOM0_DOM_ADD: T.TRC_DOM0_DOM_ADD, DOM0_DOM_REM: T.TRC_DOM0_DOM_REM,
} as const;
const RUNNING = 0, RUNNABLE = 1, BLOCKED = 2, OFFLINE = 3;
const MS = 1_000_000n;
const SLICE = 10n * MS;
const CREDIT_INIT = 10_000_000;
const INT_MIN = 0x80000000;

interface Vcpu {
  dom: number; id: number; state: number; pcpu: number;
  burstLeft: bigint; wakeAt: bigint; since: bigint; credit: number;
  meanBurst: number; meanSleep: number;
}
interface Pcpu { cur: Vcpu | undefined; sliceEnd: bigint; ranSince: bigint; actFrom: bigint }

export interface ScenarioOptions {
  seconds?: number; nrPcpus?: number; mhz?: number; pagesPerCpu?: number; seed?: number;
  /** How often the rings are drained (xentrace -s), in ms; default 100. */
  drainMs?: number;
  /** Also record what the vCPUs do while they run (trace-pv.ts): d3 is HVM, the others PV. */
  activity?: boolean;
}
export interface ScenarioResult {
  file: Buffer;
  /** ns each domain spent running, from the records themselves. */
  runningNs: Map<number, bigint>;
  records: number;
  lost: number;
  events: Set<number>;
}

export function runScenario(opts: ScenarioOptions = {}): ScenarioResult {
  const seconds = opts.seconds ?? 10, nrPcpus = opts.nrPcpus ?? 4, mhz = opts.mhz ?? 2400;
  const tb = new TraceBuffers({ nrPcpus, mhz, pagesPerCpu: opts.pagesPerCpu ?? 256 });
  tb.enable();
  let seed = opts.seed ?? 12345;
  const rand = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return ((seed >>> 8) & 0xffff) / 0x10000; };
  const dur = (meanMs: number): bigint => BigInt(Math.max(20_000, Math.round(meanMs * 1e6 * (0.2 + 1.6 * rand()))));

  const chunks: Buffer[] = [];
  const runningNs = new Map<number, bigint>();
  const events = new Set<number>();
  let records = 0;
  const counting = sinkOf({ enabled: true, wants: (c: number, ev: number) => tb.wants(c, ev),
    record: (c: number, t: bigint, ev: number, data: readonly number[]) => { tb.record(c, t, ev, data); records++; events.add(ev); } });
  /** Activity of whatever runs on `cpu` up to `t`, recorded before anything else at `t` there. */
  const activityUpTo = (cpu: number, t: bigint): void => {
    const p = pcpus[cpu]!;
    if (!opts.activity || t <= p.actFrom) return;
    const v = p.cur ?? idle[cpu]!;
    traceSegment(counting, { cpu, fromNs: Number(p.actFrom), toNs: Number(t), domid: v.dom, vcpu: v.id, kind: v.dom === 3 ? 'hvm' : 'pv',
      cpuLoad: v.dom === 0 ? 0.3 : 1, ioPerSec: v.dom === 0 ? 300 : 50 });
    p.actFrom = t;
  };
  const emit = (cpu: number, t: bigint, ev: number, data: number[]): void => {
    activityUpTo(cpu, t);
    counting.record(cpu, t, ev, data);
  };
  const dv = (v: Vcpu): number => ((v.dom << 16) | v.id) >>> 0;
  const runstate = (cpu: number, t: bigint, v: Vcpu | undefined, to: number): void => {
    const vv = v ?? idle[cpu]!;
    emit(cpu, t, EV.RUNSTATE + (vv.state << 8) + (to << 4), [dv(vv)]);
    vv.state = to;
  };

  const idle: Vcpu[] = Array.from({ length: nrPcpus }, (_, c) => mk(DOMID_IDLE, c, RUNNING, 0, 0));
  function mk(dom: number, id: number, state: number, meanBurst: number, meanSleep: number): Vcpu {
    return { dom, id, state, pcpu: id % nrPcpus, burstLeft: 0n, wakeAt: 0n, since: 0n, credit: CREDIT_INIT, meanBurst, meanSleep };
  }
  const vcpus: Vcpu[] = [mk(0, 0, BLOCKED, 0.3, 4)];
  for (const d of [1, 2, 3]) for (const id of [0, 1]) vcpus.push(mk(d, id, BLOCKED, 15, 2));
  for (const v of vcpus) v.wakeAt = dur(1);
  const pcpus: Pcpu[] = Array.from({ length: nrPcpus }, () => ({ cur: undefined, sliceEnd: 0n, ranSince: 0n, actFrom: 0n }));
  const runq: Vcpu[] = [];
  const end = BigInt(seconds) * 1_000_000_000n;
  const createAt = end * 3n / 10n, destroyAt = end * 7n / 10n;
  let created = false, destroyed = false;
  const drainEvery = BigInt(opts.drainMs ?? 100) * MS;
  let nextDrain = drainEvery;

  const account = (v: Vcpu, t: bigint): void => {
    runningNs.set(v.dom, (runningNs.get(v.dom) ?? 0n) + (t - v.since));
  };

  /** sched_switch_units: infprev, infnext, switch, prev's runstate, next's runstate, one TSC. */
  function schedule(cpu: number, t: bigint, prevTo: number, toIdle = false): void {
    const p = pcpus[cpu]!;
    const prev = p.cur ?? idle[cpu]!;
    // Never take a vCPU woken at this same instant on another pCPU: xenalyze orders equal TSCs arbitrarily.
    const i = toIdle ? -1 : runq.findIndex(v => v.since < t || v.pcpu === cpu);
    const next = i >= 0 ? runq.splice(i, 1)[0]! : idle[cpu]!;
    emit(cpu, t, EV.CSCHED2_SCHEDULE, [cpu, prev === idle[cpu] ? 0x100 : 0]);
    if (next !== idle[cpu]) emit(cpu, t, EV.CSCHED2_RUNQ_CANDIDATE, [dv(next), 0xffffffff, next.credit]);
    if (prev !== idle[cpu]) {
      emit(cpu, t, EV.CSCHED2_CREDIT_BURN, [dv(prev), prev.credit, INT_MIN, Number(t - prev.since)]);
      account(prev, t);
    }
    emit(cpu, t, EV.SWITCH_INFPREV, [prev.dom, prev.id, Number(t - p.ranSince)]);
    const waited = next.state === RUNNABLE ? Number(t - next.since) : 0;
    emit(cpu, t, EV.SWITCH_INFNEXT, [next.dom, next.id, waited, Number(SLICE)]);
    emit(cpu, t, EV.SWITCH, [prev.dom, prev.id, next.dom, next.id]);
    runstate(cpu, t, prev, prevTo);
    prev.since = t;
    if (prevTo === RUNNABLE && prev !== idle[cpu]) runq.push(prev);
    runstate(cpu, t, next, RUNNING);
    next.since = t; next.pcpu = cpu;
    if (next !== idle[cpu] && next.burstLeft === 0n) next.burstLeft = dur(next.meanBurst);
    p.cur = next === idle[cpu] ? undefined : next;
    p.sliceEnd = t + SLICE;
    p.ranSince = t;
  }

  function wake(v: Vcpu, t: bigint): void {
    const freeCpu = pcpus.findIndex(p => p.cur === undefined);
    const cpu = freeCpu >= 0 ? freeCpu : v.pcpu;
    emit(cpu, t, EV.WAKE, [v.dom, v.id]);
    runstate(cpu, t, v, RUNNABLE);
    v.since = t; v.pcpu = cpu;
    runq.push(v);
    emit(cpu, t, EV.CSCHED2_RUNQ_POS, [dv(v), runq.length - 1]);
    if (freeCpu >= 0) { emit(cpu, t, EV.CSCHED2_TICKLE, [cpu]); schedule(cpu, t, RUNNABLE); }
  }

  for (;;) {
    // The earliest pending event: a block, a slice end, a wakeup, a domain op, the end.
    let t = end, what = 'end', who = -1;
    pcpus.forEach((p, c) => {
      if (!p.cur) return;
      const blockAt = p.cur.since + p.cur.burstLeft;
      if (blockAt < t) { t = blockAt; what = 'block'; who = c; }
      if (p.sliceEnd < t) { t = p.sliceEnd; what = 'slice'; who = c; }
    });
    vcpus.forEach((v, i) => { if (v.state === BLOCKED && v.wakeAt < t) { t = v.wakeAt; what = 'wake'; who = i; } });
    if (!created && createAt < t) { t = createAt; what = 'create'; }
    if (created && !destroyed && destroyAt < t) { t = destroyAt; what = 'destroy'; }
    while (nextDrain <= t && nextDrain < end) { chunks.push(tb.drain()); nextDrain += drainEvery; }
    if (what === 'end') break;

    if (what === 'block') {
      const p = pcpus[who]!, v = p.cur!;
      v.burstLeft = 0n;
      v.wakeAt = t + dur(v.meanSleep);
      emit(who, t, EV.BLOCK, [v.dom, v.id]);
      schedule(who, t, BLOCKED);
    } else if (what === 'slice') {
      const p = pcpus[who]!, v = p.cur!;
      v.burstLeft -= t - v.since;
      v.credit -= Number(t - v.since);
      if (v.credit <= 0) {
        emit(who, t, EV.CSCHED2_CREDIT_RESET, [dv(v), v.credit, CREDIT_INIT]);
        v.credit = CREDIT_INIT;
      }
      if (runq.some(r => r.since < t || r.pcpu === who)) {
        schedule(who, t, RUNNABLE);
      } else {
        account(v, t);
        emit(who, t, EV.CSCHED2_CREDIT_BURN, [dv(v), v.credit, INT_MIN, Number(t - v.since)]);
        emit(who, t, EV.SWITCH_INFCONT, [v.dom, v.id, Number(t - p.ranSince), Number(SLICE)]);
        emit(who, t, EV.CONTINUE_RUNNING, [dv(v)]);
        v.since = t; p.sliceEnd = t + SLICE; p.ranSince = t;
      }
    } else if (what === 'wake') {
      wake(vcpus[who]!, t);
    } else if (what === 'create') {
      created = true;
      emit(0, t, EV.DOM0_DOM_ADD, [4]);
      emit(0, t, EV.DOM_ADD, [4]);
      const v = mk(4, 0, OFFLINE, 8, 3);
      vcpus.push(v);
      wake(v, t);
    } else if (what === 'destroy') {
      destroyed = true;
      const v = vcpus.find(x => x.dom === 4)!;
      vcpus.splice(vcpus.indexOf(v), 1);
      const cpu = v.state === RUNNING ? v.pcpu : 0;
      emit(cpu, t, EV.SLEEP, [v.dom, v.id]);
      if (v.state === RUNNING) schedule(cpu, t, OFFLINE);
      else {
        if (v.state === RUNNABLE) runq.splice(runq.indexOf(v), 1);
        runstate(cpu, t, v, OFFLINE);
      }
      emit(0, t, EV.DOM_REM, [4]);
      emit(0, t, EV.DOM0_DOM_REM, [4]);
    }
  }
  // Close every running interval so the account and the trace agree on the last stretch too.
  pcpus.forEach((p, c) => {
    if (p.cur) { p.cur.burstLeft = 0n; emit(c, end, EV.BLOCK, [p.cur.dom, p.cur.id]); schedule(c, end, BLOCKED, true); }
  });
  chunks.push(tb.drain());
  return { file: Buffer.concat(chunks), runningNs, records, lost: tb.totalLost, events };
}
