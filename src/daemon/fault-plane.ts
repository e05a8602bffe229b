// The fault plane's wiring (a xenlab extension): the table of injected faults, and who suffers
// each kind. blkback and netback ask the table on every request; a guest's kernel is told to
// oops; the hypervisor's free memory is withheld for a memory pressure, and given back at its end.
import { FaultTable, type Fault } from '../machine/faults.ts';
import type { Clock } from '../machine/clock.ts';
import type { Hypervisor } from '../hypervisor/hypervisor.ts';
import type { BlkDataplane } from '../dom0/backends/blk-dataplane.ts';
import type { NetDataplane } from '../dom0/backends/net-dataplane.ts';
import type { Xenstored } from '../dom0/xenstored/index.ts';
import type { Timer } from '../machine/clock.ts';
import { crashService, restartService, type Dom0Service, type Dom0ServiceParts } from './dom0-services.ts';

export interface FaultVictims {
  hv: Hypervisor;
  blkData: BlkDataplane;
  netData: NetDataplane;
  xenstored: Xenstored;
  /** The guest kernel's oops (a domain without a running guest has nothing to crash); `inNetback`: in a driver domain's netback thread. */
  oops(domid: number, inNetback?: boolean): void;
  /** Dom0's services, for dom0-service-crash (the fault's device names the service). */
  dom0: Dom0ServiceParts;
}

export function faultPlane(clock: Clock, v: FaultVictims): FaultTable {
  const table = new FaultTable(clock);
  v.blkData.faults = table;
  v.netData.faults = table;
  /** Pages each memory pressure took (no more than were free when it began). */
  const withheld = new Map<number, number>();
  /** A slow xenstored client's requests are served every MS: each waits up to that long. */
  const batches = new Map<number, Timer>();
  const serveEvery = (f: Fault, ns: bigint): void => {
    batches.set(f.id, clock.after(ns, () => { v.xenstored.serveHeld(f.domid); serveEvery(f, ns); }));
  };
  table.onBegin = (f: Fault) => {
    if (f.kind === 'guest-crash') v.oops(f.domid);
    else if (f.kind === 'driver-domain-crash') v.oops(f.domid, true);
    else if (f.kind === 'dom0-service-crash') crashService(v.dom0, f.device as Dom0Service);
    else if (f.kind === 'memory-pressure') withheld.set(f.id, v.hv.withhold((f.value ?? 0) * 256));
    else if (f.kind === 'xenstored-stuck' || f.kind === 'xenstored-slow') {
      v.xenstored.hold(f.domid, true);
      if (f.kind === 'xenstored-slow') serveEvery(f, BigInt(Math.max(1, f.value ?? 0)) * 1_000_000n);
    }
  };
  table.onEnd = (f: Fault) => {
    if (f.kind === 'dom0-service-crash') void restartService(v.dom0, f.device as Dom0Service);
    else if (f.kind === 'memory-pressure') {
      v.hv.unwithhold(withheld.get(f.id) ?? 0);
      withheld.delete(f.id);
    } else if (f.kind === 'xenstored-stuck' || f.kind === 'xenstored-slow') {
      clock.cancel(batches.get(f.id));
      batches.delete(f.id);
      // Another stuck or slow fault on the domain holds it still.
      if (!table.list().some(g => g.domid === f.domid && (g.kind === 'xenstored-stuck' || g.kind === 'xenstored-slow'))) v.xenstored.hold(f.domid, false);
    }
  };
  return table;
}
