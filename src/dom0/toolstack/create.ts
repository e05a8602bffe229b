// libxl_create.c: a domain built from its libxl_domain_config (paused, its memory, the magic
// pages of its xenstore and console, its xenstore tree, its devices). A create that fails leaves
// nothing behind.
import { randomUUID } from 'node:crypto';
import { HypervisorError } from '../../hypervisor/hypervisor.ts';
import { GNTTAB_RESERVED_CONSOLE, GNTTAB_RESERVED_XENSTORE, GTF_permit_access } from '../../hypervisor/grant-table.ts';
import { DEFAULT_MAX_EVTCHN_PORT } from '../../hypervisor/event-channel.ts';
import type { DomainType } from '../../hypervisor/domain.ts';
import type { Cpupool } from '../../hypervisor/cpupools.ts';
import { parseWorkload } from '../../formats/workload-spec.ts';
import { inIdlOrder, DISK_ORDER } from '../../formats/libxl-json.ts';
import { NIC_ORDER } from '../../formats/vif-spec.ts';
import { B_INFO_ORDER } from '../../formats/domain-config/build.ts';
import { LibxlError, err } from './errors.ts';
import { writeDomainTree } from './xs-tree.ts';
import { checkNewDomainName } from './names.ts';
import { checkBootFiles } from './pv-kernel.ts';
import { addConsole, addVbd, addVif, checkDiskTarget, writeSerialTty, type DiskSpec } from './devices.ts';
import { addPcis, checkGfxPassthru } from './pci.ts';
import { plugPvDevices } from './pv-devices.ts';
import { checkDeviceModelBinary, checkHvmFirmware } from './dm-version.ts';
import { teardown } from './domain.ts';
import { applyCreateRtdsParams } from './sched.ts';
import { isDriverDomain, resolveBackend, writeDriverDomainDirs } from './driver-domain.ts';
import type { DomainRecord, GuestMagic, Toolstack } from './toolstack.ts';

const DEFAULT_MEMKB = 32768;

export interface CreateOptions {
  /** libxl_domain_config JSON as xl built it. */
  config: Record<string, any>;
  workload?: string;
  configText: string;
  configFile: string;
  paused: boolean;
  /** Built for a restore: the kernel is in the memory that follows, and the guest does not boot. */
  restored?: boolean;
  cwd?: string;
}

function cpumapToList(m: unknown): number[] | null {
  return Array.isArray(m) && m.every(x => typeof x === 'number') ? (m as number[]) : null;
}

export async function createDomain(ts: Toolstack, o: CreateOptions, restoreOf?: { domid?: number }): Promise<DomainRecord> {
  // xenlab's workload key is checked before anything is built.
  try { parseWorkload(o.workload); } catch (e) { throw new LibxlError('EINVAL', e instanceof Error ? e.message : String(e), 1); }
  const config = structuredClone(o.config);
  const c = (config.c_info ??= {});
  config.b_info ??= {};
  const name: string = c.name;
  const type: DomainType = c.type ?? 'pv';
  // libxl__domain_config_setdefault refuses before libxl__domain_make: no domid is taken.
  const pool = configPool(ts, c.pool_name ?? 'Pool-0');
  checkHvmFirmware(type, config.b_info);
  const domid = restoreOf?.domid ?? ts.hv.allocDomid();
  if (ts.domidByName(name) !== undefined || ts.reservedNames.has(name)) throw err.duplicateName(domid, name);
  checkNewDomainName(domid, name);
  ts.reservedNames.add(name);
  try {
    return await build(ts, domid, name, type, pool, config, o);
  } finally { ts.reservedNames.delete(name); }
}

/** libxl_cpupool_qualifier_to_cpupoolid: a pool id or a name; ERROR_INVAL, which xl exits with. */
function configPool(ts: Toolstack, poolName: string): Cpupool {
  const pool = /^\d+$/.test(poolName) ? ts.hv.sched.get(Number(poolName)) : ts.hv.pools.find(p => p.name === poolName);
  if (!pool) throw new LibxlError('EINVAL', `libxl: error: libxl_create.c:1132:libxl__domain_config_setdefault: Illegal pool specified: ${poolName}`, 6);
  return pool;
}

async function build(ts: Toolstack, domid: number, name: string, type: DomainType, pool: Cpupool, config: Record<string, any>, o: CreateOptions): Promise<DomainRecord> {
  const { hv, xs, platform } = ts;
  const c = config.c_info, b = config.b_info;
  c.uuid ??= randomUUID();
  const maxVcpus: number = b.max_vcpus ?? 1;
  const avail: number[] = Array.isArray(b.avail_vcpus) ? b.avail_vcpus : Array.from({ length: maxVcpus }, (_, i) => i);
  const staticMaxKb: number = b.max_memkb ?? DEFAULT_MEMKB;
  const targetKb: number = b.target_memkb ?? staticMaxKb;
  const videoKb: number = type === 'hvm' ? (b.video_memkb ?? 8192) : 0;
  b.video_memkb = videoKb;
  const sp = (b.sched_params ??= {});
  const weight: number = sp.weight ?? 256;
  const cap: number = sp.cap ?? 0;
  const poolName: string = c.pool_name ?? 'Pool-0';
  const hardAll = Array.isArray(b.vcpu_hard_affinity) ? b.vcpu_hard_affinity : null;
  const softAll = Array.isArray(b.vcpu_soft_affinity) ? b.vcpu_soft_affinity : null;
  const affinity = Array.from({ length: maxVcpus }, (_, v) => ({
    hard: cpumapToList(hardAll?.[v]) ?? cpumapToList(b.cpumap), soft: cpumapToList(softAll?.[v]),
  }));
  fillDeviceDefaults(config, domid);
  for (const dev of [...config.nics ?? [], ...config.disks ?? []]) resolveBackend(ts, dev, `libxl: error: libxl_create.c:1919:domcreate_attach_devices: Domain ${domid}:unable to add ${config.disks?.includes(dev) ? 'disk' : 'nic'} devices`);
  config.b_info = inIdlOrder(b, B_INFO_ORDER);

  // A pool without pCPUs takes no domain: XEN_DOMCTL_createdomain fails with ENODEV.
  if (!pool.cpus.length) {
    throw new LibxlError('ENODEV', 'libxl: error: libxl_create.c:709:libxl__domain_make: domain creation fail: No such device\n' +
      'libxl: error: libxl_create.c:1294:initiate_domain_create: cannot make domain: -3', 3);
  }
  const d = hv.createDomain({
    type, uuid: c.uuid, maxVcpus, onlineVcpus: avail.length, maxMemkb: staticMaxKb + videoKb, memkb: targetKb,
    weight, cap, poolId: pool.id, affinity,
    maxGrantFrames: b.max_grant_frames, maxMaptrackFrames: b.max_maptrack_frames, maxEvtchnPort: b.event_channels ?? DEFAULT_MAX_EVTCHN_PORT,
  }, domid);
  hv.pause(domid); // domains are built paused; unpaused at the end unless -p
  try {
    // A restored guest's kernel is already in its memory; a built one is read from Dom0's disk.
    applyCreateRtdsParams(ts, domid, sp);
    if (type !== 'hvm' && !o.restored) checkBootFiles(domid, type, { kernel: b.kernel, ramdisk: b.ramdisk, cwd: o.cwd });
    hv.allocate(d, Math.ceil((targetKb + videoKb) / 4));
  } catch (e) {
    hv.destroyDomain(domid);
    if (e instanceof HypervisorError && e.errno === 'ENOMEM') throw err.outOfMemory(domid);
    throw e;
  }
  hv.setVcpusOnline(domid, avail.length);
  const rec: DomainRecord = {
    domid, name, uuid: c.uuid, type, config, configText: o.configText, configFile: o.configFile, cwd: o.cwd,
    workload: o.workload ?? null, targetKb, staticMaxKb, videoKb,
  };
  ts.records.set(domid, rec);
  try {
    (config.disks ?? []).forEach((dk: DiskSpec, i: number) => checkDiskTarget(ts, domid, dk, `libxl: error: libxl_create.c:1316:initiate_domain_create: Domain ${domid}:Unable to set disk defaults for disk ${i}`, 3));
    const m = rec.magic = buildMagic(ts, domid);
    await xs.introduce(domid, m.storePfn, m.storePort);
    await writeDomainTree(xs, {
      domid, name, uuid: c.uuid, type, maxVcpus, onlineVcpus: avail.length, staticMaxKb, targetKb, videoramKb: videoKb,
      startTime: startTime(ts), kernel: b.kernel, ramdisk: b.ramdisk, cmdline: b.cmdline, poolName, storePort: m.storePort, storeRingRef: m.storePfn,
    });
    if (isDriverDomain(rec)) await writeDriverDomainDirs(xs, domid);
    await addConsole(xs, domid, { port: m.consolePort, ringRef: m.consolePfn });
    // A restored guest resumes where it was saved: it does not boot again.
    await writeSerialTty(xs, domid, (await platform.startGuest(rec, o.restored === true)).serialTty);
    for (const disk of config.disks ?? []) await addVbd(ts, domid, disk, o.cwd);
    checkDeviceModelBinary(domid, type, config.b_info);
    checkGfxPassthru(ts, domid, config);
    for (const nic of config.nics ?? []) await addVif(xs, hv.clock, domid, nic);
    if (config.pcidevs?.length) await addPcis(ts, domid, config.pcidevs);
    await plugPvDevices(ts, domid, config, type === 'hvm');
  } catch (e) {
    await teardown(ts, domid).catch(() => {});
    throw e;
  }
  if (!o.paused) hv.unpause(domid);
  // A restore commits once its memory is in (restoreDomain); a create commits here, and a
  // domain that cannot be recorded is destroyed: the create fails and leaves nothing.
  if (!o.restored) {
    try { platform.commit(domid); } catch (e) {
      await teardown(ts, domid).catch(() => {});
      throw e;
    }
  }
  platform.event('create', domid, name);
  return rec;
}

/**
 * libxl__build_pre/post for the guest's xenstore and console: an unbound port of the guest for
 * Dom0 each, and the reserved grant entries giving Dom0 the two magic pages (xc_dom_gnttab_seed).
 */
export function buildMagic(ts: Toolstack, domid: number): GuestMagic {
  const d = ts.hv.get(domid);
  const storePfn = 0xfeffc + domid, consolePfn = storePfn - 1;
  d.grantTable.setEntry(GNTTAB_RESERVED_CONSOLE, { flags: GTF_permit_access, domid: 0, frame: consolePfn });
  d.grantTable.setEntry(GNTTAB_RESERVED_XENSTORE, { flags: GTF_permit_access, domid: 0, frame: storePfn });
  return { storePort: ts.hv.evtchn.allocUnbound(domid, 0), storePfn, consolePort: ts.hv.evtchn.allocUnbound(domid, 0), consolePfn };
}

/** What libxl fills into the stored config at creation: nic devids/MACs, disk backends (kept in IDL order). */
export function fillDeviceDefaults(config: Record<string, any>, domid: number): void {
  if (config.nics) config.nics = config.nics.map((n: any, i: number) => {
    n.devid ??= i;
    if (!n.mac) n.mac = `00:16:3e:${[domid >> 8 & 0x7f, domid & 0xff, i & 0xff].map(x => x.toString(16).padStart(2, '0')).join(':')}`;
    n.nictype ??= 'vif';
    return inIdlOrder(n, NIC_ORDER);
  });
  if (config.disks) config.disks = config.disks.map((dk: any) => {
    // A storage driver domain's disk is phy: libxl tries it first and does not stat what the domain holds.
    dk.backend ??= dk.backend_domname !== undefined || (typeof dk.pdev_path === 'string' && dk.pdev_path.startsWith('/dev/')) ? 'phy' : 'qdisk';
    return inIdlOrder(dk, DISK_ORDER);
  });
}

export function startTime(ts: Toolstack): string {
  const ms = ts.hv.clock.wallMs();
  return `${Math.floor(ms / 1000)}.${String(Math.floor((ms % 1000) / 10)).padStart(2, '0')}`;
}
