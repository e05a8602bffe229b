// xl sched-credit and xl sched-rtds: the credit (credit1) and RTDS parameters through the toolstack.
import type { Handlers } from './context.ts';

export const schedHandlers: Handlers = {
  'sched.credit.get': (host, a) => host.toolstack.creditParams({
    pool: a.pool, domid: a.dom !== undefined ? host.toolstack.existing(a.dom) : undefined,
  }),
  'sched.credit.set': (host, a) => {
    host.toolstack.setCreditDomain(host.toolstack.existing(a.dom), { weight: a.weight, cap: a.cap });
    return {};
  },
  'sched.credit.getPool': (host, a) => host.toolstack.creditPoolParams(a.pool),
  'sched.credit.setPool': (host, a) => {
    host.toolstack.setCreditPoolParams(a.pool, { tsliceMs: a.tsliceMs, ratelimitUs: a.ratelimitUs, migrDelayUs: a.migrDelayUs });
    return {};
  },
  'sched.rtds.get': (host, a) => {
    const domid = a.dom !== undefined ? host.toolstack.existing(a.dom) : undefined;
    return a.vcpus === undefined ? host.toolstack.rtdsDomains({ domid, pool: a.pool }) : host.toolstack.rtdsVcpus({ domid, pool: a.pool, vcpus: a.vcpus });
  },
  'sched.rtds.set': (host, a) => {
    host.toolstack.setRtdsVcpus(host.toolstack.existing(a.dom), a.vcpus, a.all);
    return {};
  },
};
