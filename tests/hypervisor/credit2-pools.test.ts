// credit2 in cpupools: a domain runs only on its pool's pCPUs, each pool (credit2 instance) has its
// own ratelimit, pCPUs and domains move between pools, runqueues split as credit2 splits them,
// and load spreads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Credit2, validateCap, validateRatelimit, validateWeight } from '../../src/hypervisor/credit2/index.ts';
import { Cpupools } from '../../src/hypervisor/cpupools.ts';

const S = 1_000_000_000n;

/** CPU times are exact up to the 1 µs tickle latencies a scenario goes through. */
const nearNs = (got: bigint, want: bigint, what = ''): void => {
  const d = got > want ? got - want : want - got;
  assert.ok(d <= 50_000n, `${what} got ${got}, want ${want} ± 50us`);
};

test('runqueues: at most 16 pCPUs each, spread evenly', () => {
  assert.deepEqual(new Credit2({ nrPcpus: 4 }).runqueues(), [[0, 1, 2, 3]]);
  assert.deepEqual(new Credit2({ nrPcpus: 64 }).runqueues().map(r => r.length), [16, 16, 16, 16]);
  assert.deepEqual(new Credit2({ nrPcpus: 20 }).runqueues().map(r => r.length), [10, 10]);
  assert.deepEqual(new Credit2({ nrPcpus: 8, runqueuePerSocket: 4 }).runqueues(), [[0, 1, 2, 3], [4, 5, 6, 7]]);
  assert.deepEqual(new Credit2({ nrPcpus: 8, pcpus: [2, 3, 5] }).runqueues(), [[2, 3, 5]], 'a pool\'s runqueues hold its pCPUs only');
});

/** A host whose pCPUs `cpus` make a second credit2 pool, 'batch'. */
function split(nrPcpus: number, cpus: number[]): Cpupools {
  const c = new Cpupools({ nrPcpus, sched: 'credit2' });
  c.create('batch', 'credit2');
  for (const cpu of cpus) { c.removeCpu(0, cpu); c.addCpu(1, cpu); }
  return c;
}

test('a domain in another pool runs only on that pool\'s pCPUs', () => {
  const c = split(4, [2, 3]);
  assert.deepEqual(c.get(0)!.cpus, [0, 1]);
  assert.deepEqual(c.get(1)!.cpus, [2, 3]);
  c.addDomain(1, 1, { nrVcpus: 4, demand: 1 });
  c.addDomain(2, 0, { nrVcpus: 1, demand: 1 });
  for (let i = 1; i <= 100; i++) {
    c.advance(BigInt(i) * 10_000_000n);
    for (let v = 0; v < 4; v++) assert.ok([2, 3].includes(c.vcpu(1, v).pcpu));
    assert.ok([0, 1].includes(c.vcpu(2, 0).pcpu));
  }
  // Four vCPUs share two pCPUs; Pool-0 keeps one pCPU idle.
  nearNs(c.domainCpuTimeNs(1), 2n * S);
  nearNs(c.domainCpuTimeNs(2), 1n * S);
  nearNs(c.pcpuIdleTimeNs(0) + c.pcpuIdleTimeNs(1), 1n * S);
  assert.throws(() => c.destroy(1), { errno: 'EBUSY' });
  c.removeCpu(1, 3);
  c.addCpu(0, 3);
  assert.throws(() => c.removeCpu(1, 2), { errno: 'EBUSY' }, 'the last pCPU of a pool with domains stays');
  assert.throws(() => c.removeCpu(0, 0), { errno: 'EINVAL' }, 'pCPU 0 stays in Pool-0');
  assert.throws(() => c.addCpu(0, 2), { errno: 'ENODEV' }, 'a pCPU of another pool cannot be added');
  assert.throws(() => c.removeCpu(0, 2), { errno: 'EADDRNOTAVAIL' }, 'a pCPU not in the pool cannot be removed');
});

test('moving pCPUs and domains between pools', () => {
  const c = new Cpupools({ nrPcpus: 4, sched: 'credit2' });
  c.addDomain(1, 0, { nrVcpus: 4, demand: 1 });
  c.advance(1n * S);
  nearNs(c.domainCpuTimeNs(1), 4n * S);
  c.create('p1', 'credit2');
  c.removeCpu(0, 3);
  c.addCpu(1, 3);
  c.advance(2n * S);
  nearNs(c.domainCpuTimeNs(1), 7n * S, 'three pCPUs left in Pool-0');
  c.moveDomain(1, 1);
  nearNs(c.domainCpuTimeNs(1), 7n * S, 'the CPU time moves with the domain');
  c.advance(3n * S);
  nearNs(c.domainCpuTimeNs(1), 8n * S, 'one pCPU in p1');
  c.removeCpu(0, 2);
  c.addCpu(1, 2);
  assert.deepEqual(c.get(1)!.cpus, [2, 3]);
  c.advance(4n * S);
  nearNs(c.domainCpuTimeNs(1), 10n * S);
  c.moveDomain(1, 0);
  c.removeCpu(1, 2);
  c.removeCpu(1, 3);
  c.destroy(1);
  const idle3 = c.pcpuIdleTimeNs(3);
  c.advance(5n * S);
  nearNs(c.domainCpuTimeNs(1), 12n * S, 'Pool-0 has pCPUs 0 and 1; 2 and 3 are free');
  nearNs(c.pcpuIdleTimeNs(3) - idle3, 1n * S, 'a free pCPU idles');
  nearNs(c.pcpuIdleTimeNs(3), 2n * S, 'pCPU 3 idled in p1 before the domain came (1 s) and while free (1 s)');
});

test('each pool has its own ratelimit', () => {
  const c = split(2, [1]);
  const [p0, p1] = [c.get(0)!.sched, c.get(1)!.sched] as Credit2[];
  p1!.setRatelimit(100);
  assert.equal(p0!.getRatelimit(), 1000);
  assert.equal(p1!.getRatelimit(), 100);
});

test('load spreads over runqueues and nothing idles while work waits', () => {
  const c = new Credit2({ nrPcpus: 8, runqueuePerSocket: 4 });
  // All start in the first runqueue's reach; half of them must end up running on the second.
  for (let d = 1; d <= 12; d++) c.addDomain(d, { nrVcpus: 1, demand: 1 });
  c.advance(2n * S);
  for (let p = 0; p < 8; p++) nearNs(c.pcpuIdleTimeNs(p), 0n, `pCPU ${p} idled`);
  const times = c.domains().map(d => Number(c.domainCpuTimeNs(d)) / 2e9);
  for (const t of times) assert.ok(t > 0.5 && t < 0.85, `share ${t} (8 pCPUs for 12 vCPUs: 0.67 each)`);
});

test('parameter validation texts', () => {
  assert.equal(validateWeight(256), null);
  assert.match(validateWeight(0)!, /out of range/);
  assert.match(validateWeight(70000)!, /1 to 65535/);
  assert.equal(validateCap(200, 2), null);
  assert.equal(validateCap(300, 2), 'EINVAL');
  assert.equal(validateRatelimit(0), null);
  assert.match(validateRatelimit(50)!, /100 to 500000/);
});

test('a vCPU tickled to a pCPU that then leaves the pool still gets its share', () => {
  // Both vCPUs wake at once on a two-pCPU pool, one of them tickled to pCPU 2, which leaves
  // before its tickle lands: the pool's last pCPU must still alternate between them.
  const c = new Credit2({ nrPcpus: 4, pcpus: [2, 3] });
  c.addDomain(1, { nrVcpus: 2, paused: true });
  c.setDemand(1, 0, 1);
  c.setDemand(1, 1, 1);
  c.unpauseDomain(1);
  c.removePcpu(2);
  c.advance(2n * S);
  nearNs(c.vcpu(1, 0).cpuTimeNs, 1n * S, 'vCPU 0');
  nearNs(c.vcpu(1, 1).cpuTimeNs, 1n * S, 'vCPU 1');
});
