// A hypervisor with Dom0 and one guest (d1, 64 MiB populated) and the guest kernel's side of its
// grant table: what tests of the backends' grant operations run on.
import { Machine, DEFAULT_MACHINE } from '../../src/machine/host.ts';
import { Clock } from '../../src/machine/clock.ts';
import { Hypervisor } from '../../src/hypervisor/hypervisor.ts';
import { GuestGnttab } from '../../src/guest/gnttab.ts';

export function dom0AndGuest(): { hv: Hypervisor; gnttab: GuestGnttab } {
  const hv = new Hypervisor(new Machine(DEFAULT_MACHINE), new Clock('virtual', 0));
  const spec = (uuid: string, memkb: number) => ({ type: 'pv' as const, uuid, maxVcpus: 1, onlineVcpus: 1, maxMemkb: memkb, memkb, weight: 256, cap: 0, poolId: 0, affinity: [{ hard: null, soft: null }] });
  hv.createDomain(spec('00000000-0000-0000-0000-000000000000', -1), 0);
  hv.allocate(hv.createDomain(spec('11111111-1111-1111-1111-111111111111', 65536), 1), 16384);
  return { hv, gnttab: new GuestGnttab(hv.get(1).grantTable) };
}
