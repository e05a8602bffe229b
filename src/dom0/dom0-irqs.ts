// Dom0's kernel takes the host's interrupts its drivers handle (the RTC, ACPI's SCI, the NIC's
// and the NVMe disk's MSI-X): each becomes a pirq of Dom0's, bound to an event channel whose
// handler is the driver's interrupt routine. What the driver then does (completing the I/O the
// backends answer the guests with) is the dataplane's.
import type { Hypervisor } from '../hypervisor/hypervisor.ts';
import { DISK_IRQ, NIC_IRQ } from '../hypervisor/irq.ts';

const RTC_IRQ = 8, ACPI_SCI_IRQ = 9;

export function bindDom0Irqs(hv: Hypervisor): void {
  for (const irq of [RTC_IRQ, ACPI_SCI_IRQ, NIC_IRQ, DISK_IRQ]) {
    const pirq = hv.irqs.bindToGuest(irq, 0, 0);
    hv.evtchn.setHandler(0, hv.evtchn.bindPirq(0, pirq), () => {});
  }
}
