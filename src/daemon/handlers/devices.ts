// Device hot-plug requests: network-attach/-detach/-list, block-attach/-detach/-list, and xl devd in Dom0.
import type { Handlers } from './context.ts';

export const deviceHandlers: Handlers = {
  'device.list': (host, a) => host.toolstack.deviceInfo(host.toolstack.resolve(a.dom), a.kind),
  'device.attach': async (host, a) => {
    const domid = host.toolstack.resolve(a.dom);
    if (a.kind === 'vif') await host.toolstack.attachNic(domid, a.device);
    else await host.toolstack.attachDisk(domid, a.device, a.cwd);
    return {};
  },
  'device.detach': async (host, a) => {
    const domid = host.toolstack.resolve(a.dom);
    if (a.kind === 'vif') await host.toolstack.detachNic(domid, a.id);
    else await host.toolstack.detachDisk(domid, a.id);
    return {};
  },
  'devd.start': async host => { await host.driverDomains.startDom0Devd(); return { pid: process.pid }; },
  'devd.stop': host => { host.driverDomains.stopDom0Devd(); return {}; },
};
