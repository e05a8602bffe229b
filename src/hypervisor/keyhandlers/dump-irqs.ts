// 'i' (irq.c's dump_irqs): every initialised IRQ with its vector, type, status and affinity,
// and who handles it (Xen's function, or the guests' pirqs with their port's pending and mask
// bits); then the vectors Xen's own handlers use directly, then the IO-APIC's routing entries.
import type { Hypervisor } from '../hypervisor.ts';
import { maskList } from './printk-formats.ts';

/** direct_apic_vector[] on an Intel host with VT-x posted interrupts: fixed vectors, then the high-priority ones allocated at boot. */
const DIRECT_VECTORS: [number, string][] = [
  [0x22, 'irq_move_cleanup_interrupt'], [0xf1, 'intel_thermal_interrupt'], [0xf2, 'cmci_interrupt'],
  [0xf3, 'pi_notification_interrupt'], [0xf9, 'pmu_apic_interrupt'], [0xfa, 'apic_timer_interrupt'],
  [0xfb, 'call_function_interrupt'], [0xfc, 'event_check_interrupt'], [0xfd, 'invalidate_interrupt'],
  [0xfe, 'error_interrupt'], [0xff, 'spurious_interrupt'],
];

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

export function dumpIrqs(hv: Hypervisor): string[] {
  const all = hv.machine.topology.map((_, i) => i);
  const out = ['IRQ information:'];
  for (const d of hv.irqs.all()) {
    const head = `   IRQ:${String(d.irq).padStart(4)} vec:${hex2(d.vector)} ${d.type.padEnd(15)} status=${d.status.toString(16).padStart(3, '0')} aff:{${maskList(d.affinity ?? all)}}/{${maskList(d.affinity ?? all)}} `;
    if (d.guest) {
      const t = hv.domains.get(d.guest.domid)?.evtchn;
      const port = t?.pirqPort.get(d.guest.pirq);
      const chn = port === undefined ? undefined : t!.ports[port];
      out.push(`${head}in-flight=0 d${d.guest.domid}:${String(d.guest.pirq).padStart(3)}(${chn?.pending ? 'P' : '-'}${chn && !chn.masked ? '-' : 'M'}-)`);
    } else out.push(head + (d.xenHandler ? `${d.xenHandler}()` : 'mapped, unbound'));
  }
  out.push('Direct vector information:', ...DIRECT_VECTORS.map(([v, f]) => `   0x${hex2(v)} -> ${f}()`));
  out.push('IO-APIC interrupt information:');
  for (const d of hv.irqs.all()) {
    if (d.pin === undefined) continue;
    const level = d.type === 'IO-APIC-level';
    out.push(`    IRQ${String(d.irq).padStart(3)} Vec${String(d.vector).padStart(3)}:`);
    out.push(`      Apic 0x00, Pin ${String(d.pin).padStart(2)}: vec=${hex2(d.vector)} delivery=LoPri dest=L status=0 polarity=${level ? 1 : 0} irr=0 trig=${level ? 'L' : 'E'} mask=${d.status & 0x02 ? 1 : 0} dest_id:${hex2(1 << (d.cpu % 8))}`);
  }
  return out;
}
