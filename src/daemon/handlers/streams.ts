// Streaming requests: xentop statistics, console attach, waits for domain state, lifecycle events.
import type { Host } from '../host.ts';
import type { StatsSample } from '../../protocol/stats.ts';
import { ShutdownReason } from '../../protocol/domain.ts';
import type { StreamType, Streams } from '../../protocol/streams.ts';
import { ToolError } from '../../protocol/wire.ts';
import { bytesFromText, textFromBytes } from '../../formats/byte-text.ts';

/** What a stream's handler may do: send events of its type, end or fail it, take the tool's input. */
export interface StreamCtx<E = unknown> {
  emit(event: E): void;
  end(): void;
  fail(e: ToolError): void;
  onInput(cb: (x: unknown) => void): void;
}
/** Starts a stream of type T; returns its cleanup, called when either side closes it. */
export type StreamHandler<T extends StreamType> = (host: Host, args: Streams[T]['args'], ctx: StreamCtx<Streams[T]['event']>) => (() => void) | void;

/** Handlers for some of the stream types (each module exports those of its area). */
export type StreamHandlers = { [T in StreamType]?: StreamHandler<T> };

export function statsSample(host: Host): StatsSample {
  const domains = [...host.hv.domains.keys()].sort((a, b) => a - b).map(domid => {
    const i = host.toolstack.info(domid);
    const d = host.hv.get(domid);
    // A plain loop (Array.from over an array-like costs several times more, for each of 1,000s of domains per sample).
    const vcpus: StatsSample['domains'][number]['vcpus'] = [];
    for (let v = 0; v < d.maxVcpus; v++) vcpus.push({ id: v, online: host.hv.sched.vcpuStatus(domid, v).online, ns: Number(host.hv.vcpuTimeNs(domid, v)) });
    return {
      domid, name: i.name ?? '(null)', running: i.running, blocked: i.blocked, paused: i.paused,
      shutdown: i.shutdown && i.shutdownReason !== ShutdownReason.crash, crashed: i.shutdown && i.shutdownReason === ShutdownReason.crash, dying: i.dying,
      cpuNs: Number(i.cpuTimeNs), curMemKb: i.currentMemkb, maxMemKb: i.maxMemkb < 0 ? null : i.maxMemkb,
      vcpus,
      nets: host.netData.stats(domid), vbds: host.blkData.stats(domid), ssid: d.ssidref,
    };
  });
  return {
    ns: Number(host.clock.now()), wallMs: host.clock.wallMs(), xenVersion: '4.17.7',
    totalMemKb: host.machine.totalPages * 4, freeMemKb: host.hv.freePages * 4,
    nrCpus: host.machine.spec.nrCpus, cpuMhz: Math.round(host.machine.mhz), domains,
  };
}

export const streamHandlers: StreamHandlers = {
  'stats.watch': (host, a, ctx) => {
    const delay = BigInt(a.delayNs);
    const tick = () => { ctx.emit(statsSample(host)); timer = host.clock.after(delay, tick); };
    ctx.emit(statsSample(host));
    let timer = host.clock.after(delay, tick);
    return () => host.clock.cancel(timer);
  },

  'console.attach': (host, a, ctx) => {
    const domid = host.toolstack.resolve(a.dom);
    const kind = a.type ?? host.toolstack.primaryConsole(domid);
    const att = host.xenconsoled.attach(domid, kind, d => { if (d === '') { ctx.emit({ closed: true }); ctx.end(); } else ctx.emit({ data: bytesFromText(d).toString('base64') }); });
    if (!att) { ctx.fail(new ToolError('ENOCONSOLE', 'Unable to attach console', 1)); return; }
    ctx.emit({ domid, data: bytesFromText(att.history).toString('base64') });
    ctx.onInput(x => att.input(textFromBytes(Buffer.from(String(x), 'base64'))));
    return () => att.detach();
  },

  'domain.wait': (host, a, ctx) => {
    let live = true;
    void host.toolstack.waitFor(a.domid, a.until).then(() => { if (live) { ctx.emit({ reached: true }); ctx.end(); } });
    return () => { live = false; };
  },

  'events.watch': (host, _a, ctx) => host.onEvent(e => ctx.emit(e)),
};
