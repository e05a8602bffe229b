// `xl sched-credit2`, `sched-credit`, `sched-rtds` and `xl cpupool-list` (xl_sched.c, xl_cpupool.c), pure.
import type { CpupoolInfo, SchedCredit2Params } from '../../../protocol/domain.ts';
import type { SchedCreditPoolParams, SchedRtdsDomain } from '../../../protocol/sched.ts';
import { left, right } from '../printf.ts';

export const CREDIT2_HEADER = `${left('Name', 33)} ${right('ID', 4)} ${right('Weight', 6)} ${right('Cap', 4)}\n`;

/** One domain's weight and cap (sched-credit prints them as sched-credit2 does). */
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

// ---- sched-credit and sched-rtds --------------------------------------------------------------

export function formatCreditPoolLine(name: string, p: SchedCreditPoolParams | null): string {
  return p ? `Cpupool ${name}: tslice=${p.tsliceMs}ms ratelimit=${p.ratelimitUs}us migration-delay=${p.migrDelayUs}us\n` : `Cpupool ${name}: [sched params unavailable]\n`;
}

export const RTDS_DOMAIN_HEADER = `${left('Name', 33)} ${right('ID', 4)} ${right('Period', 9)} ${right('Budget', 9)} ${right('Extratime', 10)}\n`;
export const RTDS_VCPU_HEADER = `${left('Name', 33)} ${right('ID', 4)} ${right('VCPU', 4)} ${right('Period', 9)} ${right('Budget', 9)} ${right('Extratime', 10)}\n`;

const yesNo = (b: boolean): string => (b ? 'yes' : 'no');

export function formatRtdsDomainRow(d: SchedRtdsDomain): string {
  return `${left(d.name, 33)} ${right(d.domid, 4)} ${right(d.periodUs, 9)} ${right(d.budgetUs, 9)} ${right(yesNo(d.extratime), 10)}\n`;
}

export function formatRtdsVcpuRows(d: SchedRtdsDomain): string {
  return (d.vcpus ?? []).map(v => `${left(d.name, 33)} ${right(d.domid, 4)} ${right(v.vcpuid, 4)} ${right(v.periodUs, 9)} ${right(v.budgetUs, 9)} ${right(yesNo(v.extratime), 10)}\n`).join('');
}

export const formatRtdsPoolLine = (name: string): string => `Cpupool ${name}: sched=RTDS\n`;
