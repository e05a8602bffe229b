// What a request handler gets: the host, and helpers shared by handlers.
import type { Host } from '../host.ts';
import type { DomainInfo } from '../../protocol/domain.ts';
import { err } from '../../dom0/toolstack/errors.ts';

export type Handler = (host: Host, args: any) => Promise<unknown> | unknown;

/** find_domain, then require the domain to exist (xl's `Error: Domain 'x' does not exist.`). */
export function existingDomid(host: Host, q: string): number {
  const domid = host.toolstack.resolve(q);
  if (!host.hv.domains.has(domid)) throw err.noSuchDomain(q);
  return domid;
}

export function domainInfo(host: Host, domid: number): DomainInfo {
  const d = host.hv.get(domid);
  const rec = host.toolstack.records.get(domid);
  let running = false, blocked = true;
  for (let v = 0; v < d.maxVcpus; v++) {
    const s = host.hv.sched.vcpu(domid, v);
    if (!s.online) continue;
    if (s.state === 'running') running = true;
    if (s.state !== 'blocked') blocked = false;
  }
  // xl runs on Dom0, so Dom0 is always seen running.
  if (domid === 0) { running = true; blocked = false; }
  if (d.shutdown || d.paused) { running = false; blocked = d.paused && !d.shutdown ? blocked : false; }
  const pool = host.hv.pools.find(p => p.id === d.poolId);
  return {
    domid, name: host.toolstack.nameOf(domid), uuid: d.uuid, type: d.type,
    running, blocked, paused: d.paused, shutdown: d.shutdown, dying: d.dying, shutdownReason: d.shutdownReason,
    currentMemkb: d.totPages * 4, outstandingMemkb: 0, maxMemkb: d.maxPages < 0 ? -1 : d.maxPages * 4,
    targetMemkb: rec?.targetKb ?? d.totPages * 4,
    vcpuOnline: d.onlineVcpus, vcpuMaxId: d.maxVcpus - 1, cpuTimeNs: host.hv.cpuTimeNs(domid).toString(),
    ssidref: d.ssidref, cpupool: d.poolId, poolName: pool?.name ?? 'Pool-0',
    uptimeSec: Number(host.clock.now() - d.createdNs) / 1e9,
  };
}
