// The fault plane's wiring (a xenlab extension): the table of injected faults, and who suffers
// each kind. blkback and netback ask the table on every request; a guest's kernel is told to
// oops; the hypervisor's free memory is withheld for a memory pressure, and given back at its end.
import { FaultTable, type Fault } from '../machine/faults.ts';
import type { Clock } from '../machine/clock.ts';
import type { Hypervisor } from '../hypervisor/hypervisor.ts';
import type { BlkDataplane } from '../dom0/backends/blk-dataplane.ts';
import type { NetDataplane } from '../dom0/backends/net-dataplane.ts';

export interface FaultVictims {
  hv: Hypervisor;
  blkData: BlkDataplane;
  netData: NetDataplane;
  /** The guest kernel's oops (a domain without a running guest has nothing to crash). */
  oops(domid: number): void;
}

export function faultPlane(clock: Clock, v: FaultVictims): FaultTable {
  const table = new FaultTable(clock);
  v.blkData.faults = table;
  v.netData.faults = table;
  /** Pages each memory pressure took (no more than were free when it began). */
  const withheld = new Map<number, number>();
  table.onBegin = (f: Fault) => {
    if (f.kind === 'guest-crash') v.oops(f.domid);
    else if (f.kind === 'memory-pressure') withheld.set(f.id, v.hv.withhold((f.value ?? 0) * 256));
  };
  table.onEnd = (f: Fault) => {
    if (f.kind !== 'memory-pressure') return;
    v.hv.unwithhold(withheld.get(f.id) ?? 0);
    withheld.delete(f.id);
  };
  return table;
}
