// 'q' (keyhandler.c's dump_domains): every domain's counters, rangesets, pages and node
// affinity, then each vCPU's placement and state, then VIRQ_DEBUG sent to every vCPU, as
// Xen 4.17 prints them.
import type { Hypervisor } from '../hypervisor.ts';
import type { Domain } from '../domain.ts';
import { VIRQ_DEBUG } from '../event-channel.ts';
import { hex, maskList } from './printk-formats.ts';

/** _VPF_blocked and _VPF_down (sched.h): an idle vCPU is blocked, an offline one down. */
const VPF_blocked = 1, VPF_down = 2;
/** domain->refcnt of a live domain with nothing else holding it (domlist, the scheduler, the domain itself). */
const BASE_REFCNT = 3;
/** Xen heap pages a domain owns: its shared_info page. */
const XENHEAP_PAGES = 1;

export function dumpDomains(hv: Hypervisor, key: string): string[] {
  const out = [`'${key}' pressed -> dumping domain info (now = ${hv.clock.now()})`];
  const doms = [...hv.domains.values()].sort((a, b) => a.domid - b.domid);
  for (const d of doms) out.push(...domainInfo(hv, d));
  for (const d of doms) {
    for (let v = 0; v < d.maxVcpus; v++) {
      out.push(`Notifying guest ${d.domid}:${v} (virq ${VIRQ_DEBUG}, port ${d.evtchn.virqToPort(VIRQ_DEBUG, v) ?? 0})`);
      hv.evtchn.sendVirq(VIRQ_DEBUG, d.domid, v);
    }
  }
  out.push('Shared frames 0 -- Saved frames 0');
  return out;
}

function domainInfo(hv: Hypervisor, d: Domain): string[] {
  const running = Array.from({ length: d.maxVcpus }, (_, v) => hv.sched.vcpu(d.domid, v));
  const dirty = running.filter(s => s.state === 'running').map(s => s.pcpu);
  const translated = d.type !== 'pv';
  const out = [
    `General information for domain ${d.domid}:`,
    `    refcnt=${BASE_REFCNT} dying=${d.dying ? 1 : 0} pause_count=${d.pauseCount}`,
    `    nr_pages=${d.totPages} xenheap_pages=${XENHEAP_PAGES} dirty_cpus={${maskList(dirty)}} max_pages=${d.maxPages < 0 ? 0xffffffff : d.maxPages}`,
    `    handle=${d.uuid} vm_assist=${hex(translated ? 0 : 0xd, 8)}`,
  ];
  if (translated) out.push('    paging assistance: hap refcounts translate external ');
  out.push(`Rangesets belonging to domain ${d.domid}:`, ...rangesets(d));
  out.push(`Memory pages belonging to domain ${d.domid}:`);
  out.push(d.totPages >= 10 ? '    DomPage list too long to display' : '');
  if (translated) out.push('    PoD entries=0 cachesize=0');
  // The shared_info page is the Xen heap page every domain has.
  out.push(`    XenPage ${hex(0x80000 + d.domid * 2, 16)}: caf=c000000000000001, taf=7400000000000001`);
  const nodes = new Set(hv.poolCpus(d.poolId).map(c => hv.machine.topology[c]?.node ?? 0));
  out.push(`NODE affinity for domain ${d.domid}: [${maskList(nodes)}]`);
  out.push(`VCPU information and callbacks for domain ${d.domid}:`);
  running.forEach((s, v) => {
    const flags = !s.online ? VPF_down : s.state === 'blocked' ? VPF_blocked : 0;
    const sel = d.evtchn.pendingSel[v]?.size ? 1 : 0;
    out.push(`  UNIT${v} affinities: hard={${maskList(s.hard)}} soft={${maskList(s.soft)}}`);
    out.push(`    VCPU${v}: CPU${s.pcpu} [has=${s.state === 'running' ? 'T' : 'F'}] poll=0 upcall_pend=${hex(sel, 2)} upcall_mask=00 ${s.state === 'running' ? `dirty_cpu=${s.pcpu}` : ''}`);
    // domain_shutdown pauses each vCPU once.
    out.push(`    pause_count=${d.shutdown ? 1 : 0} pause_flags=${flags.toString(16)}`);
    if (translated) out.push('    paging assistance: hap, 4 levels');
    out.push('No periodic timer');
  });
  return out.filter(l => l !== '');
}


/** Rangesets in the order domain_create made them, newest first (list_add puts each at the head). */
function rangesets(d: Domain): string[] {
  const pad = (name: string): string => name.padEnd(10);
  const hw = d.domid === 0;
  return [
    `    ${pad('I/O Ports')} {${hw ? ' 0-1f, 22-3f, 44-60, 62-9f, a2-3f7, 400-807, 80c-cfb, d00-ffff' : ''} }`,
    `    ${pad('Interrupts')} {${hw ? ' 1-71' : ''} }`,
    `    ${pad('I/O Memory')} {${hw ? ' 0-fedff, fef00-ffffffffffffff' : ''} }`,
  ];
}
