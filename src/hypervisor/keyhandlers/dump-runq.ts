// 'r' (cpupool.c's dump_runq): the online and free pCPUs, then per CPU pool its pCPUs, its
// scheduler's own dump (dump_settings) and what each pCPU runs, each followed by the scheduler's
// state of that pCPU where it has one (schedule_dump).
import type { Hypervisor } from '../hypervisor.ts';
import { schedulerKind } from '../sched-factory.ts';
import type { Scheduler } from '../scheduler.ts';
import { maskList, vcpuName } from './printk-formats.ts';

export function dumpRunq(hv: Hypervisor): string[] {
  const pools = hv.sched;
  const all = Array.from({ length: hv.machine.spec.nrCpus }, (_, c) => c);
  const free = pools.freeCpus();
  const out = ['sched_smt_power_savings: disabled', `NOW=${hv.clock.now()}`, `Online Cpus: ${maskList(all)}`];
  if (free.length) out.push(`Free Cpus: ${maskList(free)}`, 'CPUs info:', ...cpusInfo(hv, free, null));
  for (const pool of pools.list()) {
    const s = pool.sched;
    out.push(`Cpupool ${pool.id}:`, `Cpus: ${maskList(pool.cpus)}`, 'Scheduling granularity: cpu, 1 CPU per sched-resource');
    out.push(`Scheduler: ${schedulerKind(s.name).title} (${s.name})`, ...s.dump());
    out.push('CPUs info:', ...cpusInfo(hv, pool.cpus, s));
  }
  return out;
}

function cpusInfo(hv: Hypervisor, cpus: readonly number[], sched: Scheduler | null): string[] {
  return cpus.flatMap(c => {
    const cur = vcpuName(hv.sched.pcpuCurrent(c), c);
    return [`CPU[${String(c).padStart(2, '0')}] current=${cur}, curr=${cur}, prev=NULL`, ...(sched?.dumpCpu?.(c) ?? [])];
  });
}
