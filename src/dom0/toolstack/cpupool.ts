// libxl_cpupool.c: the cpupools and what each holds (libxl_list_cpupool), found by name or id,
// and their life: create, destroy, rename, pCPUs in and out, a domain moved, the NUMA split.
// The messages are libxl's (with 4.17's line numbers) followed by xl's line, as xl prints them;
// cpu-add and cpu-remove report their failures and still exit 0, as xl does.
import { randomUUID } from 'node:crypto';
import { LibxlError } from './errors.ts';
import type { Toolstack } from './toolstack.ts';
import type { CpupoolInfo } from './types.ts';
import type { Cpupool } from '../../hypervisor/cpupools.ts';
import { Credit2 } from '../../hypervisor/credit2/index.ts';
import { HypervisorError } from '../../hypervisor/errors.ts';
import { isSchedulerName } from '../../hypervisor/sched-factory.ts';

/**
 * libxl_cpupool_qualifier_to_cpupoolid then libxl_cpupoolid_is_valid: digits are a pool id,
 * anything else a name; xl's "unknown cpupool" when neither names a pool.
 */
export function poolByQualifier(ts: Toolstack, q: string): Cpupool {
  const p = /^\d+$/.test(q) ? ts.hv.sched.get(Number(q)) : ts.hv.pools.find(x => x.name === q);
  if (!p) throw new LibxlError('ENOPOOL', `unknown cpupool '${q}'`, 1);
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

/** The errno text a failed cpupool sysctl leaves in errno. */
const strerror = (e: unknown): string => {
  if (e instanceof HypervisorError) return e.message;
  throw e;
};

/** The pools' records in xenstore (/local/pool/<id>/name, as libxl reads pool names). */
async function writePoolNames(ts: Toolstack): Promise<void> {
  await ts.xs.transaction(async tx => {
    for (const p of ts.hv.pools) await ts.xs.write(`/local/pool/${p.id}/name`, p.name, tx);
  });
}

/** Persist the pools; if that fails, `undo` puts them back and the command fails. */
function commitPools(ts: Toolstack, undo: () => void): void {
  try { ts.platform.commitXenSettings(); } catch (e) { undo(); throw e; }
}

/**
 * libxl_cpupool_create: a new pool with the scheduler and pCPUs xl chose (it checked they are
 * free), its uuid and name in xenstore. A pCPU that cannot move undoes the pool.
 */
export async function cpupoolCreate(ts: Toolstack, name: string, sched: string, cpus: number[]): Promise<number> {
  const pools = ts.hv.sched;
  let pool: Cpupool;
  // libxl knows arinc653 and sedf too; Debian's Xen 4.17 has neither (XEN_SYSCTL_CPUPOOL_OP_CREATE fails).
  try {
    if (!isSchedulerName(sched)) throw new HypervisorError('ENOENT', 'No such file or directory');
    pool = ts.hv.createCpupool(name, sched);
  } catch (e) {
    strerror(e);
    throw new LibxlError('EFAIL', 'libxl: error: libxl_cpupool.c:157:libxl_cpupool_create: Could not create cpupool\nerror on creating cpupool', 1);
  }
  const undo = () => { for (const c of pool.cpus) pools.removeCpu(pool.id, c); pools.destroy(pool.id); };
  for (const c of cpus) {
    try { pools.addCpu(pool.id, c); } catch (e) {
      strerror(e);
      undo();
      throw new LibxlError('EFAIL', 'libxl: error: libxl_cpupool.c:167:libxl_cpupool_create: Error moving cpu to cpupool\nerror on creating cpupool', 1);
    }
  }
  commitPools(ts, undo);
  await ts.xs.transaction(async tx => {
    await ts.xs.write(`/local/pool/${pool.id}/uuid`, randomUUID(), tx);
    await ts.xs.write(`/local/pool/${pool.id}/name`, name, tx);
  });
  return pool.id;
}

/** libxl_cpupool_destroy: a pool with domains stays (ERROR_INVAL, no log); its pCPUs become free. */
export async function cpupoolDestroy(ts: Toolstack, q: string): Promise<void> {
  const pools = ts.hv.sched;
  const pool = poolByQualifier(ts, q);
  if (pools.nDomains(pool)) throw new LibxlError('EINVAL', `Can't destroy cpupool '${q}'`, 1);
  const cpus = pool.cpus;
  for (const c of cpus) pools.removeCpu(pool.id, c);
  pools.destroy(pool.id);
  commitPools(ts, () => {
    const back = pools.create(pool.name, pool.sched.name, pool.id);
    for (const c of cpus) pools.addCpu(back.id, c);
  });
  await ts.xs.rm(`/local/pool/${pool.id}`).catch(() => {});
}

/** libxl_cpupool_rename: only the name in xenstore changes (libxl does not look for another pool of that name). */
export async function cpupoolRename(ts: Toolstack, q: string, name: string): Promise<void> {
  const pool = poolByQualifier(ts, q);
  const before = pool.name;
  pool.name = name;
  commitPools(ts, () => { pool.name = before; });
  await ts.xs.write(`/local/pool/${pool.id}/name`, name);
}

/** libxl_cpupool_cpuadd_cpumap: each pCPU that cannot join is reported; xl still exits 0. */
export function cpupoolCpuAdd(ts: Toolstack, q: string, cpus: number[]): void {
  const pool = poolByQualifier(ts, q);
  const failed = eachCpu(ts, cpus, c => ts.hv.sched.addCpu(pool.id, c),
    (c, why) => `libxl: error: libxl_cpupool.c:302:libxl_cpupool_cpuadd: Error moving cpu ${c} to cpupool: ${why}`);
  if (failed.length) throw new LibxlError('EFAIL', [...failed, `some cpus may not have been added to ${q}`].join('\n'), 0);
}

/** libxl_cpupool_cpuremove_cpumap: each pCPU that cannot leave is reported; xl still exits 0. */
export function cpupoolCpuRemove(ts: Toolstack, q: string, cpus: number[]): void {
  const pool = poolByQualifier(ts, q);
  const failed = eachCpu(ts, cpus, c => ts.hv.sched.removeCpu(pool.id, c),
    (c, why) => `libxl: error: libxl_cpupool.c:365:libxl_cpupool_cpuremove: Error removing cpu ${c} from cpupool: ${why}`);
  if (failed.length) {
    throw new LibxlError('EFAIL', [...failed, `Some cpus may have not or only partially been removed from '${q}'.`,
      `If a cpu can't be added to another cpupool, add it to '${q}' again and retry.`].join('\n'), 0);
  }
}

/** Move each pCPU, persisting what moved; the lines of those that did not. */
function eachCpu(ts: Toolstack, cpus: number[], move: (c: number) => void, line: (c: number, why: string) => string): string[] {
  const failed: string[] = [];
  for (const c of cpus) {
    try { move(c); } catch (e) { failed.push(line(c, strerror(e))); }
  }
  ts.platform.commitXenSettings();
  return failed;
}

/**
 * libxl_cpupool_movedomain (xl's checks first): the domain continues in the pool. Xen refuses a
 * pool without pCPUs (ENOENT) and the caller's own domain, Domain-0 (EPERM).
 */
export function cpupoolMigrate(ts: Toolstack, dom: string, q: string): void {
  const domid = /^\d+$/.test(dom) ? Number(dom) : ts.domidByName(dom);
  if (domid === undefined || !ts.exists(domid)) throw new LibxlError('ENODOM', `unknown domain '${dom}'`, 1);
  const pool = poolByQualifier(ts, q);
  const d = ts.hv.get(domid);
  if (d.poolId === pool.id) return;
  const refused = () => new LibxlError('EFAIL', `libxl: error: libxl_cpupool.c:437:libxl_cpupool_movedomain: ${domid ? `Domain ${domid}:` : ''}Error moving domain to cpupool`, 1);
  if (domid === 0 || pool.cpus.length === 0) throw refused();
  const before = { poolId: d.poolId, weight: d.weight, cap: d.cap, affinity: d.affinity };
  ts.hv.moveDomainToPool(domid, pool.id);
  ts.commitOrUndo(domid, () => {
    ts.hv.moveDomainToPool(domid, before.poolId);
    ts.hv.setSchedParams(domid, { weight: before.weight, cap: before.cap });
    before.affinity.forEach((a, v) => ts.hv.setAffinity(domid, v, a.hard, a.soft));
  });
}

/**
 * xl cpupool-numa-split: Pool-0 keeps the first node's pCPUs (renamed Pool-node<N>, Domain-0's
 * vCPUs cut to as many), and each other node gets a pool of Pool-0's scheduler.
 */
export async function cpupoolNumaSplit(ts: Toolstack): Promise<void> {
  const hv = ts.hv, pools = hv.sched;
  if (pools.list().length > 1) throw new LibxlError('EFAIL', 'splitting not possible, already cpupools in use', 1);
  const topo = hv.machine.topology;
  const pool0 = pools.get(0)!;
  const first = topo[0]!.node;
  for (const c of pools.freeCpus()) if (topo[c]!.node === first) pools.addCpu(0, c);
  pool0.name = `Pool-node${first}`;
  const own = topo.filter(t => t.node === first).length;
  if (hv.get(0).onlineVcpus > own) hv.setVcpusOnline(0, own);
  const nodes = [...new Set(topo.map(t => t.node))].filter(n => n !== first);
  for (const node of nodes) {
    const cpus = topo.flatMap((t, c) => (t.node === node ? [c] : []));
    for (const c of cpus) if (pools.poolOfCpu(c) === pool0) pools.removeCpu(0, c);
    const pool = hv.createCpupool(`Pool-node${node}`, pool0.sched.name);
    for (const c of cpus) pools.addCpu(pool.id, c);
    await ts.xs.write(`/local/pool/${pool.id}/uuid`, randomUUID());
  }
  ts.platform.commitXenSettings();
  ts.platform.commit(0);
  await writePoolNames(ts);
}
