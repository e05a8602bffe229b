// The argument shape of every request and stream in requests.ts and streams.ts (the compiler
// insists on one entry per type), and of the input each stream takes. The daemon refuses a
// message that does not fit before any handler sees it; ranges the real tools report in their
// own words (weights, caps, ratelimits, trace sizes) stay with the handlers.
import type { RequestType } from './requests.ts';
import type { StreamType } from './streams.ts';
import { ToolError } from './wire.ts';
import { VDEV_KINDS } from './vdev.ts';
import { FAULT_KIND_NAMES } from '../machine/faults.ts';
import { anyObject, arr, bool, decimal, either, int, nil, num, obj, oneOf, opt, str, type Schema } from './schema.ts';

const UINT32 = 0xffff_ffff;
const INT32_MIN = -0x8000_0000, INT32_MAX = 0x7fff_ffff;
/** Domain ids below DOMID_FIRST_RESERVED. */
const domid = int(0, 0x7fef);
/** Texts the user typed or a config file holds: bounded by the frame size anyway. */
const text = str(1 << 20);
/**
 * A domain as the user named it: xl's qualifier (a name or a number). libxl sets no length of
 * its own: a name too long for xenstore gets libxl's error from the toolstack, not ours.
 */
const dom = text;
const doms = opt(arr(dom, 0x7ff0));
/** Kilobytes as libxl takes them (uint64). */
const kb = int(0, 2 ** 64);
/** pCPU numbers, as a cpumap carries them. */
const cpus = arr(int(0, 0xffff), 0x10000);
/** A nanosecond count (uint64). */
const ns = decimal(0n, 2n ** 64n - 1n);
/**
 * Shortest period of a periodic stream: a zero period would fire again at the same simulated
 * instant forever (the clock never moves, the daemon spins and queues samples without end).
 */
const MIN_PERIOD_NS = 1_000_000n;
const period = decimal(MIN_PERIOD_NS, 2n ** 64n - 1n);
const kind = oneOf('vif', 'vbd');
/** A file the daemon opens for the tool: absolute, since the daemon's working directory is not the tool's. */
const path: Schema = (v, at) => str()(v, at) ?? ((v as string).startsWith('/') ? undefined : `${at} must be an absolute path`);
/** A raw channel's token (xl makes 24 hex digits; empty when a pipe is named instead). */
const token = str(64);

export const requestArgs: Record<RequestType, Schema> = {
  'host.info': obj({}),
  'host.dmesg': obj({ clear: bool }),
  'host.interrupts': obj({}),
  'host.debugKeys': obj({ keys: str() }),
  'host.setParameters': obj({ params: text }),
  'domain.sysrq': obj({ dom, key: str(1) }),

  'domain.list': obj({ doms }),
  'domain.configs': obj({ doms }),
  'domain.resolve': obj({ dom, strict: opt(bool) }),
  'domain.create': obj({ config: anyObject, workload: opt(text), configText: text, configFile: str(), paused: bool, cwd: opt(str()) }),
  'domain.destroy': obj({ dom, force: opt(bool) }),
  'domain.shutdown': obj({ dom, action: oneOf('poweroff', 'reboot'), force: opt(bool) }),
  'domain.pause': obj({ dom }),
  'domain.unpause': obj({ dom }),
  'domain.rename': obj({ dom, name: text, unpause: opt(bool) }),
  'domain.memSet': obj({ dom, targetKb: kb }),
  'domain.memMax': obj({ dom, maxKb: kb }),

  'vcpu.list': obj({ doms }),
  'vcpu.pin': obj({ dom, vcpu: either(int(0, UINT32), oneOf('all')), hard: either(cpus, nil), soft: either(cpus, nil), force: opt(bool) }),
  'vcpu.set': obj({ dom, count: int(0, UINT32) }),

  'sched.credit2.get': obj({ dom: opt(dom), pool: opt(str()) }),
  'sched.credit2.set': obj({ dom, weight: opt(int(INT32_MIN, INT32_MAX)), cap: opt(int(INT32_MIN, INT32_MAX)) }),
  'sched.credit2.setPool': obj({ pool: opt(str()), ratelimitUs: int(INT32_MIN, INT32_MAX) }),
  'cpupool.list': obj({ pool: opt(str()) }),
  'cpupool.free': obj({}),
  'cpupool.create': obj({ name: text, sched: oneOf('unknown', 'sedf', 'credit', 'credit2', 'arinc653', 'rtds', 'null'), cpus }),
  'cpupool.destroy': obj({ pool: text }),
  'cpupool.rename': obj({ pool: text, name: text }),
  'cpupool.cpuAdd': obj({ pool: text, cpus }),
  'cpupool.cpuRemove': obj({ pool: text, cpus }),
  'cpupool.migrate': obj({ dom, pool: text }),
  'cpupool.numaSplit': obj({}),

  'clock.get': obj({}),
  'clock.advance': obj({ ns }),

  'device.list': obj({ dom, kind }),
  'device.attach': obj({ dom, kind, device: anyObject, cwd: opt(str()) }),
  'device.detach': obj({ dom, kind, id: str() }),

  'vdev.attach': obj({ dom, kind: oneOf(...VDEV_KINDS), device: anyObject }),
  'vdev.list': obj({ dom, kind: oneOf(...VDEV_KINDS) }),
  'vdev.detach': obj({ dom, kind: oneOf(...VDEV_KINDS), id: str() }),
  'channel.list': obj({ dom }),

  'usb.ctrlAttach': obj({ dom, usbctrl: anyObject }),
  'usb.ctrlDetach': obj({ dom, devid: int(INT32_MIN, INT32_MAX), id: str() }),
  'usb.devAttach': obj({ dom, usbdev: anyObject }),
  'usb.devDetach': obj({ dom, ctrl: int(INT32_MIN, INT32_MAX), port: int(INT32_MIN, INT32_MAX) }),
  'usb.list': obj({ dom }),

  'dm.monitor': obj({ dom, command: text }),
  'dm.vnc': obj({ dom, autopass: bool }),

  'daemon.stop': obj({}),

  'lvm.run': obj({ command: oneOf('lvcreate', 'lvs', 'vgs', 'pvs', 'lvextend', 'lvreduce', 'lvresize', 'lvremove'), argv: arr(text, 256), answers: arr(str(4096), 256) }),
  'cdrom.insert': obj({ dom, vdev: str(64), target: text, format: str(16), cwd: opt(str()) }),
  'devd.start': obj({}),
  'devd.stop': obj({}),

  'trace.status': obj({}),
  'trace.setEventMask': obj({ mask: int(0, UINT32) }),
  'trace.setCpuMask': obj({ cpus }),
  'trace.enable': obj({ pages: int(0, UINT32) }),
  'trace.disable': obj({}),
  'trace.discard': obj({}),

  'domain.saveConfig': obj({ dom }),
  'domain.resume': obj({ dom, paused: opt(bool) }),
  'domain.dumpCore': obj({ dom, path }),
  'remus.netbuf': obj({ dom }),

  'domain.trigger': obj({ dom, trigger: str(64), vcpu: int(0, UINT32) }),
  'xc.pause': obj({ domid: int(0, UINT32), unpause: bool }),
  'xc.vcpuContext': obj({ domid: int(0, UINT32), vcpu: opt(int(INT32_MIN, INT32_MAX)) }),
  'xc.guestPage': obj({ domid: int(0, UINT32), vcpu: int(0, UINT32), addr: decimal(0n, 2n ** 64n - 1n) }),

  'sched.credit.get': obj({ dom: opt(dom), pool: opt(str()) }),
  'sched.credit.set': obj({ dom, weight: opt(int(INT32_MIN, INT32_MAX)), cap: opt(int(INT32_MIN, INT32_MAX)) }),
  'sched.credit.getPool': obj({ pool: opt(str()) }),
  'sched.credit.setPool': obj({ pool: opt(str()), tsliceMs: opt(int(INT32_MIN, INT32_MAX)), ratelimitUs: opt(int(INT32_MIN, INT32_MAX)), migrDelayUs: opt(int(INT32_MIN, INT32_MAX)) }),
  'sched.rtds.get': obj({ dom: opt(dom), pool: opt(str()), vcpus: opt(either(arr(int(INT32_MIN, INT32_MAX), 0x10000), oneOf('all'))) }),
  'sched.rtds.set': obj({ dom, all: bool, vcpus: arr(obj({ vcpuid: int(INT32_MIN, INT32_MAX), periodUs: int(INT32_MIN, INT32_MAX), budgetUs: int(INT32_MIN, INT32_MAX), extratime: bool }), 0x10000) }),
  'pm.cxStat': obj({ cpu: int(0, UINT32) }),
  'pm.pxStat': obj({ cpu: int(0, UINT32) }),
  'pm.avgFreq': obj({ cpu: int(0, UINT32) }),
  'pm.cpufreqPara': obj({ cpu: int(0, UINT32) }),
  'pm.maxCstate': obj({}),
  'pm.set': obj({ cpu: int(0, UINT32), setting: oneOf('governor', 'maxfreq', 'minfreq', 'speed', 'sampling-rate', 'up-threshold', 'turbo', 'max-cstate', 'max-csubstate'), value: str(64) }),
  'pm.sleepUntil': obj({ ns }),

  'psr.hwinfo': obj({}),
  'psr.cmtAttach': obj({ domid: int(0, UINT32), detach: bool }),
  'psr.cmtShow': obj({ type: oneOf('cache-occupancy', 'total-mem-bandwidth', 'local-mem-bandwidth'), domid: opt(int(0, UINT32)) }),
  'psr.setVal': obj({ domid: int(0, UINT32), type: oneOf('l3-cbm', 'l3-cbm-code', 'l3-cbm-data', 'l2-cbm', 'mba-thrtl'), sockets: opt(cpus), value: decimal(0n, 2n ** 64n - 1n) }),
  'psr.showVal': obj({ type: oneOf('l3-cbm', 'mba-thrtl'), domid: opt(int(0, UINT32)) }),
  'pci.assignableAdd': obj({ device: anyObject }),
  'pci.assignableRemove': obj({ ident: text, device: either(anyObject, nil), rebind: bool }),
  'pci.assignableList': obj({}),
  'pci.attach': obj({ dom, device: anyObject }),
  'pci.detach': obj({ dom, device: anyObject, force: bool }),
  'pci.list': obj({ dom }),
  'pci.sriov': obj({ pf: str(64), numVfs: int(0, 0xffff) }),
  'host.lspci': obj({ numeric: oneOf(0, 1, 2), verbose: bool }),
  'host.lsusb': obj({}),

  'fault.add': obj({ kind: oneOf(...FAULT_KIND_NAMES), dom, device: opt(str(64)), value: opt(int(0, UINT32)), forNs: opt(ns) }),
  'fault.list': obj({}),
  'fault.clear': obj({ id: opt(int(0, UINT32)), all: opt(bool) }),
  'dom0.restart': obj({}),
};

export const streamArgs: Record<StreamType, Schema> = {
  'stats.watch': obj({ delayNs: period }),
  'console.attach': obj({ dom, type: opt(oneOf('pv', 'serial')) }),
  'domain.wait': obj({ domid, until: oneOf('gone', 'shutdown') }),
  'events.watch': obj({}),
  'trace.windows': obj({ pollNs: period, timeoutNs: opt(ns), disableAtStop: bool, token }),
  'domain.save': obj({
    dom, token, live: bool, linkMbit: opt(num(Number.MIN_VALUE, UINT32)), path: opt(path),
    remus: opt(obj({ intervalMs: int(1, INT32_MAX), netbuf: bool, diskbuf: bool })),
  }),
  'domain.restore': obj({
    token, config: anyObject, workload: opt(text), configText: text, configFile: str(),
    name: opt(str()), domid: opt(domid), paused: bool, path: opt(path), head: opt(text), cwd: opt(str()),
    checkpointed: opt(bool), colo: opt(bool),
  }),
};

/** What an open stream accepts as input; a stream not listed takes none. */
export const streamInput: Partial<Record<StreamType, Schema>> = {
  /** Keystrokes, base64. */
  'console.attach': str(1 << 20),
  'trace.windows': obj({ stop: oneOf(true), disable: bool }),
};

/** Why a request or stream of `type` cannot be served as sent (undefined when it can). */
export function messageError(type: string, args: unknown): ToolError | undefined {
  const name = JSON.stringify(type.slice(0, 64));
  const schema = Object.hasOwn(requestArgs, type) ? requestArgs[type as RequestType] : Object.hasOwn(streamArgs, type) ? streamArgs[type as StreamType] : undefined;
  if (!schema) return new ToolError('ENOTSUP', `xenlabd: unknown request ${name}`, 1);
  const why = schema(args, 'args');
  return why ? new ToolError('EINVAL', `xenlabd: bad request ${name}: ${why}`, 1) : undefined;
}

/** Why `input` does not fit an open stream of `type` (undefined when it does). */
export function inputError(type: StreamType, input: unknown): ToolError | undefined {
  const schema = streamInput[type];
  const why = schema ? schema(input, 'input') : `a ${type} stream takes no input`;
  return why ? new ToolError('EINVAL', `xenlabd: bad input to ${type}: ${why}`, 1) : undefined;
}

export const isStreamType = (type: string): type is StreamType => Object.hasOwn(streamArgs, type);
