// The fault plane (a xenlab extension): faults injected into a running host for a span of
// simulated time. This is the table alone, with no I/O: each fault's kind, scope (a domain and
// maybe one of its devices), value and lifetime. It sits beside the clock, below every layer,
// because the parts that suffer the faults are in several layers (blkback and netback in Dom0,
// the guest kernel, the hypervisor's memory): each asks the table, or is told by the daemon's
// wiring when a fault begins and ends.
import type { Clock, Timer } from './clock.ts';

/** Each kind: the device it is scoped to (or none), and the unit of its value (or none). */
export const FAULT_KINDS = {
  'vbd-error': { device: 'vbd', unit: null, describe: 'I/O errors on one vbd (blkback answers BLKIF_RSP_ERROR)' },
  'vbd-latency': { device: 'vbd', unit: 'MS', describe: 'each request on one vbd takes MS milliseconds more' },
  'vif-loss': { device: 'vif', unit: 'PERCENT', describe: 'PERCENT of the packets on one vif are dropped' },
  'vif-latency': { device: 'vif', unit: 'MS', describe: 'each packet on one vif is delayed by MS milliseconds' },
  'guest-crash': { device: null, unit: null, describe: "the guest's kernel panics (on_crash applies)" },
  'driver-domain-crash': { device: null, unit: null, describe: "a driver domain's kernel panics in netback (on_crash applies): the guests it serves lose their vifs and vbds" },
  'memory-pressure': { device: null, unit: 'MB', describe: "MB of the host's free memory are taken" },
  'xenstored-slow': { device: null, unit: 'MS', describe: "xenstored answers the domain's requests MS milliseconds late" },
  'xenstored-stuck': { device: null, unit: null, describe: "xenstored answers none of the domain's requests until the fault ends" },
  'dom0-service-crash': { device: 'service', unit: null, describe: 'a Dom0 service (xenconsoled, netback, blkback) crashes; it starts again when the fault ends' },
} as const;

export type FaultKind = keyof typeof FAULT_KINDS;
export const FAULT_KIND_NAMES = Object.keys(FAULT_KINDS) as FaultKind[];
export const isFaultKind = (s: string): s is FaultKind => Object.hasOwn(FAULT_KINDS, s);

export interface Fault {
  id: number;
  kind: FaultKind;
  domid: number;
  /** The device as the user named it (xvda, 51712, 0), and its devid. */
  device: string | null;
  devid: number | null;
  value: number | null;
  startNs: bigint;
  /** null: until cleared. */
  endNs: bigint | null;
}

export type FaultSpec = Pick<Fault, 'kind' | 'domid' | 'device' | 'devid' | 'value'>;

export class FaultTable {
  private readonly faults = new Map<number, { f: Fault; timer?: Timer }>();
  private nextId = 1;
  /** Told when a fault begins and when it ends (expired or cleared). */
  onBegin: (f: Fault) => void = () => {};
  onEnd: (f: Fault) => void = () => {};

  constructor(private readonly clock: Clock) {}

  add(spec: FaultSpec, forNs: bigint | null): Fault {
    const startNs = this.clock.now();
    const f: Fault = { ...spec, id: this.nextId++, startNs, endNs: forNs === null ? null : startNs + forNs };
    const timer = forNs === null ? undefined : this.clock.after(forNs, () => this.remove(f.id));
    this.faults.set(f.id, { f, timer });
    this.onBegin(f);
    return f;
  }

  list(): Fault[] { return [...this.faults.values()].map(e => e.f); }

  /** End a fault now; undefined when there is none of that id. */
  remove(id: number): Fault | undefined {
    const e = this.faults.get(id);
    if (!e) return undefined;
    this.clock.cancel(e.timer);
    this.faults.delete(id);
    this.onEnd(e.f);
    return e.f;
  }

  /** A domain is gone: so are its faults. */
  forget(domid: number): void {
    for (const f of this.list()) if (f.domid === domid) this.remove(f.id);
  }

  /** The value of the active fault of `kind` on a domain's device (0 for a kind without value); undefined when none. */
  value(kind: FaultKind, domid: number, devid: number | null = null): number | undefined {
    for (const { f } of this.faults.values()) if (f.kind === kind && f.domid === domid && f.devid === devid) return f.value ?? 0;
    return undefined;
  }

  /** The sum of the values of every active fault of `kind` (memory taken by several pressures). */
  total(kind: FaultKind): number {
    let n = 0;
    for (const { f } of this.faults.values()) if (f.kind === kind) n += f.value ?? 0;
    return n;
  }
}
