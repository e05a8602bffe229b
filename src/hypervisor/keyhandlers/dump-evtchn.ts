// 'e' (event_channel.c's dump_evtchn_info): every domain's ports that are not free, with their
// pending, mask and selector bits and what each is bound to, in Xen 4.17's format.
import type { Hypervisor } from '../hypervisor.ts';
import { right } from './printk-formats.ts';
import { BITS_PER_EVTCHN_WORD, ECS_INTERDOMAIN, ECS_PIRQ, ECS_UNBOUND, ECS_VIRQ, type Evtchn } from '../event-channel.ts';

/** 'e': every domain's ports that are not free, with their pending, mask and selector bits. */
export function eventChannelInfo(hv: Hypervisor): string[] {
  const out = ["'e' pressed -> dumping event-channel info"];
  for (const d of [...hv.domains.values()].sort((a, b) => a.domid - b.domid)) {
    out.push(`Event channel information for domain ${d.domid}:`, 'Polling vCPUs: {}', '    port [p/m/s]');
    const t = d.evtchn;
    for (const port of t.livePorts()) {
      const chn = t.ports[port]!;
      const sel = t.pendingSel[chn.notifyVcpu]?.has(Math.floor(port / BITS_PER_EVTCHN_WORD)) ? 1 : 0;
      out.push(`    ${right(port, 4)} [${+chn.pending}/${+chn.masked}/${sel}]: s=${chn.state} n=${chn.notifyVcpu} x=0${detail(chn, chn.state === ECS_PIRQ ? hv.irqs.pirqToIrq(d.domid, chn.pirq) ?? 0 : 0)}`);
    }
  }
  return out;
}

/** `irq`: domain_pirq_to_irq for a pirq port. */
function detail(chn: Evtchn, irq: number): string {
  switch (chn.state) {
    case ECS_UNBOUND: return ` d=${chn.remoteDomid}`;
    case ECS_INTERDOMAIN: return ` d=${chn.remoteDomid} p=${chn.remotePort}`;
    case ECS_PIRQ: return ` p=${chn.pirq} i=${irq}`;
    case ECS_VIRQ: return ` v=${chn.virq}`;
    default: return '';
  }
}
