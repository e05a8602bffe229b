// Xen's ownership of PCI devices (drivers/passthrough/pci.c, vtd/iommu.c): each function belongs
// to the hardware domain, to dom_io (quarantined: assignable, DMA into a sink) or to one guest,
// and moves by XEN_DOMCTL_assign_device / deassign_device with Xen's checks — a device another
// guest has is busy, and a device sharing an RMRR with others may not go to a guest alone unless
// the toolstack relaxes the reserved-region policy. A dying guest's devices go back to dom_io.
import type { ConsoleRing } from './console-ring.ts';
import { XENLOG } from './console-ring.ts';
import type { PciBus } from '../machine/pci.ts';

export const DOMID_IO = 0x7ff1;

/** Errno names of the domctls' failures, as libxc hands them to the toolstack. */
export type AssignErrno = 'ENODEV' | 'EBUSY' | 'EPERM' | 'EINVAL';

const ERRNO_VALUE: Record<AssignErrno, number> = { EPERM: 1, ENODEV: 19, EBUSY: 16, EINVAL: 22 };

export class Passthrough {
  /** Owner of each function not with the hardware domain. */
  private readonly owners = new Map<string, number>();

  constructor(private readonly bus: PciBus, private readonly console: ConsoleRing) {}

  ownerOf(sbdf: string): number { return this.owners.get(sbdf) ?? 0; }

  /** Functions a domain has, in bus order. */
  ownedBy(domid: number): string[] { return this.bus.functions().filter(f => this.ownerOf(f.sbdf) === domid).map(f => f.sbdf); }

  /** device_assigned: the device exists and the hardware domain or dom_io has it. */
  private assigned(sbdf: string): AssignErrno | null {
    if (!this.bus.get(sbdf)) return 'ENODEV';
    const o = this.ownerOf(sbdf);
    return o !== 0 && o !== DOMID_IO ? 'EBUSY' : null;
  }

  /** XEN_DOMCTL_test_assign_device. */
  testAssign(sbdf: string): AssignErrno | null {
    if (!this.assigned(sbdf)) return null;
    this.console.xen(`${sbdf} already assigned, or non-existent`, XENLOG.info);
    return 'EINVAL';
  }

  /** XEN_DOMCTL_assign_device; `relaxed`: XEN_DOMCTL_DEV_RDM_RELAXED. */
  assign(domid: number, sbdf: string, relaxed: boolean): AssignErrno | null {
    const busy = this.assigned(sbdf);
    if (busy) return busy;
    const f = this.bus.get(sbdf)!;
    if (f.rmrr !== undefined && this.bus.groupPeers(f).some(g => g.rmrr === f.rmrr)) {
      const d = domid === DOMID_IO ? 'd[IO]' : `d${domid}`;
      this.console.xen(`[VT-D] It's ${relaxed ? 'risky' : 'disallowed'} to assign ${sbdf} with shared RMRR at ${f.rmrr.toString(16)} for ${d}.`, relaxed ? XENLOG.warning : XENLOG.err);
      if (!relaxed) {
        this.console.xen(`${d}: assign (${sbdf}) failed (-${ERRNO_VALUE.EPERM})`, XENLOG.warning);
        return 'EPERM';
      }
    }
    if (domid === 0) this.owners.delete(sbdf); else this.owners.set(sbdf, domid);
    return null;
  }

  /** XEN_DOMCTL_deassign_device: from a guest back to quarantine, from dom_io back to the hardware domain. */
  deassign(domid: number, sbdf: string): AssignErrno | null {
    if (!this.bus.get(sbdf)) return 'ENODEV';
    if (this.ownerOf(sbdf) !== domid) return 'EINVAL';
    if (domid === DOMID_IO) this.owners.delete(sbdf); else this.owners.set(sbdf, DOMID_IO);
    return null;
  }

  /** pci_release_devices: a destroyed domain's devices return to quarantine. */
  releaseDomain(domid: number): void {
    for (const sbdf of this.ownedBy(domid)) this.owners.set(sbdf, DOMID_IO);
  }

  /** Ownership as recorded across a daemon restart: every function not with the hardware domain. */
  snapshot(): Record<string, number> { return Object.fromEntries(this.owners); }
  restore(owners: Record<string, number>): void { for (const [s, d] of Object.entries(owners)) this.owners.set(s, d); }
}
