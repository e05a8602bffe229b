// The null scheduler of one pool: one vCPU per pCPU, for good. A vCPU with no free pCPU waits and
// gets none; it is assigned the pCPU that a leaving vCPU frees; a blocked vCPU's pCPU idles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Null } from '../../src/hypervisor/sched-null/null.ts';

const S = 1_000_000_000n;
const secs = (ns: bigint): number => Number(ns) / 1e9;

test('one vCPU per pCPU over 10 s: the assigned ones never move, the third waits', () => {
  const n = new Null({ pcpus: [0, 1], nrPcpus: 2 });
  n.addDomain(1, { nrVcpus: 1, demand: 1 });
  n.addDomain(2, { nrVcpus: 1, demand: 1 });
  n.addDomain(3, { nrVcpus: 1, demand: 1 });
  const where = [n.assignment(1, 0), n.assignment(2, 0)];
  assert.deepEqual([...where].sort(), [0, 1]);
  assert.equal(n.assignment(3, 0), -1);
  for (let k = 1n; k <= 100n; k++) {
    n.advance(k * S / 10n);
    assert.deepEqual([n.vcpu(1, 0).pcpu, n.vcpu(2, 0).pcpu], where);
    for (const p of [0, 1]) assert.notDeepEqual(n.pcpuCurrent(p), { domid: 3, vcpu: 0 });
  }
  assert.ok(secs(n.domainCpuTimeNs(1)) > 9.99 && secs(n.domainCpuTimeNs(2)) > 9.99);
  assert.equal(n.domainCpuTimeNs(3), 0n);
  // The waiting vCPU takes over the pCPU the destroyed domain frees.
  n.removeDomain(1);
  assert.equal(n.assignment(3, 0), where[0]);
  n.advance(20n * S);
  assert.ok(secs(n.domainCpuTimeNs(3)) > 9.99);
});

test('a blocked vCPU keeps its pCPU, which idles meanwhile; offline gives it up', () => {
  const n = new Null({ pcpus: [0], nrPcpus: 1 });
  n.addDomain(1, { nrVcpus: 1, demand: 0.3 });
  n.addDomain(2, { nrVcpus: 1, demand: 1 });
  n.advance(10n * S);
  assert.ok(Math.abs(secs(n.domainCpuTimeNs(1)) - 3) < 0.01);
  assert.equal(n.domainCpuTimeNs(2), 0n);
  assert.ok(Math.abs(secs(n.pcpuIdleTimeNs(0)) - 7) < 0.01);
  n.setVcpuOnline(1, 0, false);
  assert.equal(n.assignment(2, 0), 0);
  n.advance(20n * S);
  assert.ok(secs(n.domainCpuTimeNs(2)) > 9.99);
  assert.ok(n.dump().includes('\tcpus_free = '));
});

test('a pCPU joining the pool goes to a waiting vCPU', () => {
  const n = new Null({ pcpus: [0], nrPcpus: 2 });
  n.addDomain(1, { nrVcpus: 2, demand: 1 });
  assert.deepEqual([n.assignment(1, 0), n.assignment(1, 1)], [0, -1]);
  n.addPcpu(1);
  n.advance(S);
  assert.deepEqual([n.assignment(1, 0), n.assignment(1, 1)].sort(), [0, 1]);
  assert.ok(secs(n.domainCpuTimeNs(1)) > 1.99);
});
