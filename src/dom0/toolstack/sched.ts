// libxl_sched.c: vCPU affinity, credit2's per-domain weight and cap and its per-pool ratelimit,
// with libxl's range checks and texts (the line numbers of 4.17's libxl_sched.c), and the vCPU
// list (libxl_list_vcpu). xl's line after a failure ends each message, as xl prints it.
import { LibxlError } from './errors.ts';
import { credit2Of, poolByName } from './cpupool.ts';
import type { Toolstack } from './toolstack.ts';
import type { SchedCredit2Params, VcpuInfo } from './types.ts';
import { domids } from './domain.ts';

/** libxl's `Domain N:` prefix appears for guest domids only (libxl_domid_valid_guest). */
const domainCtx = (domid: number) => (domid >= 1 && domid <= 0x7fef ? `Domain ${domid}:` : '');

/** LIBXL_DOMAIN_SCHED_PARAM_WEIGHT_DEFAULT and _CAP_DEFAULT: leave the value as it is. */
const PARAM_DEFAULT = -1;

/** XEN_SYSCTL_SCHED_RATELIMIT_MIN and _MAX, µs (0 turns rate limiting off). */
const RATELIMIT_MIN = 100, RATELIMIT_MAX = 500000;

export function vcpuList(ts: Toolstack, doms?: string[]): { nrCpus: number; vcpus: VcpuInfo[] } {
  const hv = ts.hv;
  const vcpus: VcpuInfo[] = [];
  for (const domid of domids(ts, doms)) {
    const d = hv.get(domid);
    for (let v = 0; v < d.maxVcpus; v++) {
      const s = hv.sched.vcpu(domid, v);
      vcpus.push({
        domid, name: ts.nameOf(domid) ?? '(null)', vcpuid: v, online: s.online,
        running: s.state === 'running', blocked: s.state === 'blocked', cpu: s.pcpu,
        cpuTimeNs: hv.vcpuTimeNs(domid, v).toString(), hard: s.hard, soft: s.soft,
      });
    }
  }
  return { nrCpus: hv.machine.spec.nrCpus, vcpus };
}

/** libxl_set_vcpuaffinity (one vCPU) and libxl_set_vcpuaffinity_all. */
export function setVcpuAffinity(ts: Toolstack, domid: number, vcpu: number | 'all', hard: number[] | null, soft: number[] | null): void {
  const hv = ts.hv;
  const d = hv.get(domid);
  const list = vcpu === 'all' ? Array.from({ length: d.maxVcpus }, (_, i) => i) : [vcpu];
  // Xen refuses a vCPU the domain lacks and a hard affinity with no pCPU of the domain's pool
  const noPcpu = hard !== null && !hard.some(c => hv.poolCpus(d.poolId).includes(c));
  const refused = `libxl: error: libxl_sched.c:62:libxl__set_vcpuaffinity: Domain ${domid}:Setting vcpu affinity: Invalid argument`;
  if (vcpu === 'all' && noPcpu) {
    // libxl_set_vcpuaffinity_all warns for each vCPU, and xl still exits 0
    const lines = list.flatMap(v => [refused, `libxl: warning: libxl_sched.c:124:libxl_set_vcpuaffinity_all: Domain ${domid}:Failed to set affinity for ${v}`]);
    throw new LibxlError('EINVAL', [...lines, 'Could not set affinity.'].join('\n'), 0);
  }
  for (const v of list) {
    if (v >= d.maxVcpus || noPcpu) throw new LibxlError('EINVAL', `${refused}\nCould not set affinity for vcpu \`${v}'.`, 1);
    hv.setAffinity(domid, v, hard, soft);
  }
  ts.platform.commit(domid);
}

/** libxl_sched_credit2_params_get for each pool (or the one named), with its domains' parameters (or the one domain's). */
export function credit2Params(ts: Toolstack, o: { domid?: number; pool?: string }): { pools: { name: string; ratelimitUs: number; domains: SchedCredit2Params[] }[] } {
  const hv = ts.hv;
  const pools = (o.pool ? [poolByName(ts, o.pool)] : hv.pools).flatMap(p => { const c = credit2Of(p); return c ? [{ p, c }] : []; });
  return {
    pools: pools.map(({ p, c }) => ({
      name: p.name, ratelimitUs: c.getRatelimit(),
      domains: [...hv.domains.values()].filter(d => d.poolId === p.id && (o.domid === undefined || d.domid === o.domid))
        .sort((x, y) => x.domid - y.domid)
        .map(d => ({ domid: d.domid, name: ts.nameOf(d.domid) ?? '(null)', weight: d.weight, cap: d.cap, poolName: p.name })),
    })),
  };
}

/** sched_credit2_domain_set (libxl_domain_sched_params_set): weight 1..65535, cap 0..100 per vCPU. */
export function setCredit2Domain(ts: Toolstack, domid: number, p: { weight?: number; cap?: number }): void {
  const d = ts.hv.get(domid);
  const weight = p.weight === PARAM_DEFAULT ? undefined : p.weight;
  const cap = p.cap === PARAM_DEFAULT ? undefined : p.cap;
  const failed = (what: string) => new LibxlError('EINVAL', `libxl: error: libxl_sched.c:${what}\nlibxl_domain_sched_params_set failed.`, 1);
  if (weight !== undefined && (weight < 1 || weight > 65535)) {
    throw failed(`445:sched_credit2_domain_set: ${domainCtx(domid)}Cpu weight out of range, valid values are within range from 1 to 65535`);
  }
  const maxCap = d.maxVcpus * 100;
  if (cap !== undefined && (cap < 0 || cap > maxCap)) {
    throw failed(`455:sched_credit2_domain_set: ${domainCtx(domid)}Cpu cap out of range, valid range is from 0 to ${maxCap} for specified number of vcpus`);
  }
  const before = { weight: d.weight, cap: d.cap };
  ts.hv.setSchedParams(domid, { weight, cap });
  ts.commitOrUndo(domid, () => ts.hv.setSchedParams(domid, before));
}

/** libxl_sched_credit2_params_set: a pool's ratelimit (sched_ratelimit_check), kept across daemon restarts. */
export function setCredit2Ratelimit(ts: Toolstack, pool: string | undefined, ratelimitUs: number): void {
  const hv = ts.hv;
  const p = pool ? poolByName(ts, pool) : hv.pools[0]!;
  if (ratelimitUs !== 0 && (ratelimitUs < RATELIMIT_MIN || ratelimitUs > RATELIMIT_MAX)) {
    throw new LibxlError('EINVAL', `libxl: error: libxl_sched.c:270:sched_ratelimit_check: Ratelimit out of range, valid range is from ${RATELIMIT_MIN} to ${RATELIMIT_MAX}\n` +
      'libxl_sched_credit2_params_set failed.', 1);
  }
  const c = credit2Of(p);
  if (!c) return;
  const before = c.getRatelimit();
  c.setRatelimit(ratelimitUs);
  try { ts.platform.commitXenSettings(); } catch (e) { c.setRatelimit(before); throw e; }
}
