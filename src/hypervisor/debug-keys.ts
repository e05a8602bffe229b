// Xen's debug keys (keyhandler.c's key_table and the handlers other parts register): what
// `xl debug-keys` presses. Each handler writes its dump to the console ring, in Xen 4.17's
// formats. The table is a release build's on an Intel host with VT-x, EPT and VT-d, in the
// order 'h' lists it (by ASCII code); keys without a table entry do nothing, as in Xen.
import type { Hypervisor } from './hypervisor.ts';
import { dumpCx } from './keyhandlers/dump-cx.ts';
import { dumpDomains } from './keyhandlers/dump-domains.ts';
import { eventChannelInfo } from './keyhandlers/dump-evtchn.ts';
import { dumpRunq } from './keyhandlers/dump-runq.ts';
import { dumpRegisters } from './keyhandlers/dump-registers.ts';
import { dumpIrqs } from './keyhandlers/dump-irqs.ts';
import { grantTableUsage } from './keyhandlers/grant-usage.ts';
import { memoryInfo } from './keyhandlers/memory-info.ts';
import { ClockSkew } from './keyhandlers/read-clocks.ts';

interface KeyHandler { desc: string; dump?: (key: string) => string[] }

export class DebugKeys {
  private altKeyHandling = false;
  private readonly clocks = new ClockSkew();
  private readonly table: Record<string, KeyHandler>;

  constructor(private readonly hv: Hypervisor) {
    this.table = {
      '%': { desc: 'trap to xendbg' },
      '*': { desc: 'print all diagnostics' },
      '+': { desc: 'increase log level threshold' },
      '-': { desc: 'decrease log level threshold' },
      '0': { desc: 'dump Dom0 registers' },
      A: { desc: 'toggle alternative key handling', dump: k => this.toggleAlt(k) },
      C: { desc: 'trigger a crashdump' },
      D: { desc: 'dump VT-x EPT tables' },
      G: { desc: 'toggle host/guest log level adjustment' },
      H: { desc: 'dump heap info' },
      I: { desc: 'dump HVM irq info' },
      M: { desc: 'dump MSI state' },
      N: { desc: 'trigger an NMI' },
      Q: { desc: 'dump PCI devices' },
      R: { desc: 'reboot machine' },
      V: { desc: 'dump iommu info' },
      a: { desc: 'dump timer queues' },
      c: { desc: 'dump ACPI Cx structures', dump: k => dumpCx(hv, k) },
      d: { desc: 'dump registers', dump: k => dumpRegisters(hv, k) },
      e: { desc: 'dump evtchn info', dump: () => eventChannelInfo(hv) },
      g: { desc: 'print grant table usage', dump: () => grantTableUsage(hv) },
      h: { desc: 'show this message', dump: k => this.showHandlers(k) },
      i: { desc: 'dump interrupt bindings', dump: () => dumpIrqs(hv) },
      m: { desc: 'memory info', dump: () => memoryInfo(hv) },
      n: { desc: 'NMI statistics' },
      o: { desc: 'dump iommu page tables' },
      q: { desc: 'dump domain (and guest debug) info', dump: k => dumpDomains(hv, k) },
      r: { desc: 'dump run queues', dump: () => dumpRunq(hv) },
      s: { desc: 'dump softtsc stats' },
      t: { desc: 'display multi-cpu clock info', dump: () => this.clocks.read() },
      u: { desc: 'dump NUMA info' },
      v: { desc: 'dump VT-x VMCSs' },
      w: { desc: 'synchronously dump console ring buffer (dmesg)' },
      x: { desc: 'print livepatch info' },
      z: { desc: 'dump IOAPIC info' },
    };
  }

  /** handle_keypress: the key's handler writes to the console ring; a key without one is ignored. */
  press(key: string): void {
    // console_start_log_everything: a dump is printed whatever the log thresholds.
    for (const line of this.table[key]?.dump?.(key) ?? []) this.hv.console.push(`(XEN) ${line}`);
  }

  private showHandlers(key: string): string[] {
    const keys = Object.keys(this.table).sort((a, b) => a.charCodeAt(0) - b.charCodeAt(0));
    return [`'${key}' pressed -> showing installed handlers`,
      ...keys.map(k => ` key '${k}' (ascii '${k.charCodeAt(0).toString(16).padStart(2, '0')}') => ${this.table[k]!.desc}`)];
  }

  private toggleAlt(key: string): string[] {
    this.altKeyHandling = !this.altKeyHandling;
    return [`'${key}' pressed -> using ${this.altKeyHandling ? 'alternative' : 'normal'} key handling`];
  }
}
