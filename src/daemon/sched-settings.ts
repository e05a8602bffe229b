// The credit and RTDS parameters an administrator set in the running Xen, which outlive the
// toolstack on a real host: each credit pool's time slice, ratelimit and migration delay (host
// settings), and each RTDS domain's per-vCPU period, budget and extratime (in its state).
import type { Hypervisor } from '../hypervisor/hypervisor.ts';
import { Credit, type CreditParams } from '../hypervisor/sched-credit/credit.ts';
import { Rtds, type RtdsVcpuParams } from '../hypervisor/sched-rtds/rtds.ts';
import type { Store } from './store.ts';

const creditKey = (poolId: number) => `credit_${poolId}`;

export function commitCreditPools(hv: Hypervisor, store: Store): void {
  for (const p of hv.pools) if (p.sched instanceof Credit) store.setHost(creditKey(p.id), JSON.stringify(p.sched.getParams()));
}

/** A destroyed pool's settings go with it: a new pool that gets its id starts from the defaults. */
export function forgetCreditPool(store: Store, poolId: number): void { store.deleteHost(creditKey(poolId)); }

export function restoreCreditPools(hv: Hypervisor, store: Store): void {
  for (const p of hv.pools) {
    const saved: CreditParams | null = JSON.parse(store.getHost(creditKey(p.id)) ?? 'null');
    if (saved && p.sched instanceof Credit) p.sched.setParams(saved);
  }
}

/** The domain's vCPUs' RTDS parameters, when its pool runs RTDS. */
export function rtdsState(hv: Hypervisor, domid: number): RtdsVcpuParams[] | undefined {
  const s = hv.sched.poolOf(domid).sched;
  if (!(s instanceof Rtds)) return undefined;
  return Array.from({ length: hv.get(domid).maxVcpus }, (_, v) => s.getVcpuParams(domid, v));
}

export function restoreRtds(hv: Hypervisor, domid: number, params: RtdsVcpuParams[] | undefined): void {
  const s = hv.sched.poolOf(domid).sched;
  if (params && s instanceof Rtds) params.forEach((p, v) => s.setVcpuParams(domid, v, p));
}
