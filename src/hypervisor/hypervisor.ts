// The hypervisor model: domains and their vCPUs, domid allocation (Xen's rover), host memory
// accounting, pausing, guest-requested shutdown, and the credit2 scheduler that turns simulated
// time into CPU time. It knows nothing of Dom0's services: it reports domain exceptions through
// a callback, as Xen raises VIRQ_DOM_EXC.
import type { Clock } from '../machine/clock.ts';
import type { Machine } from '../machine/host.ts';
import { Credit2 } from './credit2/index.ts';
import { ConsoleRing } from './console-ring.ts';
import { Domain, type DomainSpec } from './domain.ts';
import { GrantedRings } from './io-ring.ts';
import { TraceBuffers } from './trace-buffers.ts';

/** DOMID_FIRST_RESERVED: ids from here on are special (DOMID_SELF, DOMID_IO, ...). */
export const DOMID_FIRST_RESERVED = 0x7ff0;

export class HypervisorError extends Error {
  constructor(public readonly errno: string, message: string) { super(message); }
}

export interface CpupoolState { id: number; name: string; cpus: number[] }

export class Hypervisor {
  readonly machine: Machine;
  readonly clock: Clock;
  readonly sched: Credit2;
  readonly console: ConsoleRing;
  readonly domains = new Map<number, Domain>();
  readonly pools: CpupoolState[];
  /** Device rings shared between frontends and backends. */
  readonly rings = new GrantedRings();
  /** Per-pCPU trace buffers (xentrace); off until a tool enables them. */
  readonly trace: TraceBuffers;
  /** Last domid handed out (Xen's rover). */
  rover = 0;
  private freePagesCount: number;
  onDomainException: (domid: number) => void = () => {};

  constructor(machine: Machine, clock: Clock) {
    this.machine = machine;
    this.clock = clock;
    this.trace = new TraceBuffers({ nrPcpus: machine.spec.nrCpus, mhz: machine.mhz });
    this.sched = new Credit2({ nrPcpus: machine.spec.nrCpus, trace: this.trace });
    this.freePagesCount = machine.totalPages - this.xenReservedPages();
    const allCpus = Array.from({ length: machine.spec.nrCpus }, (_, i) => i);
    this.pools = [{ id: 0, name: 'Pool-0', cpus: allCpus }];
    this.console = new ConsoleRing(bootBanner(machine));
  }

  /** Memory Xen itself keeps (heap, frame table): about 1/64 of RAM plus 16 MiB. */
  private xenReservedPages(): number { return Math.floor(this.machine.totalPages / 64) + 16 * 256; }

  get freePages(): number { return this.freePagesCount; }

  /** Advance the scheduler to `to` (the clock's stepper). */
  step(to: bigint): void { this.sched.advance(to); }

  /** Pick the next domid as Xen does: the first free id after the rover, wrapping before the reserved range. */
  allocDomid(): number {
    let id = this.rover;
    for (let i = 0; i < DOMID_FIRST_RESERVED; i++) {
      id = id + 1 >= DOMID_FIRST_RESERVED ? 1 : id + 1;
      if (!this.domains.has(id)) { this.rover = id; return id; }
    }
    throw new HypervisorError('ENOMEM', 'no free domid');
  }

  createDomain(spec: DomainSpec, domid?: number): Domain {
    const id = domid ?? this.allocDomid();
    if (this.domains.has(id)) throw new HypervisorError('EEXIST', `domain ${id} exists`);
    const d = new Domain(id, spec, this.clock.now());
    this.domains.set(id, d);
    this.sched.addDomain(id, {
      weight: spec.weight, cap: spec.cap, nrVcpus: spec.maxVcpus, onlineVcpus: spec.onlineVcpus, poolId: spec.poolId,
      hardAffinity: spec.affinity.map(a => a.hard ?? this.poolCpus(spec.poolId)),
      softAffinity: spec.affinity.map(a => a.soft ?? this.poolCpus(spec.poolId)),
    });
    return d;
  }

  /** Re-create a domain from persisted state after a daemon restart. */
  restoreDomain(domid: number, spec: DomainSpec, st: { totPages: number; pauseCount: number; shutdown: boolean; shutdownReason: number; cpuBaseNs: bigint[]; createdNs: bigint }): Domain {
    const d = this.createDomain(spec, domid);
    (d as { createdNs: bigint }).createdNs = st.createdNs;
    this.allocate(d, st.totPages);
    d.cpuBaseNs = st.cpuBaseNs;
    for (let i = 0; i < st.pauseCount; i++) this.pause(domid);
    if (st.shutdown) this.shutdownDomain(domid, st.shutdownReason, false);
    return d;
  }

  poolCpus(poolId: number): number[] { return this.pools.find(p => p.id === poolId)?.cpus ?? []; }

  get(domid: number): Domain {
    const d = this.domains.get(domid);
    if (!d) throw new HypervisorError('ESRCH', 'No such process');
    return d;
  }

  /** populate_physmap: give a domain pages from the free pool. */
  allocate(d: Domain, pages: number): void {
    if (pages <= 0) return;
    if (pages > this.freePagesCount) throw new HypervisorError('ENOMEM', 'Out of memory');
    if (d.maxPages >= 0 && d.totPages + pages > d.maxPages) throw new HypervisorError('ENOMEM', 'Out of memory');
    this.freePagesCount -= pages;
    d.totPages += pages;
  }

  /** decrease_reservation: pages go back to the free pool. */
  release(d: Domain, pages: number): void {
    const n = Math.min(pages, d.totPages);
    d.totPages -= n;
    this.freePagesCount += n;
  }

  setMaxmem(domid: number, kb: number): void {
    const d = this.get(domid);
    d.maxPages = kb < 0 ? -1 : Math.ceil(kb / 4);
  }

  destroyDomain(domid: number): void {
    const d = this.get(domid);
    d.dying = true;
    this.release(d, d.totPages);
    this.sched.removeDomain(domid);
    this.rings.drop(domid);
    this.domains.delete(domid);
  }

  pause(domid: number): void {
    const d = this.get(domid);
    if (d.pauseCount++ === 0) this.sched.pauseDomain(domid);
  }

  unpause(domid: number): void {
    const d = this.get(domid);
    if (d.pauseCount === 0) return;
    if (--d.pauseCount === 0 && !d.shutdown) this.sched.unpauseDomain(domid);
  }

  /** SCHEDOP_shutdown from the guest (or domain_shutdown from Xen on a crash). */
  shutdownDomain(domid: number, reason: number, notify = true): void {
    const d = this.get(domid);
    if (d.shutdown) return;
    d.shutdown = true;
    d.shutdownReason = reason;
    if (d.pauseCount === 0) this.sched.pauseDomain(domid);
    if (notify) this.onDomainException(domid);
  }

  /** Resume a domain that shut down with reason suspend (a cancelled save). */
  resumeDomain(domid: number): void {
    const d = this.get(domid);
    if (!d.shutdown) return;
    d.shutdown = false;
    if (d.pauseCount === 0) this.sched.unpauseDomain(domid);
  }

  setWorkloadDemand(domid: number, vcpu: number, frac: number): void { this.sched.setDemand(domid, vcpu, frac); }

  setVcpusOnline(domid: number, count: number): void {
    const d = this.get(domid);
    for (let v = 0; v < d.maxVcpus; v++) this.sched.setVcpuOnline(domid, v, v < count);
    d.onlineVcpus = count;
  }

  setAffinity(domid: number, vcpu: number, hard: number[] | null, soft: number[] | null): void {
    const d = this.get(domid);
    const cur = d.affinity[vcpu] ?? { hard: null, soft: null };
    d.affinity[vcpu] = { hard: hard ?? cur.hard, soft: soft ?? cur.soft };
    const pool = this.poolCpus(d.poolId);
    this.sched.setAffinity(domid, vcpu, d.affinity[vcpu]!.hard ?? pool, d.affinity[vcpu]!.soft ?? pool);
  }

  setSchedParams(domid: number, p: { weight?: number; cap?: number }): void {
    const d = this.get(domid);
    if (p.weight !== undefined) d.weight = p.weight;
    if (p.cap !== undefined) d.cap = p.cap;
    this.sched.setParams(domid, p);
  }

  vcpuTimeNs(domid: number, vcpu: number): bigint {
    const d = this.get(domid);
    return (d.cpuBaseNs[vcpu] ?? 0n) + this.sched.vcpu(domid, vcpu).cpuTimeNs;
  }

  cpuTimeNs(domid: number): bigint {
    const d = this.get(domid);
    let t = 0n;
    for (let v = 0; v < d.maxVcpus; v++) t += this.vcpuTimeNs(domid, v);
    return t;
  }
}

function bootBanner(m: Machine): string[] {
  return [
    ' __  __            _  _    _ _____    _____ ',
    ' \\ \\/ /___ _ __   | || |  / |___  |  |___  |',
    "  \\  // _ \\ '_ \\  | || |_ | |  / /     / / ",
    '  /  \\  __/ | | | |__   _|| | / /  _  / /  ',
    ' /_/\\_\\___|_| |_|    |_|(_)_|/_/  (_)/_/   ',
    '                                            ',
    '(XEN) Xen version 4.17.7 (pkg-xen-devel@lists.alioth.debian.org) (gcc (Debian 12.2.0-14+deb12u1) 12.2.0) debug=n Mon Nov  3 12:00:00 UTC 2025',
    '(XEN) Latest ChangeSet: ',
    '(XEN) build-id: ',
    '(XEN) Bootloader: xenlab',
    `(XEN) Command line: placeholder dom0_mem=${m.spec.dom0MemMiB}M,max:${m.spec.dom0MemMiB}M`,
    '(XEN) Xen image load base address: 0',
    '(XEN) Video information:',
    '(XEN)  No VGA detected',
    '(XEN) Disc information:',
    '(XEN)  Found 1 MBR signatures',
    '(XEN)  Found 1 EDD information structures',
    '(XEN) Xen-e820 RAM map:',
    `(XEN)  [0000000000000000, 000000000009fbff] (usable)`,
    `(XEN)  [0000000000100000, ${(m.spec.memoryMiB * 1024 * 1024 - 1).toString(16).padStart(16, '0')}] (usable)`,
    `(XEN) System RAM: ${m.spec.memoryMiB}MB (${m.spec.memoryMiB * 1024}kB)`,
    `(XEN) Domain heap initialised`,
    `(XEN) Using scheduler: SMP Credit Scheduler rev2 (credit2)`,
    `(XEN) Initializing Credit2 scheduler`,
    `(XEN)  load_precision_shift: 18`,
    `(XEN)  load_window_shift: 30`,
    `(XEN)  underload_balance_tolerance: 0`,
    `(XEN)  overload_balance_tolerance: -3`,
    `(XEN)  runqueues arrangement: socket`,
    `(XEN)  cap enforcement granularity: 10ms`,
    `(XEN) Detected ${(m.spec.cpuKhz / 1000).toFixed(3)} MHz processor.`,
    `(XEN) Brought up ${m.spec.nrCpus} CPUs`,
    `(XEN) *** Building a PV Dom0 ***`,
    `(XEN) Dom0 has maximum ${m.spec.dom0Vcpus} VCPUs`,
    `(XEN) Scrubbing Free RAM in background`,
    `(XEN) Std. Loglevel: Errors and warnings`,
    `(XEN) Guest Loglevel: Nothing (Rate-limited: Errors and warnings)`,
    `(XEN) *** Serial input to DOM0 (type 'CTRL-a' three times to switch input)`,
    `(XEN) Freed 2048kB init memory`,
  ];
}
