// The RTDS scheduler of one pool over 10 simulated seconds: every vCPU gets exactly its budget in
// every one of its periods while the pool is not over-committed, extratime hands out the slack,
// and an over-committed pool misses deadlines and says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rtds } from '../../src/hypervisor/sched-rtds/rtds.ts';

const S = 1_000_000_000n;
const MS = 1_000_000n;
const US = 1_000;

test('defaults are period 10000 µs, budget 4000 µs, extratime on', () => {
  const r = new Rtds({ pcpus: [0], nrPcpus: 1 });
  r.addDomain(1, { nrVcpus: 2 });
  assert.deepEqual(r.getVcpuParams(1, 1), { periodUs: 10000, budgetUs: 4000, extratime: true });
});

test('not over-committed: each vCPU receives its budget in every period, and no deadline is missed', () => {
  const r = new Rtds({ pcpus: [0], nrPcpus: 1 });
  const params = [{ periodUs: 10000, budgetUs: 4000 }, { periodUs: 10000, budgetUs: 3000 }, { periodUs: 5000, budgetUs: 1000 }];
  params.forEach((p, d) => {
    r.addDomain(d + 1, { nrVcpus: 1, demand: 1 });
    r.setVcpuParams(d + 1, 0, { ...p, extratime: false });
  });
  // New parameters apply from the next replenishment, at 10 ms (the defaults' first deadline), and
  // a vCPU running then keeps the time slice it had: check the periods from 20 ms on.
  r.advance(20n * MS);
  // U = 0.4 + 0.3 + 0.2 = 0.9 <= 1: EDF meets every deadline. Sample at each 5 ms boundary.
  const last = params.map((_, d) => r.domainCpuTimeNs(d + 1));
  const missed = [1, 2, 3].map(d => r.deadlineMisses(d, 0));
  const idle = r.pcpuIdleTimeNs(0);
  for (let k = 5; k <= 2000; k++) {
    r.advance(BigInt(k) * 5n * MS);
    params.forEach((p, d) => {
      if ((k * 5000) % p.periodUs !== 0) return;
      const now = r.domainCpuTimeNs(d + 1);
      assert.ok(Math.abs(Number(now - last[d]!) - p.budgetUs * US) <= 2 * US, `d${d + 1} period ending ${k * 5} ms: ${now - last[d]!} ns`);
      last[d] = now;
    });
  }
  assert.deepEqual([1, 2, 3].map(d => r.deadlineMisses(d, 0)), missed);
  assert.ok(Math.abs(Number(r.pcpuIdleTimeNs(0) - idle) / 1e9 - 0.998) < 0.001, `idle 10% of the time: ${r.pcpuIdleTimeNs(0) - idle}`);
});

test('extratime: a vCPU that used its budget runs on in the slack at a lower priority', () => {
  const r = new Rtds({ pcpus: [0], nrPcpus: 1 });
  r.addDomain(1, { nrVcpus: 1, demand: 1 });
  r.addDomain(2, { nrVcpus: 1, demand: 1 });
  r.setVcpuParams(1, 0, { periodUs: 10000, budgetUs: 2000, extratime: true });
  r.setVcpuParams(2, 0, { periodUs: 10000, budgetUs: 2000, extratime: false });
  r.advance(10n * S);
  assert.ok(Math.abs(Number(r.domainCpuTimeNs(2)) / 1e9 - 2) < 0.01);
  assert.ok(Math.abs(Number(r.domainCpuTimeNs(1)) / 1e9 - 8) < 0.01);
  assert.equal(r.deadlineMisses(2, 0), 0);
});

test('over-committed: deadlines are missed and counted, and the pCPU is never idle', () => {
  const r = new Rtds({ pcpus: [0, 1], nrPcpus: 2 });
  for (const d of [1, 2, 3, 4, 5]) {
    r.addDomain(d, { nrVcpus: 1, demand: 1 });
    r.setVcpuParams(d, 0, { periodUs: 10000, budgetUs: 5000, extratime: false });
  }
  // U = 2.5 on 2 pCPUs (from the first replenishment, when the parameters apply).
  r.advance(20n * MS);
  const idle = [0, 1].map(p => r.pcpuIdleTimeNs(p));
  r.advance(10n * S);
  const misses = [1, 2, 3, 4, 5].reduce((s, d) => s + r.deadlineMisses(d, 0), 0);
  assert.ok(misses >= 900, `misses ${misses}`);
  for (const p of [0, 1]) assert.ok(r.pcpuIdleTimeNs(p) - idle[p]! < 10_000n, `idle ${r.pcpuIdleTimeNs(p) - idle[p]!}`);
  // A pool that is not over-committed again stops missing.
  r.removeDomain(5);
  r.removeDomain(4);
  const before = [1, 2, 3].map(d => r.deadlineMisses(d, 0));
  r.advance(20n * S);
  assert.deepEqual([1, 2, 3].map(d => r.deadlineMisses(d, 0) - before[d - 1]!).map(n => n <= 1), [true, true, true], `${[1, 2, 3].map(d => r.deadlineMisses(d, 0) - before[d - 1]!)}`);
});

test('the r dump lists the queues and every unit as rt_dump_unit does', () => {
  const r = new Rtds({ pcpus: [0], nrPcpus: 1 });
  r.addDomain(3, { nrVcpus: 1, demand: 1 });
  r.advance(S);
  const dump = r.dump();
  assert.equal(dump[0], 'Global RunQueue info:');
  assert.ok(dump.includes('Global RunQueue info:') && dump.includes('Domain info:') && dump.includes('\tdomain: 3'));
  assert.ok(dump.some(l => l.startsWith('[    3.0 ] cpu 0, (10000000, 4000000), cur_b=')), dump.join('\n'));
});
