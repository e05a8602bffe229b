// vCPU and scheduler requests: vcpu-list, vcpu-pin, vcpu-set, sched-credit2, the cpupool-* commands.
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
  'cpupool.free': host => ({ cpus: host.hv.sched.freeCpus() }),
  'cpupool.create': async (host, a) => ({ poolid: await host.toolstack.cpupoolCreate(a.name, a.sched, a.cpus) }),
  'cpupool.destroy': async (host, a) => { await host.toolstack.cpupoolDestroy(a.pool); return {}; },
  'cpupool.rename': async (host, a) => { await host.toolstack.cpupoolRename(a.pool, a.name); return {}; },
  'cpupool.cpuAdd': (host, a) => { host.toolstack.cpupoolCpuAdd(a.pool, a.cpus); return {}; },
  'cpupool.cpuRemove': (host, a) => { host.toolstack.cpupoolCpuRemove(a.pool, a.cpus); return {}; },
  'cpupool.migrate': (host, a) => { host.toolstack.cpupoolMigrate(a.dom, a.pool); return {}; },
  'cpupool.numaSplit': async host => { await host.toolstack.cpupoolNumaSplit(); return {}; },
};
