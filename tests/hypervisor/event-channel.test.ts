// Event channels, 2-level ABI: port states and Xen's errors for alloc_unbound,
// bind_interdomain, bind_virq, send, close and unmask; pending, mask and selector bits; the
// receiver's handler run by a notification; VIRQ_DOM_EXC to Dom0; a dying domain's ports closed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine, DEFAULT_MACHINE } from '../../src/machine/host.ts';
import { Clock } from '../../src/machine/clock.ts';
import { Hypervisor } from '../../src/hypervisor/hypervisor.ts';
import { ECS_FREE, ECS_INTERDOMAIN, ECS_RESERVED, ECS_UNBOUND, ECS_VIRQ, VIRQ_DOM_EXC, VIRQ_TIMER } from '../../src/hypervisor/event-channel.ts';
import { eventChannelInfo } from '../../src/hypervisor/keyhandlers/dump-evtchn.ts';

function host(maxEvtchnPort?: number): Hypervisor {
  const hv = new Hypervisor(new Machine(DEFAULT_MACHINE), new Clock('virtual', 0));
  const spec = (uuid: string) => ({ type: 'pv' as const, uuid, maxVcpus: 2, onlineVcpus: 2, maxMemkb: 65536, memkb: 65536, weight: 256, cap: 0, poolId: 0, affinity: [{ hard: null, soft: null }, { hard: null, soft: null }], maxEvtchnPort });
  hv.createDomain(spec('00000000-0000-0000-0000-000000000000'), 0);
  hv.createDomain(spec('11111111-1111-1111-1111-111111111111'), 1);
  return hv;
}
const errno = (fn: () => unknown): string => { try { fn(); } catch (e) { return (e as { errno: string }).errno; } return 'none'; };

test('alloc_unbound then bind_interdomain joins the two ports; send reaches the other end\'s handler', () => {
  const hv = host();
  const fe = hv.evtchn.allocUnbound(1, 0);
  assert.equal(fe, 1, 'port 0 is reserved');
  assert.equal(hv.get(1).evtchn.ports[0]!.state, ECS_RESERVED);
  assert.equal(hv.get(1).evtchn.ports[fe]!.state, ECS_UNBOUND);
  assert.equal(errno(() => hv.evtchn.bindInterdomain(1, 1, fe)), 'EINVAL', 'only the named remote domain may bind');
  assert.equal(errno(() => hv.evtchn.bindInterdomain(0, 1, 99)), 'EINVAL');
  assert.equal(errno(() => hv.evtchn.bindInterdomain(0, 9, fe)), 'ESRCH');
  let backendSaw = 0, frontendSaw = 0;
  const be = hv.evtchn.bindInterdomain(0, 1, fe);
  hv.evtchn.setHandler(0, be, () => backendSaw++);
  hv.evtchn.setHandler(1, fe, () => frontendSaw++);
  assert.deepEqual([hv.get(1).evtchn.ports[fe]!.state, hv.get(1).evtchn.ports[fe]!.remotePort], [ECS_INTERDOMAIN, be]);
  hv.evtchn.send(1, fe);
  hv.evtchn.send(0, be);
  assert.deepEqual([backendSaw, frontendSaw], [1, 1]);
  assert.equal(hv.get(0).evtchn.ports[be]!.pending, false, 'the handler consumed it');
  assert.equal(hv.get(0).evtchn.ports[be]!.count, 1);
});

test('a masked port stays pending (with no selector bit) until unmasked; a port without a handler keeps its bits', () => {
  const hv = host();
  const fe = hv.evtchn.allocUnbound(1, 0);
  const be = hv.evtchn.bindInterdomain(0, 1, fe);
  hv.evtchn.send(0, be);
  const chn = hv.get(1).evtchn.ports[fe]!;
  assert.deepEqual([chn.pending, chn.masked], [true, true]);
  let saw = 0;
  hv.evtchn.setHandler(1, fe, () => saw++);
  assert.equal(saw, 1, 'delivered at unmask');
  assert.equal(chn.pending, false);
  // Unbound from its handler again (masked): pending stays set, the dump shows [1/1/0].
  hv.evtchn.setHandler(1, fe, null);
  hv.evtchn.send(0, be);
  const line = eventChannelInfo(hv).find(l => l.startsWith(`       ${fe} [`) && l.includes(' d=0 '));
  assert.equal(line, `       ${fe} [1/1/0]: s=3 n=0 x=0 d=0 p=${be}`);
});

test('close leaves the peer unbound waiting for the closer; errors on free and reserved ports', () => {
  const hv = host();
  const fe = hv.evtchn.allocUnbound(1, 0);
  const be = hv.evtchn.bindInterdomain(0, 1, fe);
  hv.evtchn.close(1, fe);
  assert.equal(hv.get(1).evtchn.ports[fe]!.state, ECS_FREE);
  assert.deepEqual([hv.get(0).evtchn.ports[be]!.state, hv.get(0).evtchn.ports[be]!.remoteDomid], [ECS_UNBOUND, 1]);
  hv.evtchn.send(0, be); // an unbound port: dropped silently
  assert.equal(errno(() => hv.evtchn.close(1, fe)), 'EINVAL');
  assert.equal(errno(() => hv.evtchn.close(1, 0)), 'EINVAL');
  assert.equal(errno(() => hv.evtchn.send(1, 500)), 'EINVAL');
  assert.equal(errno(() => hv.evtchn.unmask(1, 500)), 'EINVAL');
  // The freed port is the lowest free one again.
  assert.equal(hv.evtchn.allocUnbound(1, 0), fe);
});

test('bind_virq: per-vCPU timers, global VIRQs on vCPU 0 only, EEXIST twice; VIRQ_DOM_EXC reaches Dom0 on shutdown and destroy', () => {
  const hv = host();
  const t0 = hv.evtchn.bindVirq(1, VIRQ_TIMER, 0), t1 = hv.evtchn.bindVirq(1, VIRQ_TIMER, 1);
  assert.notEqual(t0, t1);
  assert.equal(hv.get(1).evtchn.ports[t1]!.notifyVcpu, 1);
  assert.equal(errno(() => hv.evtchn.bindVirq(1, VIRQ_TIMER, 1)), 'EEXIST');
  assert.equal(errno(() => hv.evtchn.bindVirq(0, VIRQ_DOM_EXC, 1)), 'EINVAL');
  assert.equal(errno(() => hv.evtchn.bindVirq(1, VIRQ_TIMER, 5)), 'ENOENT');
  assert.equal(errno(() => hv.evtchn.bindVirq(1, 99)), 'EINVAL');
  let exc = 0;
  const p = hv.evtchn.bindVirq(0, VIRQ_DOM_EXC);
  assert.equal(hv.get(0).evtchn.ports[p]!.state, ECS_VIRQ);
  hv.evtchn.setHandler(0, p, () => exc++);
  hv.shutdownDomain(1, 0);
  assert.equal(exc, 1);
  hv.destroyDomain(1);
  assert.equal(exc, 2);
  hv.evtchn.close(0, p);
  assert.equal(hv.get(0).evtchn.virqToPort(VIRQ_DOM_EXC, 0), undefined);
  assert.equal(hv.evtchn.bindVirq(0, VIRQ_DOM_EXC), p, 'bindable again');
});

test('max_event_channels bounds the ports (ENOSPC); a dying domain\'s channels are closed, its peers left unbound', () => {
  const hv = host(3);
  for (let i = 0; i < 3; i++) hv.evtchn.allocUnbound(1, 0);
  assert.equal(errno(() => hv.evtchn.allocUnbound(1, 0)), 'ENOSPC');
  const be = hv.evtchn.bindInterdomain(0, 1, 2);
  hv.destroyDomain(1);
  assert.deepEqual([hv.get(0).evtchn.ports[be]!.state, hv.get(0).evtchn.ports[be]!.remoteDomid], [ECS_UNBOUND, 1]);
});

test("'e' dump: Xen 4.17's header and one line per port", () => {
  const hv = host();
  const fe = hv.evtchn.allocUnbound(1, 0);
  const be = hv.evtchn.bindInterdomain(0, 1, fe);
  hv.evtchn.setHandler(0, be, () => {});
  const t = hv.evtchn.bindVirq(1, VIRQ_TIMER, 1);
  const unbound = hv.evtchn.allocUnbound(1, 0);
  assert.deepEqual(eventChannelInfo(hv), [
    "'e' pressed -> dumping event-channel info",
    'Event channel information for domain 0:', 'Polling vCPUs: {}', '    port [p/m/s]',
    `       ${be} [0/0/0]: s=3 n=0 x=0 d=1 p=${fe}`,
    'Event channel information for domain 1:', 'Polling vCPUs: {}', '    port [p/m/s]',
    `       ${fe} [0/1/0]: s=3 n=0 x=0 d=0 p=${be}`,
    `       ${t} [0/1/0]: s=5 n=1 x=0 v=0`,
    `       ${unbound} [0/1/0]: s=2 n=0 x=0 d=0`,
  ]);
});

test('get_free_port stays the lowest free port through many allocations, closes and failed binds', () => {
  const hv = host();
  const lowestFree = (): number => { const ps = hv.get(0).evtchn.ports; for (let p = 1; p < ps.length; p++) if (ps[p]!.state === ECS_FREE) return p; return ps.length; };
  const held: number[] = [];
  for (let i = 0; i < 300; i++) {
    const want = lowestFree();
    if (i % 7 === 3) {
      // A bind that fails after its port was picked leaves that port free for the next one.
      assert.equal(errno(() => hv.evtchn.bindInterdomain(0, 1, 9999)), 'EINVAL');
      assert.equal(hv.get(0).evtchn.ports[want]?.state ?? ECS_FREE, ECS_FREE);
      continue;
    }
    const port = hv.evtchn.allocUnbound(0, 1);
    assert.equal(port, want, `allocation ${i}`);
    held.push(port);
    if (i % 5 === 4) for (const p of held.splice(i % 3, 2)) hv.evtchn.close(0, p);
  }
  assert.ok(held.length > 150);
});
