// Event channels, 2-level ABI: each domain's ports with their state (free, unbound,
// interdomain, virq, pirq, ipi), its pending and mask bits and each vCPU's pending selector,
// and the EVTCHNOP operations with Xen's errors. A port the domain's kernel has bound to a
// handler is unmasked; a notification sets the pending bit and, unless masked, runs the
// handler (the receiver's upcall), which clears it again.
import { HypervisorError } from './errors.ts';

export const ECS_FREE = 0, ECS_RESERVED = 1, ECS_UNBOUND = 2, ECS_INTERDOMAIN = 3, ECS_PIRQ = 4, ECS_VIRQ = 5, ECS_IPI = 6;
export const VIRQ_TIMER = 0, VIRQ_DEBUG = 1, VIRQ_CONSOLE = 2, VIRQ_DOM_EXC = 3, VIRQ_TBUF = 4;
const NR_VIRQS = 24;
/** libxl's default for max_event_channels. */
export const DEFAULT_MAX_EVTCHN_PORT = 1023;
/** 2-level ABI on 64-bit: 64 words of 64 bits. */
export const BITS_PER_EVTCHN_WORD = 64;
const MAX_2L_PORTS = BITS_PER_EVTCHN_WORD * BITS_PER_EVTCHN_WORD;
/**
 * Ports of the FIFO ABI (EVTCHN_FIFO_NR_CHANNELS). Linux's Dom0 sets it up (EVTCHNOP_init_control):
 * xenstored and xenconsoled bind two ports per guest, so a Dom0 serving more than about 2,000
 * guests needs more than the 2-level ABI's 4,096.
 */
export const EVTCHN_FIFO_NR_CHANNELS = 1 << 17;

export interface Evtchn {
  state: number;
  notifyVcpu: number;
  /** ECS_UNBOUND: who may bind; ECS_INTERDOMAIN: the peer. */
  remoteDomid: number;
  remotePort: number;
  virq: number;
  pirq: number;
  pending: boolean;
  masked: boolean;
  /** Notifications delivered to the handler (the guest's per-port interrupt count). */
  count: number;
  handler: (() => void) | null;
}

function freeChannel(): Evtchn {
  return { state: ECS_FREE, notifyVcpu: 0, remoteDomid: 0, remotePort: 0, virq: 0, pirq: 0, pending: false, masked: true, count: 0, handler: null };
}

const err = (errno: string, what: string): HypervisorError => new HypervisorError(errno, what);
/** Global VIRQs go to vCPU 0 of the domain that bound them. */
const virqIsGlobal = (virq: number): boolean => virq !== VIRQ_TIMER && virq !== VIRQ_DEBUG;

/** One domain's ports. Port 0 is reserved, as in Xen. */
export class EvtchnTable {
  readonly ports: Evtchn[] = [{ ...freeChannel(), state: ECS_RESERVED }];
  /** Per vCPU: the selector words with a pending, unmasked port not yet seen by the upcall. */
  readonly pendingSel: Set<number>[];
  private readonly virqPort = new Map<string, number>();
  /** The ABI's port space: 2-level until the kernel asks for FIFO. */
  private abiPorts = MAX_2L_PORTS;
  /** pirq → its port (one port per pirq). */
  readonly pirqPort = new Map<number, number>();
  dying = false;
  /** No port below this one is free: where the search for the lowest starts (Dom0 holds tens of thousands with as many guests). */
  private freeFrom = 1;

  constructor(readonly domid: number, readonly maxEvtchnPort: number, nrVcpus: number) {
    this.pendingSel = Array.from({ length: Math.max(1, nrVcpus) }, () => new Set<number>());
  }

  /** EVTCHNOP_init_control: the kernel switches to the FIFO ABI. */
  initControlFifo(): void { this.abiPorts = EVTCHN_FIFO_NR_CHANNELS; }

  /** get_free_port: the lowest free port, -ENOSPC past max_event_channels. */
  allocPort(): number {
    if (this.dying) throw err('EINVAL', 'domain is dying');
    for (let port = this.freeFrom; port <= this.maxEvtchnPort && port < this.abiPorts; port++) {
      const chn = this.ports[port];
      if (!chn) this.ports[port] = freeChannel();
      else if (chn.state !== ECS_FREE) continue;
      this.freeFrom = port;
      return port;
    }
    throw err('ENOSPC', 'No space left on device');
  }

  /** The port is free again (closed). */
  release(port: number): void {
    this.ports[port] = freeChannel();
    if (port < this.freeFrom) this.freeFrom = port;
  }

  /** _evtchn_from_port: the channel, or EINVAL for a port never allocated. */
  channel(port: number): Evtchn {
    const chn = port >= 0 ? this.ports[port] : undefined;
    if (!chn) throw err('EINVAL', 'Invalid argument');
    return chn;
  }

  virqToPort(virq: number, vcpu: number): number | undefined { return this.virqPort.get(`${virq}:${vcpu}`); }
  setVirqPort(virq: number, vcpu: number, port: number | undefined): void {
    if (port === undefined) this.virqPort.delete(`${virq}:${vcpu}`); else this.virqPort.set(`${virq}:${vcpu}`, port);
  }

  /** Ports not free, in order. */
  livePorts(): number[] {
    const out: number[] = [];
    for (let p = 1; p < this.ports.length; p++) if (this.ports[p]!.state !== ECS_FREE) out.push(p);
    return out;
  }
}

export interface EvtchnWorld {
  table(domid: number): EvtchnTable | undefined;
  /** The domain that receives global VIRQs (the hardware domain). */
  readonly virqDomain: number;
}

export class EventChannelOps {
  constructor(private readonly w: EvtchnWorld) {}

  private table(domid: number): EvtchnTable {
    const t = this.w.table(domid);
    if (!t) throw err('ESRCH', 'No such process');
    return t;
  }

  /** EVTCHNOP_alloc_unbound: a port of `dom` that `remoteDom` may bind. */
  allocUnbound(dom: number, remoteDom: number): number {
    const t = this.table(dom);
    const port = t.allocPort();
    Object.assign(t.ports[port]!, { state: ECS_UNBOUND, remoteDomid: remoteDom });
    return port;
  }

  /** EVTCHNOP_bind_interdomain: a new port of `dom` joined to `remotePort` of `remoteDom`. */
  bindInterdomain(dom: number, remoteDom: number, remotePort: number): number {
    const lt = this.table(dom), rt = this.table(remoteDom);
    const port = lt.allocPort();
    const rchn = rt.ports[remotePort];
    if (!rchn || rchn.state !== ECS_UNBOUND || rchn.remoteDomid !== dom) throw err('EINVAL', 'Invalid argument');
    Object.assign(lt.ports[port]!, { state: ECS_INTERDOMAIN, remoteDomid: remoteDom, remotePort });
    Object.assign(rchn, { state: ECS_INTERDOMAIN, remoteDomid: dom, remotePort: port });
    // The remote end may have been notified while unbound: nothing was kept, as in Xen.
    return port;
  }

  /** EVTCHNOP_bind_virq. */
  bindVirq(dom: number, virq: number, vcpu = 0): number {
    if (virq < 0 || virq >= NR_VIRQS) throw err('EINVAL', 'Invalid argument');
    if (virqIsGlobal(virq) && vcpu !== 0) throw err('EINVAL', 'Invalid argument');
    const t = this.table(dom);
    if (vcpu < 0 || vcpu >= t.pendingSel.length) throw err('ENOENT', 'No such file or directory');
    if (t.virqToPort(virq, vcpu) !== undefined) throw err('EEXIST', 'File exists');
    const port = t.allocPort();
    Object.assign(t.ports[port]!, { state: ECS_VIRQ, virq, notifyVcpu: vcpu });
    t.setVirqPort(virq, vcpu, port);
    return port;
  }

  /** EVTCHNOP_bind_pirq: a physical IRQ the domain was given (PHYSDEVOP_map_pirq) comes to a new port. */
  bindPirq(dom: number, pirq: number): number {
    const t = this.table(dom);
    if (t.pirqPort.has(pirq)) throw err('EEXIST', 'File exists');
    const port = t.allocPort();
    Object.assign(t.ports[port]!, { state: ECS_PIRQ, pirq });
    t.pirqPort.set(pirq, port);
    return port;
  }

  /** send_guest_pirq: the IRQ fired; nothing happens while no port is bound. */
  sendPirq(dom: number, pirq: number): void {
    const port = this.w.table(dom)?.pirqPort.get(pirq);
    if (port !== undefined) this.setPending(dom, port);
  }

  /** EVTCHNOP_bind_ipi. */
  bindIpi(dom: number, vcpu: number): number {
    const t = this.table(dom);
    if (vcpu < 0 || vcpu >= t.pendingSel.length) throw err('ENOENT', 'No such file or directory');
    const port = t.allocPort();
    Object.assign(t.ports[port]!, { state: ECS_IPI, notifyVcpu: vcpu });
    return port;
  }

  /** The kernel binds a port to its handler (bind_evtchn_to_irq): unmasked from then on. */
  setHandler(dom: number, port: number, handler: (() => void) | null): void {
    const chn = this.table(dom).channel(port);
    chn.handler = handler;
    if (handler) this.unmask(dom, port); else chn.masked = true;
  }

  /** EVTCHNOP_send. */
  send(dom: number, port: number): void {
    const chn = this.table(dom).channel(port);
    if (chn.state === ECS_INTERDOMAIN) this.setPending(chn.remoteDomid, chn.remotePort);
    else if (chn.state === ECS_IPI) this.setPending(dom, port);
    else if (chn.state !== ECS_UNBOUND) throw err('EINVAL', 'Invalid argument');
  }

  /** send_guest_vcpu_virq / send_global_virq: nothing happens when no port is bound. */
  sendVirq(virq: number, dom = this.w.virqDomain, vcpu = 0): void {
    const port = this.w.table(dom)?.virqToPort(virq, vcpu);
    if (port !== undefined) this.setPending(dom, port);
  }

  /** EVTCHNOP_unmask: a pending port now reaches its handler. */
  unmask(dom: number, port: number): void {
    const t = this.table(dom);
    const chn = t.channel(port);
    if (!chn.masked) return;
    chn.masked = false;
    if (chn.pending) this.select(t, port, chn);
  }

  /** EVTCHNOP_close; the peer of an interdomain channel is left unbound, waiting for this domain again. */
  close(dom: number, port: number): void {
    const t = this.table(dom);
    const chn = t.channel(port);
    if (chn.state === ECS_FREE || chn.state === ECS_RESERVED) throw err('EINVAL', 'Invalid argument');
    if (chn.state === ECS_VIRQ) t.setVirqPort(chn.virq, virqIsGlobal(chn.virq) ? 0 : chn.notifyVcpu, undefined);
    if (chn.state === ECS_PIRQ) t.pirqPort.delete(chn.pirq);
    if (chn.state === ECS_INTERDOMAIN) {
      const peer = this.w.table(chn.remoteDomid)?.ports[chn.remotePort];
      if (peer) Object.assign(peer, { state: ECS_UNBOUND, remoteDomid: dom, remotePort: 0 });
    }
    t.release(port);
  }

  /** evtchn_destroy: a dying domain's ports are all closed. */
  destroy(dom: number): void {
    const t = this.w.table(dom);
    if (!t) return;
    t.dying = true;
    for (const port of t.livePorts()) this.close(dom, port);
  }

  private setPending(dom: number, port: number): void {
    const t = this.w.table(dom);
    const chn = t?.ports[port];
    if (!t || !chn || chn.pending) return;
    chn.pending = true;
    if (!chn.masked) this.select(t, port, chn);
  }

  /** Set the vCPU's selector bit and run the upcall: the handler sees the event and clears it. */
  private select(t: EvtchnTable, port: number, chn: Evtchn): void {
    const sel = t.pendingSel[chn.notifyVcpu] ?? t.pendingSel[0]!;
    const word = Math.floor(port / BITS_PER_EVTCHN_WORD);
    sel.add(word);
    if (!chn.handler) return;
    chn.pending = false;
    let still = false;
    for (let p = word * BITS_PER_EVTCHN_WORD; p < (word + 1) * BITS_PER_EVTCHN_WORD && !still; p++) still = !!t.ports[p]?.pending && !t.ports[p]!.masked;
    if (!still) sel.delete(word);
    chn.count++;
    chn.handler();
  }
}
