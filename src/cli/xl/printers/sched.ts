// `xl sched-credit2` and `xl cpupool-list` (xl_sched.c, xl_cpupool.c), pure.
import type { CpupoolInfo, SchedCredit2Params } from '../../../protocol/domain.ts';
import { left, right } from '../printf.ts';

export const CREDIT2_HEADER = `${left('Name', 33)} ${right('ID', 4)} ${right('Weight', 6)} ${right('Cap', 4)}\n`;

export function formatCredit2Row(p: SchedCredit2Params): string {
  return `${left(p.name, 33)} ${right(p.domid, 4)} ${right(p.weight, 6)} ${right(p.cap, 4)}\n`;
}

/** sched_credit2_pool_output; null: the pool runs another scheduler, so Xen gave no parameters. */
export function formatCredit2PoolLine(name: string, ratelimitUs: number | null): string {
  return ratelimitUs === null ? `Cpupool ${name}: [sched params unavailable]\n` : `Cpupool ${name}: ratelimit=${ratelimitUs}us\n`;
}

export function formatCpupoolList(pools: CpupoolInfo[], showCpus: boolean): string {
  let t = left('Name', 19) + (showCpus ? 'CPU list\n' : 'CPUs   Sched     Active   Domain count\n');
  for (const p of pools) {
    t += left(p.name, 19);
    t += showCpus ? `${[...p.cpus].sort((a, b) => a - b).join(',')}\n` : `${right(p.cpus.length, 3)} ${right(p.sched, 9)}       y       ${right(p.nDomains, 4)}\n`;
  }
  return t;
}
