// libxl_cpupool.c: the cpupools and what each holds (libxl_list_cpupool), found by name.
import { LibxlError } from './errors.ts';
import type { Toolstack } from './toolstack.ts';
import type { CpupoolInfo } from './types.ts';
import type { Cpupool } from '../../hypervisor/cpupools.ts';
import { Credit2 } from '../../hypervisor/credit2/index.ts';

/** libxl_cpupool_qualifier_to_cpupoolid by name; xl's text when there is none. */
export function poolByName(ts: Toolstack, name: string): Cpupool {
  const p = ts.hv.pools.find(x => x.name === name);
  if (!p) throw new LibxlError('ENOPOOL', `unknown cpupool '${name}'`, 1);
  return p;
}

/** Every pool, or the one named (xl cpupool-list's text when it does not exist). */
export function cpupoolList(ts: Toolstack, pool?: string): CpupoolInfo[] {
  const hv = ts.hv;
  const pools = pool ? hv.pools.filter(p => p.name === pool) : hv.pools;
  if (pool && pools.length === 0) throw new LibxlError('ENOPOOL', `Pool '${pool}' does not exist`, 1);
  return pools.map(p => ({
    poolid: p.id, name: p.name, sched: p.sched.name, cpus: p.cpus,
    nDomains: hv.sched.nDomains(p), ratelimitUs: credit2Of(p)?.getRatelimit() ?? 0,
  }));
}

/** The pool's credit2 instance, or null when the pool runs another scheduler. */
export function credit2Of(p: Cpupool): Credit2 | null { return p.sched instanceof Credit2 ? p.sched : null; }
