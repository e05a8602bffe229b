// The host's physical interrupts as Xen holds them (irq_desc): the IO-APIC's legacy IRQs, the
// IOMMU's fault interrupt, and the MSI-X interrupts of the NIC and the NVMe disk. Xen handles
// some itself; the others it gives the hardware domain as pirqs (PHYSDEVOP_map_pirq: a GSI
// keeps its number, an MSI gets the highest free pirq), whose event channel it sets pending each
// time the device raises the IRQ, so Dom0's driver runs.
import type { EventChannelOps } from './event-channel.ts';

export type IrqType = 'IO-APIC-edge' | 'IO-APIC-level' | 'DMA_MSI' | 'PCI-MSI/-X';

export interface IrqDesc {
  irq: number;
  vector: number;
  type: IrqType;
  /** IRQ_GUEST (0x10) when a domain has it; IRQ_DISABLED (0x02) when mapped but nobody handles it. */
  status: number;
  /** desc->affinity (null: every pCPU) and the pCPU its vector is set up on. */
  affinity: number[] | null;
  cpu: number;
  /** The IO-APIC pin of a GSI. */
  pin?: number;
  /** Xen's own handler. */
  xenHandler?: string;
  /** The domain and pirq it is bound to. */
  guest?: { domid: number; pirq: number };
  /** Times the device raised it. */
  count: number;
}

/** The hardware domain's pirq space: nr_static_irqs plus its extra dynamic ones. */
export const HWDOM_NR_PIRQS = 1024;
const IRQ_GUEST = 0x10, IRQ_DISABLED = 0x02;
/** extra_domU_irqs: the pirqs a guest has beyond the GSIs. */
const DOMU_EXTRA_PIRQS = 32;
/** GSIs the host's one IO-APIC has. */
export const NR_IRQS_GSI = 24;

/** The host's devices that raise interrupts for Dom0's drivers. */
export const NIC_IRQ = 25, DISK_IRQ = 26;

export class IrqTable {
  private readonly descs = new Map<number, IrqDesc>();
  private nextMsiPirq = HWDOM_NR_PIRQS - 1;

  constructor(private readonly evtchn: EventChannelOps) {
    const gsi = (irq: number, vector: number, type: IrqType, extra: Partial<IrqDesc> = {}): void => {
      this.descs.set(irq, { irq, vector, type, status: IRQ_DISABLED, affinity: null, cpu: 0, pin: irq === 0 ? 2 : irq, count: 0, ...extra });
    };
    // The PIT's IRQ 0 (on pin 2) drives Xen's timer; the ISA IRQs have vectors of their own.
    gsi(0, 0xf0, 'IO-APIC-edge', { status: 0, affinity: [0], xenHandler: 'arch/x86/time.c#timer_interrupt' });
    for (const irq of [1, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15]) gsi(irq, 0x20 + irq * 8, 'IO-APIC-edge');
    gsi(9, 0x20 + 9 * 8, 'IO-APIC-level');
    this.descs.set(24, { irq: 24, vector: 0xa8, type: 'DMA_MSI', status: 0, affinity: null, cpu: 0, xenHandler: 'drivers/passthrough/vtd/iommu.c#iommu_page_fault', count: 0 });
    for (const [irq, vector] of [[NIC_IRQ, 0xb0], [DISK_IRQ, 0xb8]] as const) {
      this.descs.set(irq, { irq, vector, type: 'PCI-MSI/-X', status: IRQ_DISABLED, affinity: null, cpu: 0, count: 0 });
    }
  }

  /**
   * An MSI or MSI-X vector of a passed-through device (PHYSDEVOP_map_pirq with MAP_PIRQ_TYPE_MSI
   * for the domain that has the device): a new IRQ of the highest number so far plus one, mapped
   * to the domain's highest free pirq — a guest's pirq space is its 24 GSIs plus 32 extra.
   */
  mapMsi(domid: number, cpu: number): { irq: number; pirq: number } {
    const irq = Math.max(...this.descs.keys()) + 1;
    const used = new Set([...this.descs.values()].filter(d => d.guest?.domid === domid).map(d => d.guest!.pirq));
    let pirq = domid === 0 ? HWDOM_NR_PIRQS - 1 : NR_IRQS_GSI + DOMU_EXTRA_PIRQS - 1;
    while (used.has(pirq)) pirq--;
    this.descs.set(irq, { irq, vector: 0x30 + (irq % 0xb0), type: 'PCI-MSI/-X', status: IRQ_GUEST, affinity: [cpu], cpu, guest: { domid, pirq }, count: 0 });
    return { irq, pirq };
  }

  /** PHYSDEVOP_unmap_pirq of an MSI: the IRQ goes away. */
  unmapMsi(irq: number): void {
    if (this.descs.get(irq)?.type === 'PCI-MSI/-X' && irq > DISK_IRQ) this.descs.delete(irq);
  }

  /** A destroyed domain's MSIs are unmapped with it. */
  releaseDomain(domid: number): void {
    for (const d of [...this.descs.values()]) if (d.guest?.domid === domid && domid !== 0 && d.irq > DISK_IRQ) this.descs.delete(d.irq);
  }

  /** In IRQ order. */
  all(): IrqDesc[] { return [...this.descs.values()].sort((a, b) => a.irq - b.irq); }

  /** PHYSDEVOP_map_pirq then the guest's bind (pirq_guest_bind): the IRQ now goes to the domain's pirq. */
  bindToGuest(irq: number, domid: number, cpu: number): number {
    const d = this.descs.get(irq);
    if (!d || d.xenHandler) throw new Error(`IRQ ${irq} cannot be given to a guest`);
    const pirq = d.type === 'PCI-MSI/-X' ? this.nextMsiPirq-- : irq;
    Object.assign(d, { guest: { domid, pirq }, status: IRQ_GUEST, affinity: [cpu], cpu });
    return pirq;
  }

  pirqToIrq(domid: number, pirq: number): number | undefined {
    for (const d of this.descs.values()) if (d.guest?.domid === domid && d.guest.pirq === pirq) return d.irq;
    return undefined;
  }

  /** The device raised the IRQ (`times` times): counted, and each sent to the domain that has it. */
  raise(irq: number, times = 1): void {
    const d = this.descs.get(irq);
    if (!d) return;
    for (let i = 0; i < times; i++) {
      d.count++;
      if (d.guest) this.evtchn.sendPirq(d.guest.domid, d.guest.pirq);
    }
  }
}
