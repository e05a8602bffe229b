// vCPU and scheduler requests: vcpu-list, vcpu-pin, vcpu-set, sched-credit2, cpupool-list.
import type { Handlers } from './context.ts';

export const vcpuHandlers: Handlers = {
  'vcpu.list': (host, a) => host.toolstack.vcpuList(a.doms),

  'vcpu.pin': (host, a) => { host.toolstack.vcpuPin(host.toolstack.existing(a.dom), a.vcpu, a.hard, a.soft); return {}; },

  'vcpu.set': async (host, a) => { await host.toolstack.vcpuSet(host.toolstack.resolve(a.dom), a.count); return {}; },

  'sched.credit2.get': (host, a) => host.toolstack.credit2Params({
    pool: a.pool, domid: a.dom !== undefined ? host.toolstack.existing(a.dom) : undefined,
  }),

  'sched.credit2.set': (host, a) => {
    host.toolstack.setCredit2Domain(host.toolstack.existing(a.dom), { weight: a.weight, cap: a.cap });
    return {};
  },

  'sched.credit2.setPool': (host, a) => { host.toolstack.setCredit2Ratelimit(a.pool, a.ratelimitUs); return {}; },

  'cpupool.list': (host, a) => host.toolstack.cpupoolList(a.pool),
};
