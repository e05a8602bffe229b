// The credit (credit1) scheduler of one pool, driven directly over 10 simulated seconds and
// checked against credit.c's formulas: CPU shared by weight, caps, boost on wake-up, idle pCPUs
// stealing work, and the pool-wide parameters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Credit } from '../../src/hypervisor/sched-credit/credit.ts';

const S = 1_000_000_000n;
const secs = (ns: bigint): number => Number(ns) / 1e9;

test('weights 256 and 512 on one pCPU share it 1:2 within 3%', () => {
  const c = new Credit({ pcpus: [0], nrPcpus: 1 });
  c.addDomain(1, { nrVcpus: 1, demand: 1, weight: 256 });
  c.addDomain(2, { nrVcpus: 1, demand: 1, weight: 512 });
  c.advance(10n * S);
  const a = secs(c.domainCpuTimeNs(1)), b = secs(c.domainCpuTimeNs(2));
  assert.ok(Math.abs(a + b - 10) < 0.01, `the pCPU never idles: ${a + b}`);
  assert.ok(Math.abs(b / a - 2) / 2 < 0.03, `share ${a.toFixed(3)} : ${b.toFixed(3)}`);
});

test('cap 50 holds a CPU-bound vCPU at 50% of a pCPU even when another is idle', () => {
  const c = new Credit({ pcpus: [0, 1], nrPcpus: 2 });
  c.addDomain(1, { nrVcpus: 1, demand: 1, cap: 50 });
  c.addDomain(2, { nrVcpus: 1, demand: 1 });
  c.advance(10n * S);
  assert.ok(Math.abs(secs(c.domainCpuTimeNs(1)) - 5) < 0.15, `capped: ${secs(c.domainCpuTimeNs(1))}`);
  assert.ok(secs(c.domainCpuTimeNs(2)) > 9.9, 'the uncapped one has its own pCPU');
  // Lifting the cap gives the vCPU the whole pCPU from the next accounting.
  c.setDomainParams(1, { cap: 0 });
  const before = c.domainCpuTimeNs(1);
  c.advance(20n * S);
  assert.ok(secs(c.domainCpuTimeNs(1) - before) > 9.8);
});

test('a vCPU waking up is boosted: it gets its small demand at once next to a CPU hog', () => {
  const c = new Credit({ pcpus: [0], nrPcpus: 1 });
  c.addDomain(1, { nrVcpus: 1, demand: 1 });
  c.addDomain(2, { nrVcpus: 1, demand: 0.05 });
  c.advance(10n * S);
  assert.ok(Math.abs(secs(c.domainCpuTimeNs(2)) - 0.5) < 0.03, `waker: ${secs(c.domainCpuTimeNs(2))}`);
  assert.ok(secs(c.domainCpuTimeNs(1)) > 9.4);
});

test('idle pCPUs steal queued work: 3 CPU-bound vCPUs on 2 pCPUs get 2/3 each and no pCPU idles', () => {
  const c = new Credit({ pcpus: [0, 1], nrPcpus: 2 });
  for (const d of [1, 2, 3]) c.addDomain(d, { nrVcpus: 1, demand: 1 });
  c.advance(10n * S);
  for (const d of [1, 2, 3]) assert.ok(Math.abs(secs(c.domainCpuTimeNs(d)) - 20 / 3) < 0.2, `d${d}: ${secs(c.domainCpuTimeNs(d))}`);
  for (const p of [0, 1]) assert.ok(secs(c.pcpuIdleTimeNs(p)) < 0.01);
});

test('a pinned vCPU stays on its pCPU; pCPUs join and leave the pool', () => {
  const c = new Credit({ pcpus: [0, 1], nrPcpus: 3 });
  c.addDomain(1, { nrVcpus: 2, demand: 1, hardAffinity: [[1], null] });
  c.advance(S);
  assert.equal(c.vcpu(1, 0).pcpu, 1);
  c.addPcpu(2);
  assert.deepEqual(c.pcpus(), [0, 1, 2]);
  c.removePcpu(1);
  c.advance(2n * S);
  // Pinned outside the pool counts as the whole pool, as Xen's effective affinity does.
  assert.ok([0, 2].includes(c.vcpu(1, 0).pcpu));
  assert.ok(secs(c.domainCpuTimeNs(1)) > 3.9);
});

test('pool parameters: time slice, ratelimit, migration delay, and the r dump shows them', () => {
  const c = new Credit({ pcpus: [0], nrPcpus: 1 });
  assert.deepEqual(c.getParams(), { tsliceMs: 30, ratelimitUs: 1000, migrDelayUs: 0 });
  c.setParams({ tsliceMs: 10, ratelimitUs: 500, migrDelayUs: 100 });
  c.addDomain(1, { nrVcpus: 1, demand: 1, weight: 128 });
  c.addDomain(2, { nrVcpus: 1, demand: 1, weight: 384 });
  c.advance(10n * S);
  const a = secs(c.domainCpuTimeNs(1)), b = secs(c.domainCpuTimeNs(2));
  assert.ok(Math.abs(b / a - 3) / 3 < 0.03, `share ${a} : ${b}`);
  const dump = c.dump();
  assert.equal(dump[0], 'info:');
  assert.match(c.dumpCpu(0)[0]!, /^CPU\[00\] nr_run=\d, sort=\d+, sibling=\{0\}, core=\{0\}$/);
  assert.ok(dump.includes('\ttslice             = 10ms'));
  assert.ok(dump.includes('\tratelimit          = 500us'));
  assert.ok(dump.includes('\tticks per tslice   = 3'));
  assert.ok(dump.some(l => /^\t  \d: \[2\.0\] pri=-?\d+ flags=\d+ cpu=0 credit=-?\d+ \[w=384,cap=0\]$/.test(l)), dump.join('\n'));
});
