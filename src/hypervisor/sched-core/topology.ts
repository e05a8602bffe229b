// The sibling and core masks the schedulers' 'r' dumps print for a pCPU (cpu_sibling_mask and
// cpu_core_mask), from the machine's topology.
import type { CpuTopology } from '../../machine/host.ts';

/** Hyperthreads of the same core. */
export function siblings(t: readonly CpuTopology[], cpu: number): number[] {
  return t.flatMap((x, i) => (x.socket === t[cpu]!.socket && x.core === t[cpu]!.core ? [i] : []));
}

/** pCPUs of the same socket (cpu_core_mask). */
export function coreMates(t: readonly CpuTopology[], cpu: number): number[] {
  return t.flatMap((x, i) => (x.socket === t[cpu]!.socket ? [i] : []));
}
