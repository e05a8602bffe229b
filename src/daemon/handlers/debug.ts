// Debugging requests: xl trigger / button-press and xenctx's view of a guest's vCPUs.
import type { Handler } from './context.ts';
import { ToolError } from '../../protocol/wire.ts';
import { sendTrigger, TRIGGERS, type Trigger } from '../../dom0/toolstack/trigger.ts';
import { HypervisorError } from '../../hypervisor/errors.ts';

const isTrigger = (t: string): t is Trigger => (TRIGGERS as readonly string[]).includes(t);

export const debugHandlers: Record<string, Handler> = {
  'domain.trigger': (host, a: { dom: string; trigger: string; vcpu: number }) => {
    const trigger = a.trigger.toLowerCase();
    if (!isTrigger(trigger)) throw new ToolError('EINVAL', `Invalid trigger "${a.trigger}"`, 1);
    const log = sendTrigger(host.hv, host.toolstack.resolve(a.dom), trigger, a.vcpu);
    if (log) throw new ToolError('ETRIGGER', log, 0);
    return {};
  },

  // xc_domain_pause, xc_vcpu_getcontext per vCPU, xc_domain_unpause, with perror()'s texts.
  'domain.vcpuContext': (host, a: { domid: number; vcpu?: number }) => {
    const hv = host.hv;
    const d = hv.domains.get(a.domid);
    if (!d) throw new ToolError('ESRCH', 'xc_domain_pause: No such process', 255);
    hv.pause(a.domid);
    try {
      const ids = a.vcpu === undefined ? Array.from({ length: d.maxVcpus }, (_, v) => v) : [a.vcpu];
      const vcpus = ids.map(v => {
        try { return { vcpu: v, online: v < d.onlineVcpus, context: hv.vcpuContext(a.domid, v).toString('hex') }; } catch (e) {
          if (e instanceof HypervisorError) throw new ToolError(e.errno, `xc_vcpu_getcontext: ${e.message}`, 0);
          throw e;
        }
      });
      return { hvm: d.type !== 'pv', guestWidth: 8, vcpus };
    } finally { hv.unpause(a.domid); }
  },
};
