// 'g' (grant_table.c's gnttab_usage_print_all): for every domain, its grant table's size and
// each entry some domain has mapped, in Xen 4.17's format.
import type { Hypervisor } from '../hypervisor.ts';
import { hex, right } from './printk-formats.ts';

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
