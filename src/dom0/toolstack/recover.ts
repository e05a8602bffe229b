// The toolstack's side of a daemon restart: each recovered domain gets its runtime parts back
// (the magic pages, its introduction to xenstored, its xenstore tree, its guest and devices), and
// what the restored xenstore tree still holds of domains that did not come back is removed.
import { writeDomainTree } from './xs-tree.ts';
import { addConsole, addVbd, addVif, writeSerialTty } from './devices.ts';
import { buildMagic, startTime } from './create.ts';
import { plugPvDevices } from './pv-devices.ts';
import type { DomainRecord, Toolstack } from './toolstack.ts';

/** Rebuild a domain's runtime parts after a daemon restart (its hypervisor state is restored by the caller). */
export async function recoverDomain(ts: Toolstack, rec: DomainRecord): Promise<void> {
  const { hv, xs, platform } = ts;
  ts.records.set(rec.domid, rec);
  const d = hv.get(rec.domid);
  const m = rec.magic = buildMagic(ts, rec.domid);
  await xs.introduce(rec.domid, m.storePfn, m.storePort);
  await writeDomainTree(xs, {
    storePort: m.storePort, storeRingRef: m.storePfn,
    domid: rec.domid, name: rec.name, uuid: rec.uuid, type: rec.type, maxVcpus: d.maxVcpus, onlineVcpus: d.onlineVcpus,
    staticMaxKb: rec.staticMaxKb, targetKb: rec.targetKb, videoramKb: rec.videoKb, startTime: startTime(ts),
    kernel: rec.config.b_info?.kernel, ramdisk: rec.config.b_info?.ramdisk, cmdline: rec.config.b_info?.cmdline,
    poolName: rec.config.c_info?.pool_name ?? 'Pool-0',
  });
  await addConsole(xs, rec.domid, { port: m.consolePort, ringRef: m.consolePfn });
  if (d.shutdown) return;
  await writeSerialTty(xs, rec.domid, (await platform.startGuest(rec, true)).serialTty);
  for (const disk of rec.config.disks ?? []) await addVbd(ts, rec.domid, disk, rec.cwd).catch(e => platform.log(`recover d${rec.domid}: ${e.message}`));
  for (const nic of rec.config.nics ?? []) await addVif(xs, hv.clock, rec.domid, nic).catch(e => platform.log(`recover d${rec.domid}: ${e.message}`));
  await plugPvDevices(ts, rec.domid, rec.config, rec.type === 'hvm').catch(e => platform.log(`recover d${rec.domid}: ${e.message}`));
}

/**
 * The restored xenstore tree may hold nodes of domains that did not come back (their creation
 * never committed): remove them, as libxl's destroy would have.
 */
export async function removeStaleDomains(ts: Toolstack): Promise<void> {
  const xs = ts.xs;
  const live = new Set([0, ...ts.records.keys()]);
  const liveUuids = new Set([...ts.records.values()].map(r => r.uuid));
  const list = (p: string): Promise<string[]> => xs.directory(p).catch(() => []);
  const backends = (await list('/local/domain/0/backend')).map(k => `/local/domain/0/backend/${k}`);
  const stale = new Set<string>();
  for (const dir of ['/local/domain', '/libxl', ...backends]) {
    for (const id of await list(dir)) if (/^\d+$/.test(id) && !live.has(Number(id))) stale.add(id);
  }
  for (const id of stale) {
    const vm = await xs.read(`/local/domain/${id}/vm`).catch(() => '');
    const paths = [`/local/domain/${id}`, `/libxl/${id}`, ...backends.map(b => `${b}/${id}`)];
    if (/^\/vm\/[^/]+$/.test(vm) && !liveUuids.has(vm.slice(4))) paths.push(vm);
    await xs.transaction(async tx => {
      for (const p of paths) await xs.rm(p, tx).catch((e: { code?: string }) => { if (e.code !== 'ENOENT') throw e; });
    });
    ts.platform.log(`xenstore: removed the nodes of domain ${id}, which was not recovered`);
  }
}
