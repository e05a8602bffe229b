// libxl_domain.c: what is asked of a domain once it exists — destroy, pause, unpause, rename,
// the vCPUs online — and what libxl reports of it (libxl_list_domain's dominfo, the stored
// config with its live values as libxl_retrieve_domain_configuration gives it).
import { removeDriverDomainBackends } from './driver-domain.ts';
import { domainSchedParams } from './sched.ts';
import { LibxlError, err } from './errors.ts';
import { removeDomainTree } from './xs-tree.ts';
import { checkRename } from './names.ts';
import type { Toolstack } from './toolstack.ts';
import { destroyAllPcis } from './pci.ts';
import type { DomainInfo } from './types.ts';

export async function destroy(ts: Toolstack, domid: number): Promise<void> {
  // xl's own refusal, kept here too: the toolstack runs in Domain-0 and cannot tear it down.
  if (domid === 0) throw err.destroyDom0();
  if (!ts.exists(domid)) throw err.destroyMissing(domid);
  const name = ts.nameOf(domid);
  // Recorded first: a destroy that cannot be recorded fails and leaves the domain running,
  // rather than tearing down a domain that would come back at the next start.
  ts.platform.forget(domid);
  await teardown(ts, domid);
  ts.platform.event('destroy', domid, name);
}

/** Everything of a domain goes: its guest, the hypervisor's domain, its record and xenstore nodes. */
export async function teardown(ts: Toolstack, domid: number): Promise<void> {
  const rec = ts.records.get(domid);
  await destroyAllPcis(ts, domid).catch(() => {});
  ts.platform.stopGuest(domid);
  if (ts.hv.domains.has(domid)) ts.hv.destroyDomain(domid);
  ts.records.delete(domid);
  if (rec) await removeDomainTree(ts.xs, domid, rec.uuid).catch(() => {});
  if (rec) await removeDriverDomainBackends(ts.xs, rec).catch(() => {});
  await ts.xs.release(domid).catch(() => {});
  ts.wake(domid);
}

export function pause(ts: Toolstack, domid: number): void {
  if (!ts.exists(domid)) throw err.pauseMissing(domid, 'Pausing');
  // The toolstack runs in Domain-0, and Xen does not let a domain pause itself.
  if (domid === 0) throw err.pauseSelf(domid);
  ts.hv.pause(domid);
  ts.commitOrUndo(domid, () => ts.hv.unpause(domid));
}

export function unpause(ts: Toolstack, domid: number): void {
  if (!ts.exists(domid)) throw err.pauseMissing(domid, 'Unpausing');
  const d = ts.hv.get(domid), before = d.pauseCount;
  ts.hv.unpause(domid);
  ts.commitOrUndo(domid, () => { if (d.pauseCount < before) ts.hv.pause(domid); });
}

/**
 * libxl_domain_rename. With `start`, the domain is also unpaused in the same commit: an incoming
 * migration's domain is recorded either under its own name and running or not at all, never
 * renamed and still paused by a daemon killed between xl's two calls.
 */
export async function rename(ts: Toolstack, domid: number, q: string, newName: string, start = false): Promise<void> {
  const rec = ts.records.get(domid);
  if (!rec) throw domid === 0 ? new LibxlError('EPERM', `Can't rename domain '${q}'.`, 1) : err.noSuchDomain(q);
  const other = ts.domidByName(newName);
  if (newName !== '' && other !== undefined && other !== domid) throw err.renameDup(domid, newName, q);
  checkRename(domid, rec.uuid, rec.name, newName, q);
  const { name: oldName, incoming } = rec;
  // An incoming migration's domain is complete once it takes its own name (the sender's go).
  ts.records.rename(rec, newName);
  rec.config.c_info.name = newName;
  rec.incoming = false;
  const d = ts.hv.get(domid), pauses = d.pauseCount;
  if (start) ts.hv.unpause(domid);
  ts.commitOrUndo(domid, () => {
    ts.records.rename(rec, oldName); rec.config.c_info.name = oldName; rec.incoming = incoming;
    if (d.pauseCount < pauses) ts.hv.pause(domid);
  });
  await ts.xs.write(`/local/domain/${domid}/name`, newName);
  await ts.xs.write(`/vm/${rec.uuid}/name`, newName);
}

/** libxl_set_vcpuonline: the first `count` vCPUs online, the others offline (cpu/N/availability). */
export async function vcpuSet(ts: Toolstack, domid: number, count: number): Promise<void> {
  // ERROR_DOMAIN_NOTFOUND, which xl reports in its own words.
  if (!ts.exists(domid)) throw new LibxlError('ENODOM', `Domain ${domid} does not exist.`, 1);
  const d = ts.hv.get(domid);
  if (count > d.maxVcpus) {
    throw new LibxlError('EINVAL', `libxl: error: libxl_domain.c:1968:libxl_set_vcpuonline: Domain ${domid}:Requested ${count} VCPUs, however maxcpus is ${d.maxVcpus}!: Invalid argument\n` +
      `libxl_set_vcpuonline failed domid=${domid} max_vcpus=${count}, rc: -6`, 1);
  }
  const rec = ts.records.get(domid);
  const before = d.onlineVcpus, beforeAvail = rec?.config.b_info.avail_vcpus;
  ts.hv.setVcpusOnline(domid, count);
  if (domid === 0) ts.commitOrUndo(0, () => ts.hv.setVcpusOnline(0, before));
  else if (rec) {
    rec.config.b_info.avail_vcpus = Array.from({ length: count }, (_, i) => i);
    ts.commitOrUndo(domid, () => { ts.hv.setVcpusOnline(domid, before); rec.config.b_info.avail_vcpus = beforeAvail; });
    await ts.xs.transaction(async tx => {
      for (let i = 0; i < d.maxVcpus; i++) await ts.xs.write(`/local/domain/${domid}/cpu/${i}/availability`, i < count ? 'online' : 'offline', tx);
    });
  }
}

/** The domains named (each must exist), or every domain, in domid order. */
export function domids(ts: Toolstack, doms?: string[]): number[] {
  return doms?.length ? doms.map(q => ts.existing(q)) : [...ts.hv.domains.keys()].sort((x, y) => x - y);
}

/** libxl_domain_info: the hypervisor's view of a domain with the toolstack's name and target. */
export function domainInfo(ts: Toolstack, domid: number): DomainInfo {
  const hv = ts.hv;
  const d = hv.get(domid);
  const rec = ts.records.get(domid);
  let running = false, blocked = true;
  for (let v = 0; v < d.maxVcpus; v++) {
    const s = hv.sched.vcpuStatus(domid, v);
    if (!s.online) continue;
    if (s.state === 'running') running = true;
    if (s.state !== 'blocked') blocked = false;
  }
  // xl runs on Dom0, so Dom0 is always seen running.
  if (domid === 0) { running = true; blocked = false; }
  if (d.shutdown || d.paused) { running = false; blocked = d.paused && !d.shutdown ? blocked : false; }
  const pool = hv.pools.find(p => p.id === d.poolId);
  return {
    domid, name: ts.nameOf(domid), uuid: d.uuid, type: d.type,
    running, blocked, paused: d.paused, shutdown: d.shutdown, dying: d.dying, shutdownReason: d.shutdownReason,
    currentMemkb: d.totPages * 4, outstandingMemkb: 0, maxMemkb: d.maxPages < 0 ? -1 : d.maxPages * 4,
    targetMemkb: rec?.targetKb ?? d.totPages * 4,
    vcpuOnline: d.onlineVcpus, vcpuMaxId: d.maxVcpus - 1, cpuTimeNs: hv.cpuTimeNs(domid).toString(),
    ssidref: d.ssidref, cpupool: d.poolId, poolName: pool?.name ?? 'Pool-0',
    uptimeSec: Number(hv.clock.now() - (domid === 0 ? ts.platform.dom0BootNs?.() ?? d.createdNs : d.createdNs)) / 1e9,
  };
}

/** The stored config with the live values libxl re-reads when listing (name, uuid, vCPUs, memory, scheduler). */
export function retrieveConfig(ts: Toolstack, domid: number): Record<string, unknown> {
  const d = ts.hv.get(domid);
  const sched = domainSchedParams(ts, domid);
  if (domid === 0) {
    return {
      c_info: { type: 'pv', name: 'Domain-0' },
      b_info: { max_memkb: d.totPages * 4, target_memkb: d.totPages * 4, sched_params: sched, 'type.pv': {}, arch_arm: {}, arch_x86: {} },
    };
  }
  const rec = ts.records.get(domid)!;
  const cfg = structuredClone(rec.config);
  cfg.c_info.name = rec.name;
  cfg.c_info.uuid = rec.uuid;
  if (d.maxVcpus > 1 || cfg.b_info.max_vcpus !== undefined) cfg.b_info.avail_vcpus = Array.from({ length: d.onlineVcpus }, (_, i) => i);
  cfg.b_info.max_memkb = rec.staticMaxKb;
  cfg.b_info.target_memkb = rec.targetKb;
  cfg.b_info.sched_params = sched;
  return cfg;
}
