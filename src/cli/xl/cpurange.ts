// parse_cpurange for xl's commands (vcpu-pin): the same parser as cpus= in xl.cfg, on the
// running host's topology; its error goes to stderr.
import type { XlIo } from './io.ts';
import { parseCpuRange as applyCpuRange } from '../../formats/domain-config/cpumap.ts';

export interface CpuTopology { nrCpus: number; nodeOfCpu: number[] }

/**
 * The set CPUs (bits below the bitmap size, nrCpus rounded up to a byte, as libxl allocates it),
 * or null after printing xl's error.
 */
export function parseCpuRange(io: XlIo, spec: string, topo: CpuTopology): Set<number> | null {
  const nodeCpus: number[][] = [];
  topo.nodeOfCpu.forEach((node, cpu) => (nodeCpus[node] ??= []).push(cpu));
  const map = new Set<number>();
  const error = applyCpuRange(spec, map, { nrCpus: topo.nrCpus, nodeCpus });
  if (error) { io.err(`${error}\n`); return null; }
  return map;
}
