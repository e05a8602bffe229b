// Host-wide requests: xl info, dmesg, the clock.
import type { Handlers } from './context.ts';
import type { HostInfo } from '../../protocol/host.ts';
import { ToolError } from '../../protocol/wire.ts';
import { DOM0_UTS } from '../../dom0/dom0-kernel.ts';
import { xenCommandLine } from '../../hypervisor/hypervisor.ts';

export const hostHandlers: Handlers = {
  'host.interrupts': host => {
    const dom0 = host.hv.get(0);
    return { text: host.dom0Irqs.procInterrupts(dom0.onlineVcpus, port => dom0.evtchn.ports[port]?.count ?? 0) };
  },
  'host.info': (host): HostInfo => {
    const m = host.machine;
    const freeMiB = Math.floor(host.hv.freePages / 256);
    const perNode = Math.floor(m.spec.memoryMiB / m.nrNodes);
    return {
      host: m.spec.hostname, release: DOM0_UTS.release, version: DOM0_UTS.version, machine: 'x86_64',
      nrCpus: m.spec.nrCpus, maxCpuId: m.spec.nrCpus - 1, nrNodes: m.nrNodes, coresPerSocket: m.coresPerSocket,
      threadsPerCore: m.threadsPerCore, cpuKhz: m.spec.cpuKhz, totalPages: m.totalPages, freePages: host.hv.freePages,
      outstandingPages: 0, freeCpus: host.hv.sched.freeCpus().length, xenMajor: 4, xenMinor: 17, xenExtra: '.7',
      xenCommandline: xenCommandLine(m),
      scheduler: host.hv.sched.get(0)!.sched.name,
      cpuTopology: m.topology,
      numa: Array.from({ length: m.nrNodes }, (_, n) => ({
        memsizeMiB: perNode, memfreeMiB: Math.floor(freeMiB / m.nrNodes),
        distances: Array.from({ length: m.nrNodes }, (_, k) => (k === n ? 10 : 20)),
      })),
      clockMode: host.clock.mode, nowNs: host.clock.now().toString(), wallMs: host.clock.wallMs(),
    };
  },

  'host.dmesg': (host, a: { clear: boolean }) => ({ text: host.hv.console.read(a.clear) }),

  'host.debugKeys': (host, a: { keys: string }) => {
    for (const k of a.keys) host.hv.debugKeys.press(k);
    return {};
  },

  'host.setParameters': (host, a) => { host.toolstack.setParameters(a.params); return {}; },

  'clock.get': host => ({ mode: host.clock.mode, nowNs: host.clock.now().toString(), wallMs: host.clock.wallMs() }),

  'clock.advance': async (host, a: { ns: string }) => {
    if (host.clock.mode !== 'virtual') throw new ToolError('EINVAL', 'the clock is real; only a virtual clock can be advanced (xenlabd start --clock virtual)', 1);
    await host.advance(host.clock.now() + BigInt(a.ns));
    host.checkpoint();
    return { nowNs: host.clock.now().toString() };
  },
};
