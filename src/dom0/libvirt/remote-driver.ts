// The remote program's procedures (remote_protocol.x) that libvirt's libxl driver serves:
// each decodes its arguments, calls the driver and encodes its reply. A procedure the driver
// lacks gets libvirt's "not supported" error; one the program lacks, "unknown procedure".
import { hostname } from 'node:os';
import { XdrReader, XdrWriter } from '../../formats/xdr.ts';
import { VIR_ERR, VIR_FROM, VirError } from '../../formats/libvirt/errors.ts';
import { CPUMAP_MAX, readDomain, readTypedParams, STRING_MAX, TypedParamType, uuidString, writeDomain, writeTypedParams, type DomainRef } from '../../formats/libvirt/remote-types.ts';
import { domainDefToXl, xlToDomainDef } from '../../formats/libvirt/xen-xl.ts';
import { formatDomainXml, parseDomainXml, DomainXmlError } from '../../formats/libvirt/domain-def.ts';
import type { CallContext } from './client.ts';
import { DomainState, type DomainObj, type LibxlDriver } from './libxl-driver.ts';
import { capabilitiesXml } from './capabilities.ts';
import type { LiveDomain } from './libxl-adapter.ts';
import { openConsole } from './console.ts';
import { destXml, IncomingMigrations, migrateP2P } from './migration.ts';

type Proc = { name: string; write?: boolean; noConn?: boolean; run: (r: XdrReader, w: XdrWriter, ctx: CallContext) => unknown };

/** virConnectOpen's VIR_CONNECT_RO, and the hypervisor/library versions we present. */
const VIR_CONNECT_RO = 1;
const LIB_VERSION = 9000000n;
const XEN_VERSION = 4017000n;

/** virDrvFeature numbers the daemon answers for itself or the libxl driver supports. */
const FEATURES = new Set([4 /* MIGRATION_P2P */, 6 /* MIGRATION_V3 */, 9 /* TYPED_PARAM_STRING */, 12 /* MIGRATION_PARAMS */, 13 /* PROGRAM_KEEPALIVE */, 14 /* REMOTE_EVENT_CALLBACK */, 15 /* REMOTE_CLOSE_CALLBACK */]);

/** virConnectListAllDomainsFlags. */
const LIST = { ACTIVE: 1, INACTIVE: 2, PERSISTENT: 4, TRANSIENT: 8, RUNNING: 16, PAUSED: 32, SHUTOFF: 64, OTHER: 128 } as const;

const PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE = 318;

export class RemoteDriver {
  private readonly procs = new Map<number, Proc>();
  private nextCallback = 1;

  constructor(readonly driver: LibxlDriver, runDir: string) {
    const d = driver;
    const incoming = new IncomingMigrations(driver, runDir);
    const p = (num: number, name: string, run: Proc['run'], o: { write?: boolean; noConn?: boolean } = {}) => this.procs.set(num, { name, run, ...o });
    const dom = (r: XdrReader) => readDomain(r);
    const flags = (r: XdrReader) => r.uint();

    p(66, 'virConnectAuthList', (_r, w) => { w.array([0], t => w.int(t)); }, { noConn: true });
    p(60, 'virConnectSupportsFeature', (r, w) => { w.int(FEATURES.has(r.int()) ? 1 : 0); }, { noConn: true });
    p(1, 'virConnectOpen', (r, _w, ctx) => {
      const name = r.optional(() => r.string(STRING_MAX));
      const f = r.uint();
      if (name && !/^xen:\/\/\/(system)?$/.test(name.split('?')[0]!) && name !== 'xen:///') {
        throw new VirError(VIR_ERR.NO_SUPPORT, VIR_FROM.NONE, `no connection driver available for ${name}`);
      }
      if (f & VIR_CONNECT_RO) ctx.client.readonlyConn = true;
      ctx.client.opened = true;
    }, { noConn: true });
    p(2, 'virConnectClose', (_r, _w, ctx) => { ctx.client.opened = false; });
    p(3, 'virConnectGetType', (_r, w) => { w.string('Xen'); });
    p(4, 'virConnectGetVersion', (_r, w) => { w.uhyper(XEN_VERSION); });
    p(157, 'virConnectGetLibVersion', (_r, w) => { w.uhyper(LIB_VERSION); });
    p(59, 'virConnectGetHostname', (_r, w) => { w.string(d.xen.node().hostname || hostname()); });
    p(110, 'virConnectGetURI', (_r, w) => { w.string('xen:///system'); });
    p(149, 'virConnectIsSecure', (_r, w) => { w.int(1); });
    p(5, 'virConnectGetMaxVcpus', (r, w) => { r.optional(() => r.string(STRING_MAX)); w.int(d.xen.nrCpus < 128 ? 128 : d.xen.nrCpus); });
    p(7, 'virConnectGetCapabilities', (_r, w) => { w.string(capabilitiesXml(d.xen.node())); });
    p(6, 'virNodeGetInfo', (_r, w) => {
      const n = d.xen.node();
      const model = Buffer.alloc(32); model.write('x86_64');
      for (const b of model) w.int(b);
      w.uhyper(BigInt(n.totalKb)).int(n.cpus).int(n.mhz).int(n.nodes).int(1).int(n.cores).int(n.threads);
    });
    p(293, 'virNodeGetCPUMap', (r, w) => {
      const needMap = r.int(), needOnline = r.int(); flags(r);
      const n = d.xen.nrCpus;
      w.opaque(needMap ? cpumap(null, Math.ceil(n / 8), n) : Buffer.alloc(0)).uint(needOnline ? n : 0).int(n);
    });
    p(102, 'virNodeGetFreeMemory', (_r, w) => { w.uhyper(BigInt(d.xen.node().freeKb) * 1024n); });

    p(273, 'virConnectListAllDomains', (r, w) => {
      const need = r.int(), f = r.uint();
      const doms = d.list().filter(x => matches(d, x, f));
      w.array(need ? doms : [], x => writeDomain(w, x)).uint(doms.length);
    });
    p(51, 'virConnectNumOfDomains', (_r, w) => { w.int(d.list().filter(x => x.live).length); });
    p(37, 'virConnectListDomains', (r, w) => { const max = r.int(); w.array(d.list().filter(x => x.live).slice(0, max), x => w.int(x.id)); });
    p(25, 'virConnectNumOfDefinedDomains', (_r, w) => { w.int(d.list().filter(x => !x.live).length); });
    p(21, 'virConnectListDefinedDomains', (r, w) => { const max = r.int(); w.array(d.list().filter(x => !x.live).slice(0, max), x => w.string(x.name)); });
    p(22, 'virDomainLookupByID', (r, w) => { writeDomain(w, d.byId(r.int())); });
    p(23, 'virDomainLookupByName', (r, w) => { writeDomain(w, d.byName(r.string(STRING_MAX))); });
    p(24, 'virDomainLookupByUUID', (r, w) => { writeDomain(w, d.byUuid(uuidString(r.fixedOpaque(16)))); });

    p(16, 'virDomainGetInfo', (r, w) => {
      const x = d.get(dom(r));
      const st = d.state(x).state;
      const def = x.live ? undefined : d.def(x);
      w.int(st).uhyper(BigInt(x.live?.maxMemKb ?? def!.memoryKb)).uhyper(BigInt(x.live?.curMemKb ?? def!.currentMemoryKb));
      w.uint(x.live?.onlineVcpus ?? def!.currentVcpus).uhyper(x.live?.cpuNs ?? 0n);
    });
    p(212, 'virDomainGetState', (r, w) => { const x = d.get(dom(r)); flags(r); const s = d.state(x); w.int(s.state).int(s.reason); });
    p(19, 'virDomainGetOSType', (r, w) => { w.string(d.def(d.get(dom(r))).osType); });
    p(17, 'virDomainGetMaxMemory', (r, w) => { const x = d.get(dom(r)); w.uhyper(BigInt(x.live?.maxMemKb ?? x.def!.memoryKb)); });
    p(18, 'virDomainGetMaxVcpus', (r, w) => { w.int(d.running(dom(r)).live.maxVcpus); });
    p(200, 'virDomainGetVcpusFlags', (r, w) => {
      const x = d.get(dom(r)), f = flags(r);
      const def = d.def(x, !!(f & 2));
      w.int(f & 16 /* VIR_DOMAIN_VCPU_MAXIMUM */ ? def.vcpus : def.currentVcpus);
    });
    p(20, 'virDomainGetVcpus', (r, w) => {
      const x = d.running(dom(r)); const maxinfo = r.int(), maplen = r.int();
      const vcpus = d.xen.vcpus(x.id).slice(0, Math.max(0, maxinfo));
      const n = vcpus.length;
      w.array(vcpus, (v, i) => w.uint(i).int(v.state).uhyper(v.cpuNs).int(v.pcpu));
      w.opaque(Buffer.concat(Array.from({ length: n }, (_, v) => cpumap(x.live.affinity[v] ?? null, maplen, d.xen.nrCpus))));
    });
    p(230, 'virDomainGetVcpuPinInfo', (r, w) => {
      const x = d.get(dom(r)); const ncpumaps = r.int(), maplen = r.int(); flags(r);
      const n = Math.min(ncpumaps, x.live?.maxVcpus ?? x.def!.vcpus);
      w.opaque(Buffer.concat(Array.from({ length: n }, (_, v) => cpumap(x.live?.affinity[v] ?? null, maplen, d.xen.nrCpus)))).int(n);
    });
    p(150, 'virDomainIsActive', (r, w) => { w.int(d.get(dom(r)).live ? 1 : 0); });
    p(151, 'virDomainIsPersistent', (r, w) => { w.int(d.get(dom(r)).persistent ? 1 : 0); });
    p(202, 'virDomainIsUpdated', (r, w) => { d.get(dom(r)); w.int(0); });
    p(15, 'virDomainGetAutostart', (r, w) => { d.get(dom(r)); w.int(0); });
    p(183, 'virDomainHasManagedSaveImage', (r, w) => { d.get(dom(r)); flags(r); w.int(0); });
    // libvirt's libxl driver asks libxl for the host's scheduler: it names the ones it knows, and
    // gives credit's weight and cap (XEN_SCHED_CREDIT_NPARAM) as the only parameters.
    const schedType = (x: DomainObj & { live: LiveDomain }): string => {
      const s = d.xen.scheduler();
      if (s === 'credit' || s === 'credit2' || s === 'rtds') return s;
      throw new VirError(VIR_ERR.INTERNAL_ERROR, VIR_FROM.LIBXL, `Failed to get scheduler id for domain '${x.live.domid}' with libxenlight`);
    };
    const schedParams = (x: DomainObj & { live: LiveDomain }, nparams: number) => {
      if (d.xen.scheduler() !== 'credit') throw new VirError(VIR_ERR.INTERNAL_ERROR, VIR_FROM.LIBXL, "Only 'credit' scheduler is supported");
      const { weight, cap } = d.xen.schedParams(x.live.domid);
      const all = [{ field: 'weight', type: TypedParamType.UINT as const, value: weight }, { field: 'cap', type: TypedParamType.UINT as const, value: cap }];
      return all.slice(0, Math.max(0, nparams));
    };
    p(56, 'virDomainGetSchedulerType', (r, w) => { const s = schedType(d.running(dom(r))); w.string(s).int(s === 'credit' ? 2 : 0); });
    p(57, 'virDomainGetSchedulerParameters', (r, w) => { const x = d.running(dom(r)); writeTypedParams(w, schedParams(x, r.int())); });
    p(224, 'virDomainGetSchedulerParametersFlags', (r, w) => { const x = d.running(dom(r)); const n = r.int(); flags(r); writeTypedParams(w, schedParams(x, n)); });
    p(121, 'virDomainGetSecurityLabel', (r, w) => { d.get(dom(r)); w.array([], () => {}).int(0); });
    p(122, 'virNodeGetSecurityModel', (_r, w) => { w.array([], () => {}).array([], () => {}); });
    p(14, 'virDomainGetXMLDesc', (r, w) => { const x = d.get(dom(r)); const f = flags(r); w.string(d.xml(x, !!(f & 2 /* INACTIVE */))); });

    p(11, 'virDomainDefineXML', (r, w) => { writeDomain(w, d.define(r.string(STRING_MAX))); }, { write: true });
    p(350, 'virDomainDefineXMLFlags', (r, w) => { const xml = r.string(STRING_MAX); flags(r); writeDomain(w, d.define(xml)); }, { write: true });
    p(35, 'virDomainUndefine', r => { d.undefine(dom(r)); }, { write: true });
    p(231, 'virDomainUndefineFlags', r => { const x = dom(r); flags(r); d.undefine(x); }, { write: true });
    p(9, 'virDomainCreate', async r => { await d.start(dom(r)); }, { write: true });
    p(196, 'virDomainCreateWithFlags', async (r, w) => { const x = dom(r); const f = flags(r); writeDomain(w, await d.start(x, !!(f & 1))); }, { write: true });
    p(10, 'virDomainCreateXML', async (r, w) => { const xml = r.string(STRING_MAX); const f = flags(r); writeDomain(w, await d.createXml(xml, !!(f & 1))); }, { write: true });
    p(12, 'virDomainDestroy', async r => { await d.destroy(dom(r)); }, { write: true });
    p(234, 'virDomainDestroyFlags', async r => { const x = dom(r); flags(r); await d.destroy(x); }, { write: true });
    p(33, 'virDomainShutdown', async r => { await d.shutdown(dom(r), 'poweroff'); }, { write: true });
    p(258, 'virDomainShutdownFlags', async r => { const x = dom(r); flags(r); await d.shutdown(x, 'poweroff'); }, { write: true });
    p(27, 'virDomainReboot', async r => { const x = dom(r); flags(r); await d.shutdown(x, 'reboot'); }, { write: true });
    p(55, 'virDomainSave', async r => { const x = dom(r); await d.save(x, r.string(STRING_MAX)); }, { write: true });
    p(232, 'virDomainSaveFlags', async r => {
      const x = dom(r); const to = r.string(STRING_MAX); r.optional(() => r.string(STRING_MAX)); flags(r);
      await d.save(x, to);
    }, { write: true });
    p(54, 'virDomainRestore', async r => { await d.restore(r.string(STRING_MAX)); }, { write: true });
    p(233, 'virDomainRestoreFlags', async r => {
      const from = r.string(STRING_MAX); r.optional(() => r.string(STRING_MAX)); const f = flags(r);
      await d.restore(from, !!(f & 4 /* VIR_DOMAIN_SAVE_PAUSED */));
    }, { write: true });
    // Peer-to-peer migration: Perform3Params on the source, Prepare3Params and Finish3Params on the destination.
    p(305, 'virDomainMigratePerform3Params', async (r, w) => {
      const x = dom(r); const dconnuri = r.optional(() => r.string(STRING_MAX)); readTypedParams(r, 64); r.opaque(16384); const f = flags(r);
      if (!(f & 2 /* VIR_MIGRATE_PEER2PEER */) || !dconnuri) throw new VirError(VIR_ERR.NO_SUPPORT, VIR_FROM.LIBXL, 'libxl only supports peer-to-peer migration');
      await migrateP2P(d, x, dconnuri, !!(f & 1 /* VIR_MIGRATE_LIVE */));
      w.opaque(Buffer.alloc(0));
    }, { write: true });
    p(303, 'virDomainMigratePrepare3Params', async (r, w) => {
      const params = readTypedParams(r, 64); r.opaque(16384); flags(r);
      const uri = await incoming.prepare(destXml(params));
      w.opaque(Buffer.alloc(0)).optional(uri, u => w.string(u));
    }, { write: true });
    p(306, 'virDomainMigrateFinish3Params', async (r, w) => {
      const params = readTypedParams(r, 64); r.opaque(16384); flags(r); const cancelled = r.int();
      writeDomain(w, await incoming.finish(destXml(params), cancelled !== 0));
      w.opaque(Buffer.alloc(0));
    }, { write: true });
    p(34, 'virDomainSuspend', r => { d.suspend(dom(r)); }, { write: true });
    p(28, 'virDomainResume', r => { d.resume(dom(r)); }, { write: true });

    const setMem = async (x: DomainRef, kb: bigint, f: number) => {
      const o = d.running(x);
      if (f & 4 /* VIR_DOMAIN_MEM_MAXIMUM */) { await d.xen.setMaxMemory(o.id, Number(kb)); return; }
      if (kb > BigInt(o.live.maxMemKb)) throw new VirError(VIR_ERR.INVALID_ARG, VIR_FROM.LIBXL, 'cannot set memory higher than max memory');
      await d.xen.setMemory(o.id, Number(kb)).catch(e => { throw new VirError(VIR_ERR.INTERNAL_ERROR, VIR_FROM.LIBXL, `Failed to set memory for domain '${o.id}' with libxenlight: ${e.message}`); });
    };
    p(31, 'virDomainSetMemory', async r => { const x = dom(r); await setMem(x, r.uhyper(), 0); }, { write: true });
    p(30, 'virDomainSetMaxMemory', async r => { const x = dom(r); await setMem(x, r.uhyper(), 4); }, { write: true });
    p(204, 'virDomainSetMemoryFlags', async r => { const x = dom(r); const kb = r.uhyper(); await setMem(x, kb, flags(r)); }, { write: true });
    const setVcpus = async (x: DomainRef, n: number) => {
      const o = d.running(x);
      if (n > o.live.maxVcpus) throw new VirError(VIR_ERR.INVALID_ARG, VIR_FROM.LIBXL, `requested vcpus is greater than max allowable vcpus for the domain: ${n} > ${o.live.maxVcpus}`);
      await d.xen.setVcpus(o.id, n).catch(e => { throw new VirError(VIR_ERR.INTERNAL_ERROR, VIR_FROM.LIBXL, `Failed to set vcpus for domain '${o.id}' with libxenlight: ${e.message}`); });
    };
    p(32, 'virDomainSetVcpus', async r => { const x = dom(r); await setVcpus(x, r.uint()); }, { write: true });
    p(199, 'virDomainSetVcpusFlags', async r => { const x = dom(r); const n = r.uint(); flags(r); await setVcpus(x, n); }, { write: true });
    const pin = (x: DomainRef, vcpu: number, map: Buffer) => {
      const o = d.running(x);
      const cpus: number[] = [];
      for (let c = 0; c < d.xen.nrCpus && c < map.length * 8; c++) if (map[c >> 3]! & (1 << (c & 7))) cpus.push(c);
      if (vcpu >= o.live.maxVcpus) throw new VirError(VIR_ERR.INVALID_ARG, VIR_FROM.LIBXL, `vcpu ${vcpu} is out of range of live cpu count ${o.live.maxVcpus}`);
      if (!cpus.length) throw new VirError(VIR_ERR.INVALID_ARG, VIR_FROM.LIBXL, 'Empty cpu list for pinning');
      d.xen.pinVcpu(o.id, vcpu, cpus);
    };
    p(26, 'virDomainPinVcpu', r => { const x = dom(r); const v = r.uint(); pin(x, v, r.opaque(CPUMAP_MAX)); }, { write: true });
    p(225, 'virDomainPinVcpuFlags', r => { const x = dom(r); const v = r.uint(); const m = r.opaque(CPUMAP_MAX); flags(r); pin(x, v, m); }, { write: true });

    p(65, 'virDomainInterfaceStats', (r, w) => {
      const x = d.running(dom(r)); const path = r.string(STRING_MAX);
      const def = d.def(x);
      const i = def.interfaces.findIndex(n => n.targetDev === path || n.mac === path.toLowerCase());
      const s = i < 0 ? undefined : d.xen.vifStats(x.id).find(v => v.id === i);
      if (!s) throw new VirError(VIR_ERR.INVALID_ARG, VIR_FROM.LIBXL, `invalid path, '${path}' is not a known interface`);
      // Dom0's vif counts what the guest sends as received: libvirt swaps them back to the guest's view.
      for (const v of [s.txBytes, s.txPackets, s.txErrors, s.txDrops, s.rxBytes, s.rxPackets, s.rxErrors, s.rxDrops]) w.hyper(BigInt(v));
    });
    const vbd = (x: DomainObj & { live: NonNullable<DomainObj['live']> }, path: string) => {
      const disk = d.def(x).disks.find(k => k.target === path || k.source === path);
      const devid = disk ? xenVbdDevid(disk.target) : undefined;
      const s = devid === undefined ? undefined : d.xen.vbdStats(x.id).find(v => v.dev === devid);
      if (!s) throw new VirError(VIR_ERR.OPERATION_INVALID, VIR_FROM.LIBXL, `cannot find device number for ${path}`);
      return s;
    };
    p(64, 'virDomainBlockStats', (r, w) => {
      const x = d.running(dom(r)); const s = vbd(x, r.string(STRING_MAX));
      w.hyper(BigInt(s.rdReqs)).hyper(BigInt(s.rdSects) * 512n).hyper(BigInt(s.wrReqs)).hyper(BigInt(s.wrSects) * 512n).hyper(-1n);
    });
    p(243, 'virDomainBlockStatsFlags', (r, w) => {
      const x = d.running(dom(r)); const path = r.string(STRING_MAX); const nparams = r.int(); flags(r);
      const s = vbd(x, path);
      const params = [
        { field: 'rd_operations', type: TypedParamType.LLONG as const, value: BigInt(s.rdReqs) },
        { field: 'rd_bytes', type: TypedParamType.LLONG as const, value: BigInt(s.rdSects) * 512n },
        { field: 'wr_operations', type: TypedParamType.LLONG as const, value: BigInt(s.wrReqs) },
        { field: 'wr_bytes', type: TypedParamType.LLONG as const, value: BigInt(s.wrSects) * 512n },
        { field: 'flush_operations', type: TypedParamType.LLONG as const, value: 0n },
      ];
      // nparams 0 asks how many there are.
      writeTypedParams(w, nparams === 0 ? [] : params.slice(0, nparams));
      w.int(params.length);
    });

    p(135, 'virConnectDomainXMLFromNative', (r, w) => {
      const format = r.string(STRING_MAX), config = r.string(STRING_MAX); flags(r);
      nativeFormat(format);
      w.string(formatDomainXml(convert(() => xlToDomainDef(config))));
    }, { write: true });
    p(136, 'virConnectDomainXMLToNative', (r, w) => {
      const format = r.string(STRING_MAX), xml = r.string(STRING_MAX); flags(r);
      nativeFormat(format);
      w.string(domainDefToXl(convert(() => parseDomainXml(xml))));
    }, { write: true });

    p(316, 'virConnectDomainEventCallbackRegisterAny', (r, w, ctx) => {
      const eventId = r.int(); const only = r.optional(() => readDomain(r));
      // Only lifecycle events (VIR_DOMAIN_EVENT_ID_LIFECYCLE, 0) fire on this driver; other
      // registrations succeed and stay silent, as they would in libvirtd.
      const id = this.nextCallback++;
      const off = eventId === 0 ? d.onLifecycle((ref, event, detail) => {
        if (only && only.uuid !== ref.uuid) return;
        const b = new XdrWriter().int(id);
        writeDomain(b, ref);
        b.int(event).int(detail);
        ctx.client.event(PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE, b.toBuffer());
      }) : () => {};
      const entry = () => off();
      ctx.client.cleanups.add(entry);
      ctx.client.callbacks.set(id, () => { off(); ctx.client.cleanups.delete(entry); });
      w.int(id);
    });
    p(317, 'virConnectDomainEventCallbackDeregisterAny', (r, _w, ctx) => {
      const id = r.int();
      const cb = ctx.client.callbacks.get(id);
      if (!cb) throw new VirError(VIR_ERR.INVALID_ARG, VIR_FROM.NONE, `callback ID ${id} not registered`);
      cb();
      ctx.client.callbacks.delete(id);
    });
    p(360, 'virConnectRegisterCloseCallback', () => {});
    p(361, 'virConnectUnregisterCloseCallback', () => {});
    p(201, 'virDomainOpenConsole', (r, _w, ctx) => {
      const x = d.running(dom(r)); r.optional(() => r.string(STRING_MAX)); flags(r);
      openConsole(d, x.id, ctx);
    }, { write: true });

    // Procedures the libxl driver does not implement: libvirt's "not supported" error, by name.
    for (const [num, name] of [[203, 'virConnectGetSysinfo'], [342, 'virConnectGetDomainCapabilities']] as const) {
      p(num, name, () => { throw new VirError(VIR_ERR.NO_SUPPORT, VIR_FROM.NONE, name); });
    }
  }

  async dispatch(proc: number, r: XdrReader, w: XdrWriter, ctx: CallContext): Promise<void> {
    const p = this.procs.get(proc);
    if (!p) throw new VirError(VIR_ERR.NO_SUPPORT, VIR_FROM.RPC, `unknown procedure: ${proc}`);
    if (!p.noConn && !ctx.client.opened) throw new VirError(VIR_ERR.INTERNAL_ERROR, VIR_FROM.RPC, 'connection not open');
    if (p.write && ctx.client.readonlyConn) throw new VirError(VIR_ERR.OPERATION_DENIED, VIR_FROM.NONE, `read only access prevents ${p.name}`);
    await p.run(r, w, ctx);
  }
}

function matches(d: LibxlDriver, x: DomainObj, f: number): boolean {
  if (f & (LIST.ACTIVE | LIST.INACTIVE) && !((f & LIST.ACTIVE && x.live) || (f & LIST.INACTIVE && !x.live))) return false;
  if (f & (LIST.PERSISTENT | LIST.TRANSIENT) && !((f & LIST.PERSISTENT && x.persistent) || (f & LIST.TRANSIENT && !x.persistent))) return false;
  if (f & (LIST.RUNNING | LIST.PAUSED | LIST.SHUTOFF | LIST.OTHER)) {
    const s = d.state(x).state;
    const ok = (f & LIST.RUNNING && s === DomainState.RUNNING) || (f & LIST.PAUSED && s === DomainState.PAUSED)
      || (f & LIST.SHUTOFF && s === DomainState.SHUTOFF) || (f & LIST.OTHER && ![DomainState.RUNNING, DomainState.PAUSED, DomainState.SHUTOFF].includes(s));
    if (!ok) return false;
  }
  return true;
}

function cpumap(hard: number[] | null, maplen: number, nrCpus: number): Buffer {
  const b = Buffer.alloc(Math.max(0, maplen));
  for (let c = 0; c < nrCpus && c < maplen * 8; c++) if (!hard || hard.includes(c)) b[c >> 3]! |= 1 << (c & 7);
  return b;
}

/** The xenstore device number of a vdev as blkback knows it (xvdX → 202<<8 | X*16, hdX/sdX likewise). */
function xenVbdDevid(vdev: string): number | undefined {
  const m = /^(xvd|hd|sd)([a-z])$/.exec(vdev);
  if (!m) return undefined;
  const i = m[2]!.charCodeAt(0) - 97;
  if (m[1] === 'xvd') return (202 << 8) | (i << 4);
  if (m[1] === 'hd') return ((i < 2 ? 3 : 22) << 8) | ((i & 1) << 6);
  return (8 << 8) | (i << 4);
}

function nativeFormat(format: string): void {
  if (format !== 'xen-xl') throw new VirError(VIR_ERR.INVALID_ARG, VIR_FROM.LIBXL, `unsupported config type ${format}`);
}

function convert<T>(f: () => T): T {
  try { return f(); } catch (e) {
    if (e instanceof DomainXmlError) throw new VirError(e.kind === 'xml' ? VIR_ERR.XML_ERROR : VIR_ERR.CONFIG_UNSUPPORTED, VIR_FROM.XENXL, e.message);
    throw e;
  }
}
