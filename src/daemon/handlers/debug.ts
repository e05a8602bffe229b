// Debugging requests: xl trigger / button-press, and the libxc calls xenctx makes.
import type { Handlers } from './context.ts';
import { ToolError } from '../../protocol/wire.ts';
import { sendTrigger, TRIGGERS, type Trigger } from '../../dom0/toolstack/trigger.ts';
import { HypervisorError } from '../../hypervisor/errors.ts';
import type { Host } from '../host.ts';

const isTrigger = (t: string): t is Trigger => (TRIGGERS as readonly string[]).includes(t);

/** A libxc call on a domain that is not there fails as perror() prints it; the tool exits -1. */
function domain(host: Host, domid: number, call: string) {
  const d = host.hv.domains.get(domid);
  if (!d) throw new ToolError('ESRCH', `${call}: No such process`, 255);
  return d;
}

export const debugHandlers: Handlers = {
  'domain.trigger': (host, a) => {
    const trigger = a.trigger.toLowerCase();
    if (!isTrigger(trigger)) throw new ToolError('EINVAL', `Invalid trigger "${a.trigger}"`, 1);
    const log = sendTrigger(host.hv, host.toolstack.resolve(a.dom), trigger, a.vcpu);
    if (log) throw new ToolError('ETRIGGER', log, 0);
    return {};
  },

  'xc.pause': (host, a) => {
    domain(host, a.domid, a.unpause ? 'xc_domain_unpause' : 'xc_domain_pause');
    if (a.unpause) host.hv.unpause(a.domid); else host.hv.pause(a.domid);
    return {};
  },

  'xc.vcpuContext': (host, a) => {
    const d = domain(host, a.domid, 'xc_domain_getinfo');
    const ids = a.vcpu === undefined ? Array.from({ length: d.maxVcpus }, (_, v) => v) : [a.vcpu];
    const vcpus = ids.map(v => {
      try { return { vcpu: v, online: v < d.onlineVcpus, context: host.hv.vcpuContext(a.domid, v).toString('hex') }; } catch (e) {
        if (e instanceof HypervisorError) throw new ToolError(e.errno, `xc_vcpu_getcontext: ${e.message}`, 0);
        throw e;
      }
    });
    return { hvm: d.type !== 'pv', guestWidth: 8, vcpus };
  },

  'xc.guestPage': (host, a) => {
    domain(host, a.domid, 'xc_translate_foreign_address');
    return { data: host.hv.guestKernelPage(a.domid, BigInt(a.addr))?.toString('hex') ?? null };
  },
};
