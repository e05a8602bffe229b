// Dom0's kernel and its services bind their interrupts: each vCPU's timer and debug VIRQs, the
// host's interrupts its drivers handle (the RTC, ACPI's SCI, the NIC's and the NVMe disk's MSI-X,
// each a pirq of Dom0's bound to an event channel whose handler is the driver's interrupt
// routine), xenstored's VIRQ_DOM_EXC and xenconsoled's VIRQ_CONSOLE (through /dev/xen/evtchn),
// and the backends' rings. Each becomes a Linux IRQ of Dom0's, which its /proc/interrupts lists
// (`xenlabd interrupts`). What the drivers then do is the dataplane's.
import type { Hypervisor } from '../hypervisor/hypervisor.ts';
import { DISK_IRQ, NIC_IRQ } from '../hypervisor/irq.ts';
import { VIRQ_CONSOLE, VIRQ_DEBUG, VIRQ_DOM_EXC, VIRQ_TIMER } from '../hypervisor/event-channel.ts';
import { LinuxIrqs, type LinuxIrq } from '../formats/linux-irqs.ts';

const RTC_IRQ = 8, ACPI_SCI_IRQ = 9;

/** A PV Dom0 on an IO-APIC host: its GSIs are IRQs 0-23, dynamic IRQs start at 24; no upcall vector. */
export const newDom0Irqs = (): LinuxIrqs => new LinuxIrqs(24, false);

/** A user-space client of /dev/xen/evtchn: its ports are named after the process (evtchn:<comm>), with late EOI. */
export const evtchnUser = (comm: string) => ({ chip: 'xen-dyn-lateeoi', type: 'event' as const, name: `evtchn:${comm}` });

/** The host's interrupts Dom0's drivers take: the GSI (or MSI-X), Linux's flow, and the driver's name for it. */
const DRIVER_IRQS: [irq: number, type: LinuxIrq['type'], name: string, gsi?: number][] = [
  [RTC_IRQ, 'ioapic-edge', 'rtc0', RTC_IRQ], [ACPI_SCI_IRQ, 'ioapic-level', 'acpi', ACPI_SCI_IRQ],
  [NIC_IRQ, 'msi-x', 'i40e-eno1-TxRx-0'], [DISK_IRQ, 'msi-x', 'nvme0q1'],
];

export function bindDom0Irqs(hv: Hypervisor, irqs: LinuxIrqs, nrVcpus: number): void {
  const bind = (port: number, chip: string, type: LinuxIrq['type'], name: string, cpu = 0, gsi?: number): void => {
    hv.evtchn.setHandler(0, port, () => {});
    irqs.bind(port, chip, type, name, cpu, gsi);
  };
  for (let v = 0; v < nrVcpus; v++) {
    bind(hv.evtchn.bindVirq(0, VIRQ_TIMER, v), 'xen-percpu', 'virq', `timer${v}`, v);
    bind(hv.evtchn.bindVirq(0, VIRQ_DEBUG, v), 'xen-percpu', 'virq', `debug${v}`, v);
  }
  for (const [virq, comm] of [[VIRQ_DOM_EXC, 'xenstored'], [VIRQ_CONSOLE, 'xenconsoled']] as const) {
    const u = evtchnUser(comm);
    bind(hv.evtchn.bindVirq(0, virq), u.chip, u.type, u.name);
  }
  for (const [irq, type, name, gsi] of DRIVER_IRQS) bind(hv.evtchn.bindPirq(0, hv.irqs.bindToGuest(irq, 0, 0)), 'xen-pirq', type, name, 0, gsi);
}

/**
 * The name a backend's kernel driver gives the IRQ of a ring's event channel: netback's
 * vif<domid>.<devid>-q<queue>(-tx|-rx), blkback's blkif-backend; other backends run in user space.
 */
export function backendIrqName(kind: string, domid: number, devid: number, dir: string, key: string): { chip: string; name: string } | undefined {
  if (kind === 'vbd') return { chip: 'xen-dyn-lateeoi', name: 'blkif-backend' };
  if (kind !== 'vif') return undefined;
  const queue = /\/queue-(\d+)$/.exec(dir)?.[1] ?? '0';
  const dirn = /-(tx|rx)$/.exec(key)?.[1];
  return { chip: 'xen-dyn-lateeoi', name: `vif${domid}.${devid}-q${queue}${dirn ? `-${dirn}` : ''}` };
}
