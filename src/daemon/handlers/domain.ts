// Domain lifecycle requests.
import type { Handler } from './context.ts';
import { domainInfo, existingDomid } from './context.ts';
import { ToolError } from '../../protocol/wire.ts';
import { err } from '../../dom0/toolstack/errors.ts';
import { parseWorkload } from '../../formats/workload-spec.ts';

export const domainHandlers: Record<string, Handler> = {
  'domain.list': (host, a: { doms?: string[] }) => {
    const ids = a.doms?.length ? a.doms.map(q => existingDomid(host, q)) : [...host.hv.domains.keys()].sort((x, y) => x - y);
    return ids.map(id => domainInfo(host, id));
  },

  'domain.resolve': (host, a: { dom: string; strict?: boolean }) => {
    const domid = a.strict ? existingDomid(host, a.dom) : host.toolstack.resolve(a.dom);
    return { domid, name: host.toolstack.nameOf(domid) };
  },

  'domain.configs': (host, a: { doms?: string[] }) => {
    const ids = a.doms?.length ? a.doms.map(q => existingDomid(host, q)) : [...host.hv.domains.keys()].sort((x, y) => x - y);
    return ids.map(domid => ({ domid, config: liveConfig(host, domid) }));
  },

  'domain.create': async (host, a) => {
    try { parseWorkload(a.workload); } catch (e: any) { throw new ToolError('EINVAL', `${e.message}`, 1); }
    const rec = await host.toolstack.create(a);
    return { domid: rec.domid, name: rec.name };
  },

  'domain.destroy': async (host, a: { dom: string; force?: boolean }) => {
    const domid = host.toolstack.resolve(a.dom);
    if (domid === 0) throw err.destroyDom0();
    await host.toolstack.destroy(domid);
    return {};
  },

  'domain.shutdown': async (host, a: { dom: string; action: 'poweroff' | 'reboot' }) => {
    const domid = host.toolstack.resolve(a.dom);
    if (!host.hv.domains.has(domid)) throw err.noSuchDomain(a.dom);
    await host.toolstack.requestShutdown(domid, a.action);
    return { domid };
  },

  'domain.sysrq': async (host, a: { dom: string; key: string }) => {
    const domid = host.toolstack.resolve(a.dom);
    if (!host.toolstack.records.has(domid)) throw new ToolError('ENODOM', `libxl: error: libxl_domain.c:1675:libxl_send_sysrq: Domain ${domid}:Unable to send sysrq`, 1);
    await host.toolstack.xs.write(`/local/domain/${domid}/control/sysrq`, a.key);
    return {};
  },

  'domain.pause': (host, a: { dom: string }) => { host.toolstack.pause(host.toolstack.resolve(a.dom)); return {}; },
  'domain.unpause': (host, a: { dom: string }) => { host.toolstack.unpause(host.toolstack.resolve(a.dom)); return {}; },
  'domain.rename': async (host, a: { dom: string; name: string }) => {
    const domid = host.toolstack.resolve(a.dom);
    await host.toolstack.rename(domid, a.dom, a.name);
    host.xenconsoled.rename(domid, a.name);
    return {};
  },
  'domain.memSet': async (host, a: { dom: string; targetKb: number }) => { await host.toolstack.memSet(host.toolstack.resolve(a.dom), a.targetKb); return {}; },
  'domain.memMax': async (host, a: { dom: string; maxKb: number }) => { await host.toolstack.memMax(host.toolstack.resolve(a.dom), a.maxKb); return {}; },
};

/** The stored config with the live values libxl re-reads when listing (name, uuid, vCPUs, memory, scheduler). */
function liveConfig(host: Parameters<Handler>[0], domid: number): Record<string, unknown> {
  const d = host.hv.get(domid);
  const sched = { sched: 'credit2', weight: d.weight, cap: d.cap };
  if (domid === 0) {
    return {
      c_info: { type: 'pv', name: 'Domain-0' },
      b_info: { max_memkb: d.totPages * 4, target_memkb: d.totPages * 4, sched_params: sched, 'type.pv': {}, arch_arm: {}, arch_x86: {} },
    };
  }
  const rec = host.toolstack.records.get(domid)!;
  const cfg = structuredClone(rec.config);
  cfg.c_info.name = rec.name;
  cfg.c_info.uuid = rec.uuid;
  if (d.maxVcpus > 1 || cfg.b_info.max_vcpus !== undefined) cfg.b_info.avail_vcpus = Array.from({ length: d.onlineVcpus }, (_, i) => i);
  cfg.b_info.max_memkb = rec.staticMaxKb;
  cfg.b_info.target_memkb = rec.targetKb;
  cfg.b_info.sched_params = sched;
  return cfg;
}
