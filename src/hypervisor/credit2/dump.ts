// csched2_dump, what the 'r' debug key prints for a credit2 pool after its "Scheduler:" line:
// the runqueues, the domains and their units, then each runqueue's pCPUs and queued units. A
// unit's load is its workload's demand, the average credit2's load tracking converges to, in its
// fixed-point units (load_precision_shift 18).
import type { Dom, Runq, Vcpu } from './model.ts';
import type { CorePcpu } from '../sched-core/core.ts';
import { CSCHED2_DEFAULT_WEIGHT } from './constants.ts';
import type { CpuTopology } from '../../machine/host.ts';
import { maskHex, maskList } from '../keyhandlers/printk-formats.ts';
import { siblings } from '../sched-core/topology.ts';

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

/** `cpuMasks` gives a pCPU's sibling and core masks as every scheduler's dump prints them. */
export function credit2Dump(s: { runqs: readonly Runq[]; doms: readonly Dom[]; pcpus: readonly CorePcpu<Vcpu>[] }, topology: readonly CpuTopology[], cpuMasks: (cpu: number) => string): string[] {
  const { runqs, pcpus } = s;
  const nr = pcpus.length;
  const out = [`Active queues: ${runqs.length}`, `\tdefault-weight     = ${CSCHED2_DEFAULT_WEIGHT}`];
  for (const rq of runqs) {
    const load = [...rq.svc].reduce((n, v) => n + unitLoad(v), 0);
    const idle = rq.cpus.filter(c => !pcpus[c]!.curr);
    const idleCores = rq.cpus.filter(c => siblings(topology, c).every(x => !pcpus[x]?.curr));
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
  for (const d of s.doms) {
    out.push(`\tDomain: ${d.id} w ${d.weight} c ${d.cap} v ${d.vcpus.length}`);
    for (const v of d.vcpus) out.push(`\t${String(++loop).padStart(3)}: ${unit(v)}`);
  }
  for (const rq of runqs) {
    out.push(`Runqueue ${rq.id}:`);
    for (const c of rq.cpus) {
      out.push(`CPU[${String(c).padStart(2, '0')}] runq=${rq.id}, ${cpuMasks(c)}`);
      const curr = pcpus[c]!.curr;
      if (curr) out.push(`\trun: ${unit(curr)}`);
    }
    out.push('RUNQ:');
    rq.runq.forEach((v, i) => out.push(`\t${String(i).padStart(3)}: ${unit(v)}`));
  }
  return out;
}

