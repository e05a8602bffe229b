// Dom0's kernel's PCI drivers as sysfs shows them (/sys/bus/pci/devices/<sbdf>/driver): each
// function bound to its driver at boot (ixgbe, nvme, i915 ...) or to none, and what the
// toolstack does there — unbind from a driver, bind to pciback (xen-pciback's slots), bind back.
// Enabling SR-IOV (sriov_numvfs) creates VFs, which their VF driver (ixgbevf, iavf) takes at
// once; a PF whose VFs exist cannot drop them while any is away from its driver.
import type { PciBus } from '../machine/pci.ts';

export const PCIBACK = 'pciback';
export const DRIVERS_DIR = '/sys/bus/pci/drivers';

export interface PciDriversState { bound: Record<string, string | null>; numVfs: Record<string, number> }

export class PciDrivers {
  /** The driver of each function whose binding changed since boot (null: none). */
  private readonly bound = new Map<string, string | null>();

  constructor(private readonly bus: PciBus) {}

  exists(sbdf: string): boolean { return !!this.bus.get(sbdf); }

  driverOf(sbdf: string): string | null {
    return this.bound.has(sbdf) ? this.bound.get(sbdf)! : this.bus.get(sbdf)?.spec.driver ?? null;
  }

  /** Write the device to its driver's unbind; the driver's directory it had (libxl's driver_path), if any. */
  unbind(sbdf: string): string | null {
    const d = this.driverOf(sbdf);
    this.bound.set(sbdf, null);
    return d ? `${DRIVERS_DIR}/${d}` : null;
  }

  /** Write the device to `<driver path>/bind`. */
  bind(sbdf: string, driverPath: string): void { this.bound.set(sbdf, driverPath.slice(DRIVERS_DIR.length + 1)); }

  /** The functions pciback holds (its directory's BDF entries). */
  pcibackDevices(): string[] { return this.bus.functions().map(f => f.sbdf).filter(s => this.driverOf(s) === PCIBACK); }

  /**
   * sriov_numvfs: the kernel's errno name, or null. VFs bound to pciback or given away keep
   * the PF busy (`inUse`).
   */
  setNumVfs(pf: string, n: number, inUse: (vf: string) => boolean): string | null {
    const vfs = this.bus.vfsOf(pf);
    if (n === 0 && vfs.some(v => inUse(v.sbdf) || this.driverOf(v.sbdf) === PCIBACK)) return 'Device or resource busy';
    const e = this.bus.setNumVfs(pf, n);
    if (!e && n === 0) for (const v of vfs) this.bound.delete(v.sbdf);
    return e;
  }

  snapshot(): PciDriversState {
    return {
      bound: Object.fromEntries(this.bound),
      numVfs: Object.fromEntries(this.bus.functions().filter(f => f.numVfs).map(f => [f.sbdf, f.numVfs])),
    };
  }

  /** After a daemon restart: the VFs first (they are bound too), then the bindings. */
  restore(s: PciDriversState): void {
    for (const [pf, n] of Object.entries(s.numVfs)) if (!this.bus.get(pf)?.numVfs) this.bus.setNumVfs(pf, n);
    for (const [sbdf, d] of Object.entries(s.bound)) if (this.bus.get(sbdf)) this.bound.set(sbdf, d);
  }
}
