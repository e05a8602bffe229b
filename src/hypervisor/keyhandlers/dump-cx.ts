// 'c' (cpu_idle.c's dump_cx): each pCPU's ACPI C-states as the idle driver counts them — entries
// and residency per state, C0 as the uptime less the idle residencies, '*' on the state the pCPU
// is in — then the package and core residency counters, which the model does not keep (zeros).
// CPU pools have no key of their own in Xen 4.17: they are printed under 'r'.
import type { Hypervisor } from '../hypervisor.ts';
import { CSTATES, CX_UNLIMITED } from '../pm/cpu-power.ts';

/** ACPI_CSTATE_EM_FFH: an Intel CPU enters every C-state with MWAIT. */
const METHOD = 'FFH';

export function dumpCx(hv: Hypervisor, key: string): string[] {
  const out = [`'${key}' pressed -> printing ACPI Cx structures`];
  const { cstate, csubstate } = hv.pm.maxCstateLimit();
  if (cstate === CX_UNLIMITED) out.push('max state: unlimited');
  else out.push(`max state: C${cstate}`, csubstate === CX_UNLIMITED ? 'max sub-state: unlimited' : `max sub-state: ${csubstate}`);
  const now = hv.clock.now();
  for (let cpu = 0; cpu < hv.pm.nrPcpus; cpu++) {
    const s = hv.pm.cxStat(cpu, now);
    out.push(`==cpu${cpu}==`);
    for (let i = 1; i < s.nr; i++) {
      const c = CSTATES[i - 1]!;
      out.push(`   ${s.last === i ? '*' : ' '}C${i}:\ttype[C${c.type}] latency[${String(c.latencyUs).padStart(3)}] usage[${String(s.triggers[i]).padStart(8)}] method[${METHOD.padStart(5)}] duration[${Math.round(s.residenciesNs[i]!)}]`);
    }
    out.push(`   ${s.last === 0 ? '*' : ' '}C0:\tusage[${String(s.triggers[0]).padStart(8)}] duration[${Math.round(s.residenciesNs[0]!)}]`);
    out.push('PC2[0] PC3[0] PC6[0] PC7[0]', 'CC3[0] CC6[0] CC7[0]');
  }
  return out;
}
