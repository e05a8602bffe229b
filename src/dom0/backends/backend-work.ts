// The work of netback's and blkback's kernel threads, done on Dom0's vCPUs. Every tick the
// backends serve their rings with the CPU time Dom0's vCPUs were given by the scheduler since
// the last tick (each request, byte and notification costs Dom0 time), and within what each
// device can carry in the tick: a queue's requests in flight over the device's latency, and the
// device's bandwidth shared fairly by the queues using it (max-min, in rounds). What Dom0 had
// no time for stays on the rings, so the guests find them full and slow down. Then the threads
// ask the scheduler for the time the next tick's work needs: what this tick's took, or all of
// their vCPUs while work was left waiting.
import type { Clock, Timer } from '../../machine/clock.ts';
import type { DeviceModel } from '../../machine/devices.ts';

export const BACKEND_TICK_NS = 100_000_000n;
const TICK_S = Number(BACKEND_TICK_NS) / 1e9;
/** Dom0's own demand on each vCPU (its timer, xenstored, the toolstack), beside the backends'. */
export const DOM0_IDLE_DEMAND = 0.01;
/** Asked on top of the last tick's work, so that the jitter of a steady load is not a shortage. */
const HEADROOM = 1.1;
/** Bytes of a typical request, to turn a CPU share into bytes (a 64 KiB packet or block request). */
const TYPICAL_REQUEST = 65536;

/** Dom0's vCPUs as the backends' threads see them. */
export interface Dom0Cpu {
  online(): number;
  /** CPU time Dom0's vCPUs have had (ns). */
  cpuNs(): number;
  /** Demand of each vCPU (0..1), Dom0's own included. */
  setDemand(frac: number): void;
}

/** What the backend spends per request, per byte and per notification (ns of Dom0 CPU). */
export interface WorkCost { perRequest: number; perByte: number; perNotify: number }

export interface Served { bytes: number; requests: number; notifications: number }

/** One ring a backend serves, on one direction of one device. */
export interface IoQueue {
  readonly device: DeviceModel;
  /** The device's direction it uses: a NIC carries each way at full bandwidth, a disk shares both. */
  readonly direction: 'in' | 'out' | 'both';
  readonly cost: WorkCost;
  pending(): boolean;
  /** The most it may carry in `seconds` when `sharers` queues use the device (its in-flight limit, a rate limit). */
  ceiling(seconds: number, sharers: number): number;
  /** Serve whole requests worth about `bytes` (at least one if any waits). */
  serve(bytes: number): Served;
}

const costOf = (c: WorkCost, s: Served): number => c.perRequest * s.requests + c.perByte * s.bytes + c.perNotify * s.notifications;
const nsPerByte = (c: WorkCost): number => c.perByte + c.perRequest / TYPICAL_REQUEST;
const channel = (q: IoQueue): string => `${q.device.name}/${q.direction}`;

export class BackendWork {
  private readonly queues = new Set<IoQueue>();
  private timer: Timer | undefined;
  private lastCpuNs = 0;
  /** Dom0 CPU the backends used in the last tick (ns), and whether work was left for want of it. */
  lastWorkNs = 0;
  starved = false;

  constructor(private readonly clock: Clock, private readonly dom0: Dom0Cpu) {}

  add(q: IoQueue): void {
    this.queues.add(q);
    if (!this.timer) {
      this.lastCpuNs = this.dom0.cpuNs();
      this.timer = this.clock.after(BACKEND_TICK_NS, () => this.tick());
    }
  }

  remove(q: IoQueue): void { this.queues.delete(q); }

  private tick(): void {
    this.timer = undefined;
    const cpuNow = this.dom0.cpuNs();
    const online = Math.max(1, this.dom0.online());
    const tickNs = TICK_S * 1e9;
    let cpu = cpuNow - this.lastCpuNs - DOM0_IDLE_DEMAND * tickNs * online;
    this.lastCpuNs = cpuNow;
    let active = [...this.queues].filter(q => q.pending());
    const sharers = new Map<string, number>();
    for (const q of active) sharers.set(channel(q), (sharers.get(channel(q)) ?? 0) + 1);
    const room = new Map<string, number>();
    for (const q of active) room.set(channel(q), q.device.bandwidth * TICK_S);
    const ceiling = new Map(active.map(q => [q, q.ceiling(TICK_S, sharers.get(channel(q))!)]));
    let spent = 0;
    // Rounds of fair shares: a queue that empties leaves its unused share to the others.
    while (active.length && cpu > 0) {
      const on = new Map<string, number>();
      for (const q of active) on.set(channel(q), (on.get(channel(q)) ?? 0) + 1);
      const share = new Map([...on].map(([c, n]) => [c, room.get(c)! / n]));
      const cpuShare = cpu / active.length;
      const next: IoQueue[] = [];
      for (const q of active) {
        const c = channel(q);
        const slice = Math.min(share.get(c)!, ceiling.get(q)!, cpuShare / nsPerByte(q.cost));
        if (slice <= 0 || room.get(c)! <= 0) continue;
        const s = q.serve(slice);
        const ns = costOf(q.cost, s);
        cpu -= ns; spent += ns;
        room.set(c, room.get(c)! - s.bytes);
        ceiling.set(q, ceiling.get(q)! - s.bytes);
        if (s.bytes >= slice && q.pending()) next.push(q);
      }
      active = next;
    }
    this.lastWorkNs = spent;
    this.starved = cpu <= 0 && [...this.queues].some(q => q.pending());
    const want = this.starved ? 1 : spent * HEADROOM / (tickNs * online);
    this.dom0.setDemand(Math.min(1, DOM0_IDLE_DEMAND + want));
    if (this.queues.size) this.timer = this.clock.after(BACKEND_TICK_NS, () => this.tick());
    else this.dom0.setDemand(DOM0_IDLE_DEMAND);
  }
}
