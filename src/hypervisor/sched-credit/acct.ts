// csched_acct(): every time slice (30 ms) the pool's credit is shared among the active domains in
// proportion to weight × active vCPUs, bounded by each domain's cap, and each active vCPU's
// priority follows the sign of its credit. Integer arithmetic as credit.c does it.
import { CSCHED_PRI_TS_OVER, CSCHED_PRI_TS_UNDER } from './constants.ts';
import type { CDom, CVcpu } from './model.ts';

export interface AcctState {
  /** Sum of weight over active vCPUs. */
  weight: number;
  /** credits_per_tslice × pCPUs. */
  credit: number;
  creditBalance: number;
  creditsPerTslice: number;
  /** csched_private.active_sdom, in list order. */
  activeDoms: CDom[];
}

export interface AcctHooks {
  park(v: CVcpu): void;
  unpark(v: CVcpu): void;
  /** The vCPU has more credit than it can use: it leaves the active list. */
  stop(v: CVcpu): void;
}

const ceilDiv = (a: number, b: number): number => Math.floor((a + b - 1) / b);

export function account(prv: AcctState, hooks: AcctHooks): void {
  const weightTotal = prv.weight;
  let creditTotal = prv.credit;
  if (prv.creditBalance < 0) creditTotal -= prv.creditBalance;
  if (weightTotal === 0) { prv.creditBalance = 0; return; }
  let weightLeft = weightTotal;
  let creditBalance = 0;
  let creditXtra = false;
  for (const sdom of [...prv.activeDoms]) {
    const n = sdom.active.length;
    weightLeft -= sdom.weight * n;
    let creditPeak = n * prv.creditsPerTslice;
    if (prv.creditBalance < 0) creditPeak += ceilDiv(-prv.creditBalance * sdom.weight * n, weightTotal);
    let creditCap = 0;
    if (sdom.cap !== 0) {
      creditCap = ceilDiv(sdom.cap * prv.creditsPerTslice, 100);
      if (creditCap < creditPeak) creditPeak = creditCap;
      creditCap = ceilDiv(creditCap, n);
    }
    let creditFair = ceilDiv(creditTotal * sdom.weight * n, weightTotal);
    if (creditFair < creditPeak) creditXtra = true;
    else {
      // Give the others a chance at what this domain cannot use.
      if (weightLeft !== 0) creditTotal += ceilDiv((creditFair - creditPeak) * weightTotal, weightLeft);
      if (creditXtra) {
        // Domains with extra credit go to the head of the list.
        prv.activeDoms.splice(prv.activeDoms.indexOf(sdom), 1);
        prv.activeDoms.unshift(sdom);
      }
      creditFair = creditPeak;
    }
    creditFair = ceilDiv(creditFair, n);
    for (const svc of [...sdom.active]) {
      svc.credit += creditFair;
      let credit = Math.trunc(svc.credit);
      if (credit < 0) {
        svc.pri = CSCHED_PRI_TS_OVER;
        if (sdom.cap !== 0 && credit < -creditCap && !svc.parked) hooks.park(svc);
        if (credit < -prv.creditsPerTslice) svc.credit = credit = -prv.creditsPerTslice;
      } else {
        svc.pri = CSCHED_PRI_TS_UNDER;
        if (svc.parked) hooks.unpark(svc);
        if (credit > prv.creditsPerTslice) {
          hooks.stop(svc);
          // Halved, so that it starts a little ahead when it becomes active again.
          svc.credit = credit = Math.trunc(credit / 2);
        }
      }
      creditBalance += credit;
    }
  }
  prv.creditBalance = creditBalance;
}
