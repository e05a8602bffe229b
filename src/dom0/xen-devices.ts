// What a Dom0 service opens /dev/xen/gntdev and /dev/xen/evtchn for: it maps guests' grants
// and binds their event channels through the hypervisor, and remembers what it holds per
// guest so that letting a guest go (or closing the devices) unmaps and unbinds all of it.
import type { Hypervisor } from '../hypervisor/hypervisor.ts';
import { GNTMAP_host_map, GNTMAP_readonly, GNTST_bad_page, GNTST_okay, grantStatusMessage } from '../hypervisor/grant-table.ts';
import type { LinuxIrqs } from '../formats/linux-irqs.ts';

/** Where the ports a service binds show in Dom0's /proc/interrupts: its IRQ table, and the chip and name its IRQs get unless told. */
export interface IrqNaming { table: LinuxIrqs; chip: string; name: string }

export class GrantMapError extends Error {
  constructor(readonly status: number, domid: number, ref: number) {
    super(`mapping grant ${ref} of d${domid} failed: ${grantStatusMessage(status)}`);
  }
}

export class XenDevices {
  private readonly handles = new Map<number, Set<number>>();
  private readonly ports = new Map<number, Set<number>>();

  /** Dom0 is the caller of every operation. */
  constructor(private readonly hv: Hypervisor, private readonly self = 0, private readonly irqs?: IrqNaming) {}

  /** IOCTL_GNTDEV_MAP_GRANT_REF: the handle of the mapping. */
  mapGrant(domid: number, ref: number, readonly = false): number {
    const r = this.hv.gnttab.map(this.self, { dom: domid, ref, flags: GNTMAP_host_map | (readonly ? GNTMAP_readonly : 0) });
    if (r.status !== GNTST_okay) throw new GrantMapError(r.status, domid, ref);
    this.held(this.handles, domid).add(r.handle);
    return r.handle;
  }

  /** mmap of a mapped grant: the live bytes of the granted frame. */
  mapPage(domid: number, ref: number): Buffer {
    const handle = this.mapGrant(domid, ref);
    const d = this.hv.get(domid);
    const page = d.sharedFrame(d.grantTable.entry(ref).frame);
    if (!page) { this.unmapGrant(domid, handle); throw new GrantMapError(GNTST_bad_page, domid, ref); }
    return page;
  }

  unmapGrant(domid: number, handle: number): void {
    if (this.handles.get(domid)?.delete(handle)) this.hv.gnttab.unmap(this.self, handle);
  }

  /** IOCTL_EVTCHN_BIND_INTERDOMAIN, with the handler that runs when the guest notifies (`irq`: a kernel driver's IRQ name for it). */
  bindInterdomain(domid: number, remotePort: number, handler: () => void = () => {}, irq?: { chip: string; name: string }): number {
    const port = this.hv.evtchn.bindInterdomain(this.self, domid, remotePort);
    this.hv.evtchn.setHandler(this.self, port, handler);
    this.held(this.ports, domid).add(port);
    if (this.irqs) this.irqs.table.bind(port, irq?.chip ?? this.irqs.chip, 'event', irq?.name ?? this.irqs.name);
    return port;
  }

  /** IOCTL_EVTCHN_NOTIFY on a port this device bound. */
  notify(port: number): void { this.hv.evtchn.send(this.self, port); }

  unbind(domid: number, port: number): void {
    if (this.ports.get(domid)?.delete(port)) this.close(port);
  }

  /** Everything held of one guest goes. */
  release(domid: number): void {
    for (const h of this.handles.get(domid) ?? []) this.hv.gnttab.unmap(this.self, h);
    for (const p of this.ports.get(domid) ?? []) this.close(p);
    this.handles.delete(domid);
    this.ports.delete(domid);
  }

  private close(port: number): void {
    this.hv.evtchn.close(this.self, port);
    this.irqs?.table.unbind(port);
  }

  private held(m: Map<number, Set<number>>, domid: number): Set<number> {
    let s = m.get(domid);
    if (!s) m.set(domid, s = new Set());
    return s;
  }
}
