// `xl vcpu-list` (xl_vcpu.c print_vcpuinfo), pure.
import type { VcpuInfo } from '../../../protocol/domain.ts';
import { cpuSeconds, formatCpuBitmap, left, right } from '../printf.ts';

export const VCPU_LIST_HEADER =
  `${left('Name', 32)} ${right('ID', 5)} ${right('VCPU', 5)} ${right('CPU', 5)} ${right('State', 5)} ${right('Time(s)', 9)} Affinity (Hard / Soft)\n`;

/** One row; `nrCpus` is max_cpu_id + 1, the width of the affinity bitmaps. */
export function formatVcpuRow(v: VcpuInfo, nrCpus: number): string {
  let r = `${left(v.name, 32)} ${right(v.domid, 5)} ${right(v.vcpuid, 5)}`;
  if (v.online) r += `${right(v.cpu, 5)} ${right(v.running ? 'r' : '-', 3)}${v.blocked ? 'b' : '-'}- `;
  else r += `${right('-', 5)} ${right('-', 3)}-p `;
  r += `${cpuSeconds(v.cpuTimeNs, 9)}  `;
  return r + `${formatCpuBitmap(v.hard, nrCpus)} / ${formatCpuBitmap(v.soft, nrCpus)}\n`;
}
