// Domain lifecycle requests.
import type { Handlers } from './context.ts';

export const domainHandlers: Handlers = {
  'domain.list': (host, a) => host.toolstack.list(a.doms),

  'domain.resolve': (host, a) => {
    const domid = a.strict ? host.toolstack.existing(a.dom) : host.toolstack.resolve(a.dom);
    return { domid, name: host.toolstack.nameOf(domid) };
  },

  'domain.configs': (host, a) => host.toolstack.configs(a.doms),

  'domain.create': async (host, a) => {
    const rec = await host.toolstack.create(a);
    return { domid: rec.domid, name: rec.name };
  },

  'domain.destroy': async (host, a) => { await host.toolstack.destroy(host.toolstack.resolve(a.dom)); return {}; },

  'domain.shutdown': async (host, a) => {
    const domid = host.toolstack.existing(a.dom);
    await host.toolstack.requestShutdown(domid, a.action);
    return { domid };
  },

  'domain.sysrq': async (host, a) => { await host.toolstack.sysrq(host.toolstack.resolve(a.dom), a.key); return {}; },

  'domain.pause': (host, a) => { host.toolstack.pause(host.toolstack.resolve(a.dom)); return {}; },
  'domain.unpause': (host, a) => { host.toolstack.unpause(host.toolstack.resolve(a.dom)); return {}; },
  'domain.rename': async (host, a) => {
    const domid = host.toolstack.resolve(a.dom);
    await host.toolstack.rename(domid, a.dom, a.name, a.unpause ?? false);
    host.xenconsoled.rename(domid, a.name);
    return {};
  },
  'domain.memSet': async (host, a) => { await host.toolstack.memSet(host.toolstack.resolve(a.dom), a.targetKb); return {}; },
  'domain.memMax': async (host, a) => { await host.toolstack.memMax(host.toolstack.resolve(a.dom), a.maxKb); return {}; },
};
