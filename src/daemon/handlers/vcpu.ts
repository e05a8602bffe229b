// vCPU and scheduler requests: vcpu-list, vcpu-pin, vcpu-set, sched-credit2, cpupool-list.
import type { Handler } from './context.ts';
import { existingDomid } from './context.ts';
import type { VcpuInfo } from '../../protocol/domain.ts';
import { ToolError } from '../../protocol/wire.ts';

function poolByName(host: Parameters<Handler>[0], name: string) {
  const p = host.hv.pools.find(x => x.name === name);
  if (!p) throw new ToolError('ENOPOOL', `unknown cpupool '${name}'`, 1);
  return p;
}

export const vcpuHandlers: Record<string, Handler> = {
  'vcpu.list': (host, a: { doms?: string[] }) => {
    const ids = a.doms?.length ? a.doms.map(q => existingDomid(host, q)) : [...host.hv.domains.keys()].sort((x, y) => x - y);
    const vcpus: VcpuInfo[] = [];
    for (const domid of ids) {
      const d = host.hv.get(domid);
      for (let v = 0; v < d.maxVcpus; v++) {
        const s = host.hv.sched.vcpu(domid, v);
        vcpus.push({
          domid, name: host.toolstack.nameOf(domid) ?? '(null)', vcpuid: v, online: s.online,
          running: s.state === 'running', blocked: s.state === 'blocked', cpu: s.pcpu,
          cpuTimeNs: host.hv.vcpuTimeNs(domid, v).toString(), hard: s.hard, soft: s.soft,
        });
      }
    }
    return { nrCpus: host.machine.spec.nrCpus, vcpus };
  },

  'vcpu.pin': (host, a: { dom: string; vcpu: number | 'all'; hard: number[] | null; soft: number[] | null }) => {
    const domid = existingDomid(host, a.dom);
    const d = host.hv.get(domid);
    const list = a.vcpu === 'all' ? Array.from({ length: d.maxVcpus }, (_, i) => i) : [a.vcpu];
    // Xen refuses a vCPU the domain lacks and a hard affinity with no pCPU of the domain's pool
    const noPcpu = a.hard !== null && !a.hard.some(c => host.hv.poolCpus(d.poolId).includes(c));
    const refused = `libxl: error: libxl_sched.c:62:libxl__set_vcpuaffinity: Domain ${domid}:Setting vcpu affinity: Invalid argument`;
    if (a.vcpu === 'all' && noPcpu) {
      // libxl_set_vcpuaffinity_all warns for each vCPU, and xl still exits 0
      const lines = list.flatMap(v => [refused, `libxl: warning: libxl_sched.c:124:libxl_set_vcpuaffinity_all: Domain ${domid}:Failed to set affinity for ${v}`]);
      throw new ToolError('EINVAL', [...lines, 'Could not set affinity.'].join('\n'), 0);
    }
    for (const v of list) {
      if (v >= d.maxVcpus || noPcpu) throw new ToolError('EINVAL', `${refused}\nCould not set affinity for vcpu \`${v}'.`, 1);
      host.hv.setAffinity(domid, v, a.hard, a.soft);
    }
    if (domid !== 0) host.persistence.commit(domid);
    return {};
  },

  'vcpu.set': async (host, a: { dom: string; count: number; ignoreHost?: boolean }) => {
    const domid = host.toolstack.resolve(a.dom);
    if (!host.hv.domains.has(domid)) throw new ToolError('ENODOM', `Domain ${domid} does not exist.`, 1);
    if (!a.ignoreHost && a.count > host.machine.spec.nrCpus) {
      throw new ToolError('EOVERCOMMIT', `You are overcommmitting! You have ${host.machine.spec.nrCpus} physical CPUs and want ${a.count} vCPUs! Aborting, use --ignore-host to continue`, 1);
    }
    const d = host.hv.get(domid);
    if (a.count > d.maxVcpus) throw new ToolError('EINVAL', `libxl: error: libxl_domain.c:1968:libxl_set_vcpuonline: Domain ${domid}:Requested ${a.count} VCPUs, however maxcpus is ${d.maxVcpus}!: Invalid argument\nlibxl_set_vcpuonline failed domid=${domid} max_vcpus=${a.count}, rc: -6`, 1);
    await host.toolstack.vcpuSet(domid, a.count);
    return {};
  },

  'sched.credit2.get': (host, a: { dom?: string; pool?: string }) => {
    const pools = a.pool ? [poolByName(host, a.pool)] : host.hv.pools;
    const only = a.dom !== undefined ? existingDomid(host, a.dom) : undefined;
    return {
      pools: pools.map(p => ({
        name: p.name, ratelimitUs: host.hv.sched.getRatelimit(p.id),
        domains: [...host.hv.domains.values()].filter(d => d.poolId === p.id && (only === undefined || d.domid === only))
          .sort((x, y) => x.domid - y.domid)
          .map(d => ({ domid: d.domid, name: host.toolstack.nameOf(d.domid) ?? '(null)', weight: d.weight, cap: d.cap, poolName: p.name })),
      })),
    };
  },

  'sched.credit2.set': (host, a: { dom: string; weight?: number; cap?: number }) => {
    const domid = existingDomid(host, a.dom);
    const d = host.hv.get(domid);
    if (a.weight !== undefined && (a.weight < 1 || a.weight > 65535)) throw new ToolError('EINVAL', `libxl: error: libxl_sched.c:434:sched_credit2_domain_set: Domain ${domid}:Getting domain sched credit2: Invalid argument\nlibxl_domain_sched_params_set failed.`, 1);
    if (a.cap !== undefined && (a.cap < 0 || a.cap > 100 * d.maxVcpus)) throw new ToolError('EINVAL', `libxl: error: libxl_sched.c:459:sched_credit2_domain_set: Domain ${domid}:Setting domain sched credit2: Invalid argument\nlibxl_domain_sched_params_set failed.`, 1);
    host.hv.setSchedParams(domid, { weight: a.weight, cap: a.cap });
    if (domid !== 0) host.persistence.commit(domid);
    return {};
  },

  'sched.credit2.setPool': (host, a: { pool?: string; ratelimitUs: number }) => {
    const p = a.pool ? poolByName(host, a.pool) : host.hv.pools[0]!;
    if (a.ratelimitUs !== 0 && (a.ratelimitUs < 100 || a.ratelimitUs > 500000)) throw new ToolError('EINVAL', `libxl: error: libxl_sched.c:253:sched_ratelimit_check: Ratelimit out of range, valid range is from 100 to 500000\nlibxl_sched_credit2_params_set failed.`, 1);
    const before = host.hv.sched.getRatelimit(p.id);
    host.hv.sched.setRatelimit(p.id, a.ratelimitUs);
    try { host.persistence.commitXenSettings(); } catch (e) { host.hv.sched.setRatelimit(p.id, before); throw e; }
    return {};
  },

  'cpupool.list': (host, a: { pool?: string }) => {
    const pools = a.pool ? host.hv.pools.filter(p => p.name === a.pool) : host.hv.pools;
    if (a.pool && pools.length === 0) throw new ToolError('ENOPOOL', `Pool '${a.pool}' does not exist`, 1);
    return pools.map(p => ({
      poolid: p.id, name: p.name, sched: 'credit2', cpus: p.cpus,
      nDomains: [...host.hv.domains.values()].filter(d => d.poolId === p.id).length, ratelimitUs: host.hv.sched.getRatelimit(p.id),
    }));
  },
};
