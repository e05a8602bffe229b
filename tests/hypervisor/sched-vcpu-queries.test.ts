// The cheap per-vCPU queries of the scheduler contract (vcpuCpuTimeNs, vcpuStatus), which the
// checkpoint, xentop's samples and `xl list` ask of every vCPU every period, say exactly what the
// full vcpu() query says, in every scheduler, for running, blocked, offline and paused vCPUs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schedulerKind } from '../../src/hypervisor/sched-factory.ts';
import type { Scheduler, SchedulerName } from '../../src/hypervisor/scheduler.ts';

const MS = 1_000_000n;

/** Every vCPU of every domain: what vcpu() says, and what the cheap queries say. */
function views(s: Scheduler, nrVcpus: Map<number, number>) {
  return [...nrVcpus].flatMap(([domid, n]) => Array.from({ length: n }, (_, v) => {
    const full = s.vcpu(domid, v);
    return { full: { cpuTimeNs: full.cpuTimeNs, state: full.state, online: full.online }, cheap: { cpuTimeNs: s.vcpuCpuTimeNs(domid, v), ...s.vcpuStatus(domid, v) } };
  }));
}

for (const name of ['credit2', 'credit', 'rtds', 'null'] as SchedulerName[]) {
  test(`${name}: vcpuCpuTimeNs and vcpuStatus agree with vcpu() at every step`, () => {
    const s = schedulerKind(name).create({ pcpus: [0, 1, 2, 3], nrPcpus: 4 });
    const nr = new Map([[1, 2], [2, 1], [3, 2], [4, 1]]);
    s.addDomain(1, { nrVcpus: 2, demand: 1 });
    s.addDomain(2, { nrVcpus: 1, demand: 0.3 });
    s.addDomain(3, { nrVcpus: 2, demand: 0.6, hardAffinity: [[1], [2, 3]] });
    s.addDomain(4, { nrVcpus: 1, demand: 0.5, cpuTimeNs: [5n * MS] });
    const states = new Set<string>();
    let busy = 0n;
    for (let k = 1n; k <= 60n; k++) {
      if (k === 20n) s.setVcpuOnline(1, 1, false);
      if (k === 30n) s.pauseDomain(2);
      if (k === 40n) s.unpauseDomain(2);
      s.advance(k * 7n * MS);
      for (const { full, cheap } of views(s, nr)) {
        assert.deepEqual(cheap, full);
        states.add(full.state);
        busy += full.cpuTimeNs;
      }
    }
    // The vCPUs went through the states compared, and ran.
    for (const st of ['running', 'offline', 'paused']) assert.ok(states.has(st), `${name}: no vCPU was ${st} (${[...states]})`);
    assert.ok(busy > 0n);
  });
}
