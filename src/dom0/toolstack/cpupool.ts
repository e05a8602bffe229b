// libxl_cpupool.c: the cpupools and what each holds (libxl_list_cpupool), found by name.
import { LibxlError } from './errors.ts';
import type { Toolstack } from './toolstack.ts';
import type { CpupoolInfo } from './types.ts';
import type { CpupoolState } from '../../hypervisor/hypervisor.ts';

/** libxl_cpupool_qualifier_to_cpupoolid by name; xl's text when there is none. */
export function poolByName(ts: Toolstack, name: string): CpupoolState {
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
    poolid: p.id, name: p.name, sched: 'credit2', cpus: p.cpus,
    nDomains: [...hv.domains.values()].filter(d => d.poolId === p.id).length, ratelimitUs: hv.sched.getRatelimit(p.id),
  }));
}
