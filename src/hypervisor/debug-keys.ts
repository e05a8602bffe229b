// The dumps behind `xl debug-keys g` and `e`, line for line in Xen 4.17's formats: grant table
// usage per domain (gnttab_usage_print_all) and event channels per domain (dump_evtchn_info).
import type { Hypervisor } from './hypervisor.ts';
import { BITS_PER_EVTCHN_WORD, ECS_INTERDOMAIN, ECS_PIRQ, ECS_UNBOUND, ECS_VIRQ, type Evtchn } from './event-channel.ts';

const hex = (n: number, w: number): string => n.toString(16).padStart(w, '0');
const right = (v: number | string, w: number): string => String(v).padStart(w);

/** 'g': for every domain, its grant table's size and each entry some domain has mapped. */
export function grantTableUsage(hv: Hypervisor): string[] {
  const out = ["gnttab_usage_print_all [ key 'g' pressed"];
  for (const gt of hv.grantTables().sort((a, b) => a.domid - b.domid)) {
    out.push('      -------- active --------       -------- shared --------');
    out.push('[ref] localdom mfn      pin          localdom gmfn     flags');
    out.push(`grant-table for remote d${gt.domid} (v1)`);
    out.push(`  ${gt.nrFrames} frames (${gt.maxGrantFrames} max), ${gt.nrMaptrackFrames} maptrack frames (${gt.maxMaptrackFrames} max)`);
    const refs = gt.pinnedRefs();
    for (const ref of refs) {
      const act = gt.activeEntry(ref)!, sha = gt.entry(ref);
      out.push(`[0x${hex(ref, 3)}]  ${right(act.domid, 5)} 0x${hex(act.mfn, 5)} 0x${hex(act.pin, 8)}      ${right(sha.domid, 5)} 0x${hex(sha.frame, 6)} 0x${hex(sha.flags, 2)}`);
    }
    if (!refs.length) out.push('no active grant table entries');
  }
  out.push('gnttab_usage_print_all ] done');
  return out;
}

/** 'e': every domain's ports that are not free, with their pending, mask and selector bits. */
export function eventChannelInfo(hv: Hypervisor): string[] {
  const out = ["'e' pressed -> dumping event-channel info"];
  for (const d of [...hv.domains.values()].sort((a, b) => a.domid - b.domid)) {
    out.push(`Event channel information for domain ${d.domid}:`, 'Polling vCPUs: {}', '    port [p/m/s]');
    const t = d.evtchn;
    for (const port of t.livePorts()) {
      const chn = t.ports[port]!;
      const sel = t.pendingSel[chn.notifyVcpu]?.has(Math.floor(port / BITS_PER_EVTCHN_WORD)) ? 1 : 0;
      out.push(`    ${right(port, 4)} [${+chn.pending}/${+chn.masked}/${sel}]: s=${chn.state} n=${chn.notifyVcpu} x=0${detail(chn)}`);
    }
  }
  return out;
}

function detail(chn: Evtchn): string {
  switch (chn.state) {
    case ECS_UNBOUND: return ` d=${chn.remoteDomid}`;
    case ECS_INTERDOMAIN: return ` d=${chn.remoteDomid} p=${chn.remotePort}`;
    case ECS_PIRQ: return ` p=${chn.pirq} i=${chn.pirq}`;
    case ECS_VIRQ: return ` v=${chn.virq}`;
    default: return '';
  }
}
