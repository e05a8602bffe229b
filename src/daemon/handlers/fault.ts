// The fault plane (xenlabd fault add|list|clear, a xenlab extension): the user's scope — a domain
// as xl finds it, a device of the kind the fault needs — checked and turned into the table's terms.
import type { Handlers } from './context.ts';
import type { Host } from '../host.ts';
import { ToolError } from '../../protocol/wire.ts';
import type { FaultInfo } from '../../protocol/fault.ts';
import { FAULT_KINDS, type Fault, type FaultKind, type FaultSpec } from '../../machine/faults.ts';
import { diskDevid, type DiskSpec } from '../../dom0/toolstack/devices.ts';
import type { LibxlDeviceNic } from '../../formats/vif-spec.ts';
import { isDriverDomain } from '../../dom0/toolstack/driver-domain.ts';
import { DOM0_SERVICES, isDom0Service } from '../dom0-services.ts';

const refuse = (message: string): never => { throw new ToolError('EINVAL', `xenlabd: ${message}`, 1); };

const info = (host: Host, f: Fault): FaultInfo => ({
  id: f.id, kind: f.kind, domid: f.domid, name: host.toolstack.nameOf(f.domid), device: f.device, value: f.value,
  startNs: f.startNs.toString(), endNs: f.endNs === null ? null : f.endNs.toString(),
});

/** The devid of a guest's vif (by devid or MAC) or vbd (by vdev or devid), as xl's detach commands name them. */
function deviceOf(host: Host, domid: number, kind: 'vif' | 'vbd', q: string): number {
  const config = host.toolstack.records.get(domid)?.config;
  const found = kind === 'vif'
    ? ((config?.nics ?? []) as LibxlDeviceNic[]).find(n => String(n.devid) === q || n.mac === q.toLowerCase())?.devid
    : ((config?.disks ?? []) as DiskSpec[]).filter(d => !d.is_cdrom).map(d => ({ devid: diskDevid(d), vdev: d.vdev })).find(d => String(d.devid) === q || d.vdev === q)?.devid;
  return found ?? refuse(`domain ${domid} has no ${kind} ${q}`);
}

function faultSpec(host: Host, a: { kind: string; dom: string; device?: string; value?: number }): FaultSpec {
  const kind = a.kind as FaultKind;
  const k = FAULT_KINDS[kind];
  const domid = host.toolstack.existing(a.dom);
  // A Dom0 service's crash strikes Dom0; every other kind but the host's memory pressure a guest.
  if (kind === 'dom0-service-crash') {
    if (domid !== 0) refuse(`${kind} strikes Domain-0, not ${a.dom}`);
    if (a.device !== undefined && !isDom0Service(a.device)) refuse(`${kind}: no Dom0 service ${a.device} (${DOM0_SERVICES.join(', ')})`);
    if (host.faults.list().some(f => f.kind === kind && f.device === a.device)) refuse(`${a.device} has crashed already`);
  } else if (kind !== 'memory-pressure' && !host.toolstack.records.has(domid)) refuse(`${kind} needs a guest domain, not ${a.dom}`);
  if (kind === 'driver-domain-crash' && !isDriverDomain(host.toolstack.records.get(domid))) refuse(`${kind} needs a driver domain (driver_domain=1), not ${a.dom}`);
  if (k.device === null && a.device !== undefined) refuse(`${kind} takes no device`);
  if (k.device !== null && a.device === undefined) refuse(`${kind} needs a device (a ${k.device} of the domain)`);
  if (k.unit === null && a.value !== undefined) refuse(`${kind} takes no value`);
  if (k.unit !== null && a.value === undefined) refuse(`${kind} needs a value (${k.unit})`);
  if (k.unit === 'PERCENT' && a.value! > 100) refuse(`${kind}: ${a.value} is not a percentage (0 to 100)`);
  const devid = k.device === null || k.device === 'service' ? null : deviceOf(host, domid, k.device, a.device!);
  return { kind, domid, device: a.device ?? null, devid, value: a.value ?? null };
}

export const faultHandlers: Handlers = {
  'fault.add': (host, a) => info(host, host.faults.add(faultSpec(host, a), a.forNs === undefined ? null : BigInt(a.forNs))),
  'fault.list': host => ({ faults: host.faults.list().map(f => info(host, f)) }),
  'fault.clear': (host, a) => {
    if ((a.id === undefined) === !a.all) refuse('fault clear takes a fault id or --all');
    const ids = a.all ? host.faults.list().map(f => f.id) : [a.id!];
    const cleared = ids.map(id => host.faults.remove(id) ?? refuse(`no fault ${id}`));
    return { cleared: cleared.map(f => info(host, f)) };
  },
};
