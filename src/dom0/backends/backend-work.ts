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

/** One direction of one device in a tick: what it can still carry, and how many queues share it. */
interface Channel { device: DeviceModel; room: number; sharers: number; active: number; share: number }
interface Entry { q: IoQueue; ch: Channel; ceiling: number }

export class BackendWork {
  private readonly entries = new Map<IoQueue, Entry>();
  private readonly channels = new Map<string, Channel>();
  private timer: Timer | undefined;
  private lastCpuNs = 0;
  private demand = DOM0_IDLE_DEMAND;

  constructor(private readonly clock: Clock, private readonly dom0: Dom0Cpu) {}

  add(q: IoQueue): void {
    const key = `${q.device.name}/${q.direction}`;
    let ch = this.channels.get(key);
    if (!ch) this.channels.set(key, ch = { device: q.device, room: 0, sharers: 0, active: 0, share: 0 });
    this.entries.set(q, { q, ch, ceiling: 0 });
    if (!this.timer) {
      this.lastCpuNs = this.dom0.cpuNs();
      this.timer = this.clock.after(BACKEND_TICK_NS, () => this.tick());
    }
  }

  remove(q: IoQueue): void { this.entries.delete(q); }

  private tick(): void {
    this.timer = undefined;
    const cpuNow = this.dom0.cpuNs();
    const online = Math.max(1, this.dom0.online());
    const tickNs = TICK_S * 1e9;
    let cpu = cpuNow - this.lastCpuNs - DOM0_IDLE_DEMAND * tickNs * online;
    this.lastCpuNs = cpuNow;
    for (const ch of this.channels.values()) { ch.room = ch.device.bandwidth * TICK_S; ch.sharers = 0; }
    let active: Entry[] = [];
    for (const e of this.entries.values()) if (e.q.pending()) { active.push(e); e.ch.sharers++; }
    for (const e of active) e.ceiling = e.q.ceiling(TICK_S, e.ch.sharers);
    let spent = 0;
    // Rounds of fair shares: a queue that empties leaves its unused share to the others.
    while (active.length && cpu > 0) {
      for (const ch of this.channels.values()) ch.active = 0;
      for (const e of active) e.ch.active++;
      for (const ch of this.channels.values()) ch.share = ch.room / ch.active;
      const cpuShare = cpu / active.length;
      const next: Entry[] = [];
      for (const e of active) {
        const slice = Math.min(e.ch.share, e.ceiling, cpuShare / nsPerByte(e.q.cost));
        if (slice <= 0 || e.ch.room <= 0) continue;
        const s = e.q.serve(slice);
        const ns = costOf(e.q.cost, s);
        cpu -= ns; spent += ns;
        e.ch.room -= s.bytes;
        e.ceiling -= s.bytes;
        if (s.bytes >= slice && e.q.pending()) next.push(e);
      }
      active = next;
    }
    // Work left for want of CPU: the threads stay runnable all the next tick.
    const starved = cpu <= 0 && [...this.entries.keys()].some(q => q.pending());
    const want = starved ? 1 : spent * HEADROOM / (tickNs * online);
    this.setDemand(this.entries.size ? Math.min(1, DOM0_IDLE_DEMAND + want) : DOM0_IDLE_DEMAND);
    if (this.entries.size) this.timer = this.clock.after(BACKEND_TICK_NS, () => this.tick());
  }

  private setDemand(frac: number): void {
    if (frac === this.demand) return;
    this.demand = frac;
    this.dom0.setDemand(frac);
  }
}
