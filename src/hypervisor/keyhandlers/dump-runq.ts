// 'r' (cpupool.c's dump_runq): the online and free pCPUs, then per CPU pool its scheduler's
// dump (credit2's csched2_dump: runqueues, domains and their units, each runqueue's pCPUs and
// queued units) and what each pCPU runs. A unit's load is its workload's demand, the average
// credit2's load tracking converges to, in its fixed-point units (load_precision_shift 18).
import type { Hypervisor } from '../hypervisor.ts';
import type { Dom, Pool, Vcpu } from '../credit2/model.ts';
import { CSCHED2_DEFAULT_WEIGHT } from '../credit2/constants.ts';
import { maskHex, maskList, vcpuName } from './printk-formats.ts';

const LOAD_PRECISION_SHIFT = 18;
/** CSFLAG_scheduled: the unit is running on a pCPU. */
const CSFLAG_scheduled = 1 << 1;

const unitLoad = (v: Vcpu): number => (v.online && !v.dom.paused ? Math.round(v.work.demand * (1 << LOAD_PRECISION_SHIFT)) : 0);
const percent = (load: number): number => Math.floor((load * 100) / (1 << LOAD_PRECISION_SHIFT));

function unit(v: Vcpu): string {
  const cap = v.dom.cap ? ` budget=${v.budget}(${v.budgetQuota})` : '';
  const load = unitLoad(v);
  return `[${v.dom.id}.${v.id}] flags=${(v.running ? CSFLAG_scheduled : 0).toString(16)} cpu=${v.processor} credit=${Math.trunc(v.credit)} [w=${v.dom.weight}]${cap} load=${load} (~${percent(load)}%)`;
}

export function dumpRunq(hv: Hypervisor): string[] {
  const { pools, doms, pcpus } = hv.sched.dumpView();
  const nr = pcpus.length;
  const all = pcpus.map(p => p.id);
  const free = pcpus.filter(p => !p.pool).map(p => p.id);
  const out = ['sched_smt_power_savings: disabled', `NOW=${hv.clock.now()}`, `Online Cpus: ${maskList(all)}`];
  if (free.length) out.push(`Free Cpus: ${maskList(free)}`, 'CPUs info:', ...cpusInfo(hv, free));
  for (const pool of [...pools].sort((a, b) => a.id - b.id)) {
    out.push(`Cpupool ${pool.id}:`, `Cpus: ${maskList(pool.pcpus)}`, 'Scheduling granularity: cpu, 1 CPU per sched-resource');
    out.push('Scheduler: SMP Credit Scheduler rev2 (credit2)', ...credit2Dump(hv, pool, doms.filter(d => d.pool === pool), nr));
    out.push('CPUs info:', ...cpusInfo(hv, pool.pcpus));
  }
  return out;
}

function credit2Dump(hv: Hypervisor, pool: Pool, doms: readonly Dom[], nr: number): string[] {
  const { pcpus } = hv.sched.dumpView();
  const out = [`Active queues: ${pool.runqs.length}`, `\tdefault-weight     = ${CSCHED2_DEFAULT_WEIGHT}`];
  for (const rq of pool.runqs) {
    const load = [...rq.svc].reduce((s, v) => s + unitLoad(v), 0);
    const idle = rq.cpus.filter(c => !pcpus[c]!.curr);
    const idleCores = rq.cpus.filter(c => siblings(hv, c).every(s => !pcpus[s]?.curr));
    out.push(
      `Runqueue ${rq.id}:`, `\tncpus              = ${rq.cpus.length}`, `\tcpus               = ${maskList(rq.cpus)}`,
      `\tmax_weight         = ${rq.maxWeight}`, `\tpick_bias          = ${rq.pickBias}`, `\tinstload           = ${rq.busy}`,
      `\taveload            = ${load} (~${percent(load)}%)`,
      `\tidlers: ${maskHex(idle, nr)}`, `\ttickled: ${maskHex(rq.cpus.filter(c => pcpus[c]!.tickled), nr)}`,
      `\tfully idle cores: ${maskHex(idleCores, nr)}`,
    );
  }
  out.push('Domain info:');
  let loop = 0;
  for (const d of doms) {
    out.push(`\tDomain: ${d.id} w ${d.weight} c ${d.cap} v ${d.vcpus.length}`);
    for (const v of d.vcpus) out.push(`\t${String(++loop).padStart(3)}: ${unit(v)}`);
  }
  for (const rq of pool.runqs) {
    out.push(`Runqueue ${rq.id}:`);
    for (const c of rq.cpus) {
      out.push(`CPU[${String(c).padStart(2, '0')}] runq=${rq.id}, sibling={${maskList(siblings(hv, c))}}, core={${maskList(coreMates(hv, c))}}`);
      const curr = pcpus[c]!.curr;
      if (curr) out.push(`\trun: ${unit(curr)}`);
    }
    out.push('RUNQ:');
    rq.runq.forEach((v, i) => out.push(`\t${String(i).padStart(3)}: ${unit(v)}`));
  }
  return out;
}

function cpusInfo(hv: Hypervisor, cpus: readonly number[]): string[] {
  return cpus.map(c => {
    const cur = vcpuName(hv.sched.pcpuCurrent(c), c);
    return `CPU[${String(c).padStart(2, '0')}] current=${cur}, curr=${cur}, prev=NULL`;
  });
}

/** Hyperthreads of the same core. */
function siblings(hv: Hypervisor, cpu: number): number[] {
  const t = hv.machine.topology;
  return t.flatMap((x, i) => (x.socket === t[cpu]!.socket && x.core === t[cpu]!.core ? [i] : []));
}

/** pCPUs of the same socket (cpu_core_mask). */
function coreMates(hv: Hypervisor, cpu: number): number[] {
  const t = hv.machine.topology;
  return t.flatMap((x, i) => (x.socket === t[cpu]!.socket ? [i] : []));
}
