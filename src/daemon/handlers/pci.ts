// PCI requests: passthrough (xl pci-*), SR-IOV and the Dom0 views of the machine's buses.
// Each change to who has a device is recorded so it outlives the daemon.
import type { Handlers } from './context.ts';
import type { LibxlDevicePci } from '../../formats/pci-spec.ts';
import { pciAssignableAdd, pciAssignableList, pciAssignableRemove, pciAttach, pciDetach, pciList } from '../../dom0/toolstack/pci.ts';
import { parseSbdf, formatSbdf } from '../../machine/pci.ts';
import { formatLspci } from '../../machine/lspci.ts';
import { formatLsusb } from '../../machine/usb.ts';
import { ToolError } from '../../protocol/wire.ts';
import type { Host } from '../host.ts';

async function recorded<T>(host: Host, op: Promise<T>): Promise<T> {
  try { return await op; } finally { host.savePci(); }
}

const device = (d: Record<string, unknown>) => d as LibxlDevicePci;

export const pciHandlers: Handlers = {
  'pci.assignableAdd': (host, a) => recorded(host, pciAssignableAdd(host.toolstack, device(a.device), true)),
  'pci.assignableRemove': (host, a) => recorded(host, pciAssignableRemove(host.toolstack, a.ident, a.device && device(a.device), a.rebind)),
  'pci.assignableList': host => pciAssignableList(host.toolstack),
  'pci.attach': (host, a) => recorded(host, pciAttach(host.toolstack, host.toolstack.resolve(a.dom), device(a.device))),
  'pci.detach': (host, a) => recorded(host, pciDetach(host.toolstack, host.toolstack.resolve(a.dom), device(a.device), a.force)),
  'pci.list': (host, a) => pciList(host.toolstack, host.toolstack.resolve(a.dom)),
  'pci.sriov': (host, a) => {
    const at = parseSbdf(a.pf);
    const pf = at ? formatSbdf(at) : a.pf;
    const e = host.pciDrivers.setNumVfs(pf, a.numVfs, vf => host.hv.passthrough.ownerOf(vf) !== 0);
    if (e) throw new ToolError('EINVAL', `cannot write ${a.numVfs} to /sys/bus/pci/devices/${pf}/sriov_numvfs: ${e}`, 1);
    host.savePci();
    return {};
  },
  'host.lspci': (host, a) => ({
    text: formatLspci(host.machine.pci.functions().map(f => ({
      at: f, spec: f.spec, bars: f.bars, irq: f.physfn ? undefined : f.irq, iommuGroup: f.iommuGroup, driver: host.pciDrivers.driverOf(f.sbdf),
    })), a),
  }),
  'host.lsusb': host => ({ text: formatLsusb(host.machine.usb) }),
};
