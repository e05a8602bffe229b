// A Linux kernel's interrupts on Xen (a guest's, Dom0's): each event channel it binds becomes a
// Linux IRQ (the per-CPU timer, debug VIRQ and IPIs on chip xen-percpu, xenbus, hvc_console and
// the PV drivers' rings on xen-dyn, the rings with late EOI, physical IRQs on xen-pirq), numbered
// from the first IRQ after the GSIs (a GSI's pirq keeps its own number); and /proc/interrupts as
// Linux 6.1 prints it (kernel/irq/proc.c, arch/x86/kernel/irq.c), each line's counts those of its
// port. Pure: the caller says what is bound and how often each port fired.

export interface LinuxIrq { irq: number; port: number; chip: string; type: 'virq' | 'ipi' | 'event' | 'msi' | 'msi-x' | 'ioapic-edge' | 'ioapic-level'; name: string; cpu: number }

/** arch_show_interrupts' per-CPU counters after the IRQ lines: none of them counts in a simulated guest. */
const ARCH_COUNTERS: [string, string][] = [
  ['NMI', 'Non-maskable interrupts'], ['LOC', 'Local timer interrupts'], ['SPU', 'Spurious interrupts'],
  ['PMI', 'Performance monitoring interrupts'], ['IWI', 'IRQ work interrupts'], ['RTR', 'APIC ICR read retries'],
  ['RES', 'Rescheduling interrupts'], ['CAL', 'Function call interrupts'], ['TLB', 'TLB shootdowns'],
  ['TRM', 'Thermal event interrupts'], ['THR', 'Threshold APIC interrupts'], ['DFR', 'Deferred Error APIC interrupts'],
  ['MCE', 'Machine check exceptions'], ['MCP', 'Machine check polls'],
];

export class LinuxIrqs {
  private readonly irqs: LinuxIrq[] = [];

  /** `first`: nr_irqs_gsi, 16 on PV (legacy PIC IRQs only), 24 with an IO-APIC; `upcallVector`: HVM/PVH events come by a vector (HYP). */
  constructor(private readonly first: number, private readonly upcallVector: boolean) {}

  /** bind_evtchn_to_irq and friends: the lowest free IRQ number (a GSI's pirq: `gsi`). */
  bind(port: number, chip: string, type: LinuxIrq['type'], name: string, cpu = 0, gsi?: number): void {
    let irq = gsi ?? this.first;
    while (gsi === undefined && this.irqs.some(i => i.irq === irq)) irq++;
    this.irqs.push({ irq, port, chip, type, name, cpu });
    this.irqs.sort((a, b) => a.irq - b.irq);
  }

  unbind(port: number): void {
    const at = this.irqs.findIndex(i => i.port === port);
    if (at >= 0) this.irqs.splice(at, 1);
  }

  /** /proc/interrupts for `cpus` online CPUs; `count` is how often a port's handler ran. */
  procInterrupts(cpus: number, count: (port: number) => number): string {
    const prec = 3;
    const cols = (perCpu: (cpu: number) => number): string => Array.from({ length: cpus }, (_, c) => `${String(perCpu(c)).padStart(10)} `).join('');
    let s = ' '.repeat(prec + 8) + Array.from({ length: cpus }, (_, c) => `CPU${String(c).padEnd(8)}`).join('') + '\n';
    for (const i of this.irqs) {
      const n = count(i.port);
      s += `${String(i.irq).padStart(prec)}: ${cols(c => (c === i.cpu ? n : 0))} ${i.chip.padStart(8)} ${' '.repeat(prec)}-${i.type.padEnd(8)}  ${i.name}\n`;
    }
    for (const [key, what] of ARCH_COUNTERS) s += `${key.padStart(prec)}: ${cols(() => 0)}  ${what}\n`;
    if (this.upcallVector) {
      const upcalls = (cpu: number): number => this.irqs.filter(i => i.cpu === cpu).reduce((t, i) => t + count(i.port), 0);
      s += `${'HYP'.padStart(prec)}: ${cols(upcalls)}  Hypervisor callback interrupts\n`;
    }
    s += `${'ERR'.padStart(prec)}: ${'0'.padStart(10)}\n${'MIS'.padStart(prec)}: ${'0'.padStart(10)}\n`;
    return s;
  }
}
