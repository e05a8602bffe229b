// libxl_sched.c: vCPU affinity, credit2's per-domain weight and cap and its per-pool ratelimit,
// with libxl's range checks and texts (the line numbers of 4.17's libxl_sched.c), and the vCPU
// list (libxl_list_vcpu). xl's line after a failure ends each message, as xl prints it.
import { LibxlError } from './errors.ts';
import { credit2Of, poolByQualifier } from './cpupool.ts';
import type { Toolstack } from './toolstack.ts';
import type { RtdsVcpuParams, SchedCredit2Params, SchedCreditParams, SchedCreditPoolParams, SchedRtdsDomain, VcpuInfo } from './types.ts';
import type { Cpupool } from '../../hypervisor/cpupools.ts';
import { Credit } from '../../hypervisor/sched-credit/credit.ts';
import * as CK from '../../hypervisor/sched-credit/constants.ts';
import { Rtds } from '../../hypervisor/sched-rtds/rtds.ts';
import { RTDS_DEFAULT_BUDGET, RTDS_DEFAULT_PERIOD, RTDS_MIN_BUDGET, RTDS_MIN_PERIOD } from '../../hypervisor/sched-rtds/model.ts';
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

/**
 * libxl_sched_credit2_params_get for each pool (or the one named), with its domains' parameters
 * (or the one domain's); a pool of another scheduler has no ratelimit (null: Xen's EINVAL), and
 * a domain in one is refused as xl's sched_domain_get refuses it.
 */
export function credit2Params(ts: Toolstack, o: { domid?: number; pool?: string }): { pools: { name: string; ratelimitUs: number | null; domains: SchedCredit2Params[] }[] } {
  const hv = ts.hv;
  const bad = o.domid !== undefined ? wrongScheduler(ts, o.domid, 'credit2') : null;
  if (bad) throw bad;
  const pools = o.pool ? [poolByQualifier(ts, o.pool)] : hv.pools;
  return {
    pools: pools.map(p => ({
      name: p.name, ratelimitUs: credit2Of(p)?.getRatelimit() ?? null,
      domains: weightCapRows(ts, p, o.domid),
    })),
  };
}

/** libxl_sched_credit2_params_set: a pool's ratelimit (sched_ratelimit_check), kept across daemon restarts. */
export function setCredit2Ratelimit(ts: Toolstack, pool: string | undefined, ratelimitUs: number): void {
  const hv = ts.hv;
  const p = pool ? poolByQualifier(ts, pool) : hv.pools[0]!;
  checkRatelimit(ratelimitUs, 'libxl_sched_credit2_params_set failed.');
  const c = credit2Of(p);
  if (!c) {
    throw new LibxlError('EINVAL', 'libxl: error: libxl_sched.c:389:libxl_sched_credit2_params_set: Setting Credit2 scheduler parameters: Invalid argument\n' +
      'libxl_sched_credit2_params_set failed.', 1);
  }
  const before = c.getRatelimit();
  c.setRatelimit(ratelimitUs);
  try { ts.platform.commitXenSettings(); } catch (e) { c.setRatelimit(before); throw e; }
}

// ---- credit (credit1) and RTDS -------------------------------------------------------------------

/** libxl__domain_scheduler(): the scheduler of the domain's pool. */
const schedOf = (ts: Toolstack, domid: number) => ts.hv.sched.poolOf(domid).sched;

/** The domains of a pool, by domid, as libxl_list_domain gives them to xl. */
function poolDomains(ts: Toolstack, p: Cpupool): number[] {
  return [...ts.hv.domains.values()].filter(d => d.poolId === p.id).map(d => d.domid).sort((a, b) => a - b);
}

/** The pools xl's sched_domain_output walks: every pool of that scheduler, or the one named if it is one. */
function poolsOf<S>(ts: Toolstack, pool: string | undefined, is: (p: Cpupool) => S | null): { p: Cpupool; s: S }[] {
  return (pool ? [poolByQualifier(ts, pool)] : ts.hv.pools).flatMap(p => { const s = is(p); return s ? [{ p, s }] : []; });
}

const creditOf = (p: Cpupool): Credit | null => (p.sched instanceof Credit ? p.sched : null);
const rtdsOf = (p: Cpupool): Rtds | null => (p.sched instanceof Rtds ? p.sched : null);

/** xl's complaint when libxl_domain_sched_params_get answers for another scheduler than the command's. */
function wrongScheduler(ts: Toolstack, domid: number, want: string): LibxlError | null {
  const got = schedOf(ts, domid).name;
  return got === want ? null : new LibxlError('EINVAL', `libxl_domain_sched_params_get returned ${got} not ${want}.`, 1);
}

/** Xen refuses a domctl for another scheduler than the domain's (sched_adjust: EINVAL), as libxl logs it. */
function refusedByXen(ts: Toolstack, domid: number, want: string, where: string, what: string, xlLine: string): LibxlError | null {
  if (schedOf(ts, domid).name === want) return null;
  return new LibxlError('EINVAL', `libxl: error: libxl_sched.c:${where}: ${domainCtx(domid)}${what}: Invalid argument\n${xlLine}`, 1);
}

/** xl sched-credit's listing: each credit pool (or the one named) with its parameters and domains, or the one domain. */
export function creditParams(ts: Toolstack, o: { domid?: number; pool?: string }): { pools: (SchedCreditPoolParams & { name: string; domains: SchedCreditParams[] })[] } {
  if (o.domid !== undefined) {
    const bad = wrongScheduler(ts, o.domid, 'credit');
    if (bad) throw bad;
  }
  const pools = o.domid !== undefined ? [{ p: ts.hv.sched.poolOf(o.domid), s: schedOf(ts, o.domid) as Credit }] : poolsOf(ts, o.pool, creditOf);
  return {
    pools: pools.map(({ p, s }) => ({
      name: p.name, ...s.getParams(),
      domains: weightCapRows(ts, p, o.domid),
    })),
  };
}

/** Where sched_credit_domain_set and sched_credit2_domain_set log (libxl_sched.c's lines) and what Xen's refusal says. */
const WEIGHT_CAP = {
  credit: { fn: 'sched_credit_domain_set', getLine: 232, what: 'Getting domain sched credit', weightLine: 238, capLine: 248 },
  credit2: { fn: 'sched_credit2_domain_set', getLine: 439, what: 'Getting domain sched credit2', weightLine: 445, capLine: 455 },
} as const;

/** A pool's domains (or the one asked for) with their weight and cap, by domid. */
function weightCapRows(ts: Toolstack, p: Cpupool, domid?: number): SchedCredit2Params[] {
  return poolDomains(ts, p).filter(d => domid === undefined || d === domid).map(id => {
    const d = ts.hv.get(id);
    return { domid: id, name: ts.nameOf(id) ?? '(null)', weight: d.weight, cap: d.cap, poolName: p.name };
  });
}

/** sched_credit_domain_set / sched_credit2_domain_set (libxl_domain_sched_params_set): weight 1..65535, cap 0..100 per vCPU. */
export function setWeightCap(ts: Toolstack, sched: keyof typeof WEIGHT_CAP, domid: number, p: { weight?: number; cap?: number }): void {
  const t = WEIGHT_CAP[sched];
  const d = ts.hv.get(domid);
  const xlLine = 'libxl_domain_sched_params_set failed.';
  const refused = refusedByXen(ts, domid, sched, `${t.getLine}:${t.fn}`, t.what, xlLine);
  if (refused) throw refused;
  const weight = p.weight === PARAM_DEFAULT ? undefined : p.weight;
  const cap = p.cap === PARAM_DEFAULT ? undefined : p.cap;
  const failed = (line: number, what: string) => new LibxlError('EINVAL', `libxl: error: libxl_sched.c:${line}:${t.fn}: ${domainCtx(domid)}${what}\n${xlLine}`, 1);
  if (weight !== undefined && (weight < 1 || weight > 65535)) throw failed(t.weightLine, 'Cpu weight out of range, valid values are within range from 1 to 65535');
  const maxCap = d.maxVcpus * 100;
  if (cap !== undefined && (cap < 0 || cap > maxCap)) throw failed(t.capLine, `Cpu cap out of range, valid range is from 0 to ${maxCap} for specified number of vcpus`);
  const before = { weight: d.weight, cap: d.cap };
  ts.hv.setSchedParams(domid, { weight, cap });
  ts.commitOrUndo(domid, () => ts.hv.setSchedParams(domid, before));
}

/** sched_ratelimit_check: 0 (off) or RATELIMIT_MIN..RATELIMIT_MAX µs; `xlLine` is what xl then says. */
function checkRatelimit(us: number, xlLine: string): void {
  if (us === 0 || (us >= RATELIMIT_MIN && us <= RATELIMIT_MAX)) return;
  throw new LibxlError('EINVAL', `libxl: error: libxl_sched.c:270:sched_ratelimit_check: Ratelimit out of range, valid range is from ${RATELIMIT_MIN} to ${RATELIMIT_MAX}\n${xlLine}`, 1);
}

/** libxl_sched_credit_params_get: Xen answers EINVAL for a pool of another scheduler. */
function creditPool(ts: Toolstack, pool: string | undefined): { p: Cpupool; c: Credit | null; error: string } {
  const p = pool ? poolByQualifier(ts, pool) : ts.hv.pools[0]!;
  return { p, c: creditOf(p), error: 'libxl: error: libxl_sched.c:287:libxl_sched_credit_params_get: getting Credit scheduler parameters: Invalid argument' };
}

/** xl sched-credit -s: a pool's time slice, ratelimit and migration delay, or libxl's error (xl then says the parameters are unavailable). */
export function creditPoolParams(ts: Toolstack, pool: string | undefined): { name: string; params: SchedCreditPoolParams | null; error?: string } {
  const { p, c, error } = creditPool(ts, pool);
  return c ? { name: p.name, params: c.getParams() } : { name: p.name, params: null, error };
}

/** libxl_sched_credit_params_set with libxl's checks (Xen's are the same), kept across daemon restarts. */
export function setCreditPoolParams(ts: Toolstack, pool: string | undefined, set: Partial<SchedCreditPoolParams>): void {
  const { c, error } = creditPool(ts, pool);
  if (!c) throw new LibxlError('EINVAL', `${error}\nlibxl_sched_credit_params_get failed.`, 1);
  const before = c.getParams();
  // xl gets the parameters and sets them back with those it was given changed.
  const next = { ...before };
  for (const k of ['tsliceMs', 'ratelimitUs', 'migrDelayUs'] as const) if (set[k] !== undefined) next[k] = set[k];
  const failed = (line: string) => new LibxlError('EINVAL', `libxl: error: libxl_sched.c:${line}\nlibxl_sched_credit_params_set failed.`, 1);
  if (next.tsliceMs < CK.XEN_SYSCTL_CSCHED_TSLICE_MIN || next.tsliceMs > CK.XEN_SYSCTL_CSCHED_TSLICE_MAX) {
    throw failed(`311:libxl_sched_credit_params_set: Time slice out of range, valid range is from ${CK.XEN_SYSCTL_CSCHED_TSLICE_MIN} to ${CK.XEN_SYSCTL_CSCHED_TSLICE_MAX}`);
  }
  checkRatelimit(next.ratelimitUs, 'libxl_sched_credit_params_set failed.');
  if (next.ratelimitUs > next.tsliceMs * 1000) throw failed('321:libxl_sched_credit_params_set: Ratelimit cannot be greater than timeslice');
  if (next.migrDelayUs < 0 || next.migrDelayUs > CK.XEN_SYSCTL_CSCHED_MGR_DLY_MAX_US) {
    throw failed(`326:libxl_sched_credit_params_set: vcpu migration delay should be >= 0 and <= ${CK.XEN_SYSCTL_CSCHED_MGR_DLY_MAX_US}us`);
  }
  c.setParams(next);
  try { ts.platform.commitXenSettings(); } catch (e) { c.setParams(before); throw e; }
}

/** xl sched-rtds's listing of domains: Xen answers every domain's getinfo with RTDS's defaults (extratime unset, which xl shows as yes). */
export function rtdsDomains(ts: Toolstack, o: { domid?: number; pool?: string }): { pools: { name: string; domains: SchedRtdsDomain[] }[] } {
  if (o.domid !== undefined) {
    const bad = wrongScheduler(ts, o.domid, 'rtds');
    if (bad) throw bad;
  }
  const pools = o.domid !== undefined ? [{ p: ts.hv.sched.poolOf(o.domid) }] : poolsOf(ts, o.pool, rtdsOf);
  const defaults = { periodUs: RTDS_DEFAULT_PERIOD / 1000, budgetUs: RTDS_DEFAULT_BUDGET / 1000, extratime: true };
  return {
    pools: pools.map(({ p }) => ({
      name: p.name,
      domains: poolDomains(ts, p).filter(d => o.domid === undefined || d === o.domid).map(domid => ({ domid, name: ts.nameOf(domid) ?? '(null)', ...defaults })),
    })),
  };
}

/**
 * libxl_vcpu_sched_params_get(_all): the RTDS parameters of the vCPUs named (all of them for
 * 'all'), for one domain, or for every domain of the RTDS pools (or the one named).
 */
export function rtdsVcpus(ts: Toolstack, o: { domid?: number; pool?: string; vcpus: number[] | 'all' }): { pools: { name: string; domains: SchedRtdsDomain[] }[] } {
  const all = o.vcpus === 'all';
  const one = (domid: number, s: Rtds): SchedRtdsDomain => {
    const d = ts.hv.get(domid);
    const ids = all ? Array.from({ length: d.maxVcpus }, (_, i) => i) : (o.vcpus as number[]);
    for (const v of ids) {
      if (v < 0 || v >= d.maxVcpus) {
        throw new LibxlError('EINVAL', `libxl: error: libxl_sched.c:524:sched_rtds_vcpu_get: ${domainCtx(domid)}VCPU index is out of range, valid values are within range from 0 to ${d.maxVcpus - 1}\nlibxl_vcpu_sched_params_get failed.`, 1);
      }
    }
    const vcpus = ids.map(v => ({ vcpuid: v, ...s.getVcpuParams(domid, v) }));
    return { domid, name: ts.nameOf(domid) ?? '(null)', periodUs: 0, budgetUs: 0, extratime: false, vcpus };
  };
  if (o.domid !== undefined) {
    const s = schedOf(ts, o.domid);
    if (!(s instanceof Rtds)) {
      const [line, fn] = all ? ['964', 'libxl_vcpu_sched_params_get_all'] : ['931', 'libxl_vcpu_sched_params_get'];
      throw new LibxlError('EINVAL', `libxl: error: libxl_sched.c:${line}:${fn}: ${domainCtx(o.domid)}per-VCPU parameter getting not supported for this scheduler\n${fn} failed.`, 1);
    }
    return { pools: [{ name: ts.hv.sched.poolOf(o.domid).name, domains: [one(o.domid, s)] }] };
  }
  return { pools: poolsOf(ts, o.pool, rtdsOf).map(({ p, s }) => ({ name: p.name, domains: poolDomains(ts, p).map(d => one(d, s)) })) };
}

/**
 * libxl_vcpu_sched_params_set (the vCPUs listed) or _set_all (every vCPU, `vcpuid` ignored):
 * libxl's checks, then Xen's (rt_dom_cntl: period 10 µs or more, budget 10 µs..period).
 */
export function setRtdsVcpus(ts: Toolstack, domid: number, list: RtdsVcpuParams[], all: boolean): void {
  const d = ts.hv.get(domid);
  const [fn, setLine] = all ? ['libxl_vcpu_sched_params_set_all', '705:sched_rtds_vcpu_set_all'] : ['libxl_vcpu_sched_params_set', '653:sched_rtds_vcpu_set'];
  const failed = (line: string) => new LibxlError('EINVAL', `libxl: error: libxl_sched.c:${line}\n${fn} failed.`, 1);
  for (const v of list) {
    if (!all && (v.vcpuid < 0 || v.vcpuid >= d.maxVcpus)) {
      throw failed(`627:sched_rtds_vcpu_set: ${domainCtx(domid)}Invalid VCPU ${v.vcpuid}: valid range is [0, ${d.maxVcpus - 1}]`);
    }
    if (v.periodUs < 1) throw failed(`477:sched_rtds_validate_params: Invalid VCPU period of ${v.periodUs} (it should be >= 1)`);
    if (v.budgetUs < 1) throw failed(`483:sched_rtds_validate_params: Invalid VCPU budget of ${v.budgetUs} (it should be >= 1)`);
    if (v.budgetUs > v.periodUs) throw failed(`489:sched_rtds_validate_params: VCPU budget must be smaller than or equal to period, but ${v.budgetUs} > ${v.periodUs}`);
  }
  const s = schedOf(ts, domid);
  const xen = `${setLine}: ${domainCtx(domid)}Setting vcpu sched rtds: Invalid argument`;
  if (!(s instanceof Rtds)) throw failed(xen);
  if (list.some(v => v.periodUs * 1000 < RTDS_MIN_PERIOD || v.budgetUs * 1000 < RTDS_MIN_BUDGET)) throw failed(xen);
  const targets = all ? Array.from({ length: d.maxVcpus }, (_, i) => ({ ...list[0]!, vcpuid: i })) : list;
  const before = targets.map(v => s.getVcpuParams(domid, v.vcpuid));
  for (const v of targets) s.setVcpuParams(domid, v.vcpuid, v);
  ts.commitOrUndo(domid, () => targets.forEach((v, i) => s.setVcpuParams(domid, v.vcpuid, before[i]!)));
}

/**
 * libxl__build_pre's libxl_domain_sched_params_set with the config's sched_params, for an RTDS
 * pool (credit's and credit2's weight and cap reach the domain as it is created): sched_rtds_domain_set
 * starts from Xen's per-domain answer (the defaults), takes xl.cfg's `period` (and a JSON config's
 * `budget`), checks them, and XEN_DOMCTL_SCHEDOP_putinfo gives them to every vCPU; `extratime`
 * only travels in flags putinfo ignores. A refusal fails the build.
 */
export function applyCreateRtdsParams(ts: Toolstack, domid: number, sp: { period?: number; budget?: number }): void {
  const s = schedOf(ts, domid);
  if (!(s instanceof Rtds)) return;
  const given = (x: number | undefined, dflt: number) => (x === undefined || x === PARAM_DEFAULT ? dflt : x);
  const period = given(sp.period, RTDS_DEFAULT_PERIOD / 1000), budget = given(sp.budget, RTDS_DEFAULT_BUDGET / 1000);
  const failed = (line: string) => new LibxlError('EINVAL', `libxl: error: libxl_sched.c:${line}
` +
    `libxl: error: libxl_create.c:1638:domcreate_rebuild_done: Domain ${domid}:cannot (re-)build domain: -6`, 3);
  if (period < 1) throw failed(`477:sched_rtds_validate_params: Invalid VCPU period of ${period} (it should be >= 1)`);
  if (budget < 1) throw failed(`483:sched_rtds_validate_params: Invalid VCPU budget of ${budget} (it should be >= 1)`);
  if (budget > period) throw failed(`489:sched_rtds_validate_params: VCPU budget must be smaller than or equal to period, but ${budget} > ${period}`);
  s.setDomainParams(domid, period, budget);
}

/**
 * libxl_domain_sched_params_get as libxl_retrieve_domain_configuration stores it (xl list -l):
 * the pool's scheduler and what it answers, the fields left at their defaults omitted.
 */
export function domainSchedParams(ts: Toolstack, domid: number): Record<string, unknown> {
  const d = ts.hv.get(domid);
  const sched = schedOf(ts, domid).name;
  if (sched === 'rtds') return { sched, period: RTDS_DEFAULT_PERIOD / 1000, budget: RTDS_DEFAULT_BUDGET / 1000 };
  if (sched === 'null') return { sched };
  return { sched, weight: d.weight, cap: d.cap };
}
