// The contract between the hypervisor's cpupools and the scheduler of one pool. In Xen every
// cpupool has its own scheduler instance (struct scheduler, chosen by `sched=` at boot for
// Pool-0 and by `xl cpupool-create sched=` for the others); this is that instance's interface in
// our terms. The pool layer routes each domain to the instance of the pool it is in and moves
// pCPUs and domains between instances; an instance only ever sees its own pCPUs and domains.
//
// Parameters that belong to one algorithm (credit's weight/cap, RTDS's period/budget per vCPU,
// the pool-wide timeslice or ratelimit) are methods of the concrete class; the toolstack narrows
// by `name` before calling them, as libxl switches on the pool's scheduler id.
import type { CpuTopology } from '../machine/host.ts';
import type { TraceSink } from './trace-sink.ts';
import type { VcpuWork } from './sched-core/workload.ts';

/** Xen's scheduler names, as `xl cpupool-list` and `sched=` spell them. */
export type SchedulerName = 'credit' | 'credit2' | 'rtds' | 'null';

export interface SchedulerOptions {
  /** The pool's pCPUs at creation (may be empty: a new pool before cpupool-cpu-add). */
  pcpus: number[];
  /** Number of pCPUs of the machine (ids are 0..nrPcpus-1). */
  nrPcpus: number;
  trace?: TraceSink;
  /** Simulated time at start (ns). */
  startNs?: bigint;
  /** Pool-wide ratelimit (µs), where the algorithm has one. */
  ratelimitUs?: number;
  /**
   * A vCPU's singleshot timer fired `n` times (Xen's send_timer_event): once at each wake from a
   * tickless sleep, which is the timer it armed, and at its kernel's tick while it runs (counted
   * when its run is accounted, so an idle vCPU costs nothing between its wakes).
   */
  timer?: (domid: number, vcpu: number, n: number) => void;
  /** Sockets and cores of the machine's pCPUs (for the dumps' sibling masks); each its own core by default. */
  topology?: readonly CpuTopology[];
}

export interface DomainSchedOptions {
  weight?: number;
  cap?: number;
  nrVcpus: number;
  onlineVcpus?: number;
  hardAffinity?: (number[] | null | undefined)[];
  softAffinity?: (number[] | null | undefined)[];
  /** Initial workload of every vCPU (0..1). Default 0: blocked until setDemand. */
  demand?: number;
  paused?: boolean;
  /** CPU time already used per vCPU (ns), carried when a domain moves between pools. */
  cpuTimeNs?: bigint[];
  /** Each vCPU's workload where a daemon restart found it (overrides demand). */
  work?: VcpuWork[];
}

export type VcpuState = 'running' | 'runnable' | 'blocked' | 'offline' | 'paused';
export interface VcpuInfo { cpuTimeNs: bigint; state: VcpuState; pcpu: number; online: boolean; hard: number[]; soft: number[] }

/** A vCPU's state from the flags every scheduler keeps: running wins, then offline, paused, blocked. */
export function vcpuStateOf(v: { running: boolean; online: boolean; blocked: boolean; dom: { paused: boolean } }): VcpuState {
  return v.running ? 'running' : !v.online ? 'offline' : v.dom.paused ? 'paused' : v.blocked ? 'blocked' : 'runnable';
}

export interface Scheduler {
  readonly name: SchedulerName;
  /** Make every scheduling decision up to simulated time `toNs`. */
  advance(toNs: bigint): void;

  /** A pCPU joins this pool (cpupool-cpu-add) or leaves it (cpupool-cpu-remove). */
  addPcpu(pcpu: number): void;
  removePcpu(pcpu: number): void;
  pcpus(): number[];

  addDomain(domid: number, o: DomainSchedOptions): void;
  removeDomain(domid: number): void;
  domains(): number[];
  pauseDomain(domid: number): void;
  unpauseDomain(domid: number): void;
  setVcpuOnline(domid: number, vcpu: number, online: boolean): void;
  /** Hard and soft affinity; null keeps the current one. An empty hard list means all pCPUs. */
  setAffinity(domid: number, vcpu: number, hard: number[] | null, soft: number[] | null): void;
  /** The vCPU's workload: the fraction of time it wants to run. */
  setDemand(domid: number, vcpu: number, frac: number): void;

  vcpu(domid: number, vcpu: number): VcpuInfo;
  /** Where the vCPU's workload stands now (what a daemon restart brings back). */
  vcpuWork(domid: number, vcpu: number): VcpuWork;
  /**
   * The host resumes after a daemon restart: the reschedules the recovery raised run at this
   * instant, so the vCPUs that were running are running again before anyone looks (a host that
   * never stopped would not have them waiting for an IPI).
   */
  resume(): void;
  /**
   * What vcpu() says of its CPU time and state, without copying its affinity masks: what the
   * per-second paths (the checkpoint, xentop's samples, `xl list`) ask of every vCPU.
   */
  vcpuCpuTimeNs(domid: number, vcpu: number): bigint;
  vcpuStatus(domid: number, vcpu: number): Pick<VcpuInfo, 'state' | 'online'>;
  domainCpuTimeNs(domid: number): bigint;
  pcpuIdleTimeNs(pcpu: number): bigint;
  /** The vCPU running on a pCPU, or null when it is idle. */
  pcpuCurrent(pcpu: number): { domid: number; vcpu: number } | null;

  /** What the 'r' debug key prints for this pool after its "Scheduler:" line (Xen's dump_settings). */
  dump(): string[];
  /** What it prints after a pCPU's "CPU[nn] current=" line (Xen's dump_cpu_state; credit2 has none). */
  dumpCpu?(pcpu: number): string[];
}
