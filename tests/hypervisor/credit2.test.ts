// credit2 model against the oracles of simulation.md §3.3: shares from weights, caps, work
// conservation, demand, affinity, pause, ratelimit, determinism.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Credit2 } from '../../src/hypervisor/credit2/index.ts';

const S = 1_000_000_000n;

/** CPU times are exact up to the 1 µs tickle latencies a scenario goes through. */
const nearNs = (got: bigint, want: bigint, what = ''): void => {
  const d = got > want ? got - want : want - got;
  assert.ok(d <= 50_000n, `${what} got ${got}, want ${want} ± 50us`);
};
const share = (c: Credit2, dom: number, over: bigint): number => Number(c.domainCpuTimeNs(dom)) / Number(over);
const near = (got: number, want: number, tol: number, what: string): void =>
  assert.ok(Math.abs(got - want) <= tol, `${what}: got ${got.toFixed(4)}, want ${want} ± ${tol}`);

test('weights 256:512 pinned to one pCPU share it 1/3 : 2/3', () => {
  const c = new Credit2({ nrPcpus: 2 });
  c.addDomain(1, { nrVcpus: 1, weight: 256, demand: 1, hardAffinity: [[0]] });
  c.addDomain(2, { nrVcpus: 1, weight: 512, demand: 1, hardAffinity: [[0]] });
  c.advance(10n * S);
  near(share(c, 1, 10n * S), 1 / 3, 0.03 / 3, 'weight 256');
  near(share(c, 2, 10n * S), 2 / 3, 0.03 * 2 / 3, 'weight 512');
  assert.equal(c.vcpu(1, 0).pcpu, 0);
  assert.equal(c.vcpu(2, 0).pcpu, 0);
  nearNs(c.pcpuIdleTimeNs(0), 0n);
  nearNs(c.pcpuIdleTimeNs(1), 10n * S, 'pCPU 1 is outside both hard affinities');
});

test('weights 256/256/512 on one pCPU give 25/25/50', () => {
  const c = new Credit2({ nrPcpus: 1 });
  c.addDomain(1, { nrVcpus: 1, demand: 1 });
  c.addDomain(2, { nrVcpus: 1, demand: 1 });
  c.addDomain(3, { nrVcpus: 1, weight: 512, demand: 1 });
  c.advance(10n * S);
  near(share(c, 1, 10n * S), 0.25, 0.0075, 'dom 1');
  near(share(c, 2, 10n * S), 0.25, 0.0075, 'dom 2');
  near(share(c, 3, 10n * S), 0.5, 0.015, 'dom 3');
});

test('weight 1 against 65535 is starved to the minimum slices', () => {
  const c = new Credit2({ nrPcpus: 1 });
  c.addDomain(1, { nrVcpus: 1, weight: 1, demand: 1 });
  c.addDomain(2, { nrVcpus: 1, weight: 65535, demand: 1 });
  c.advance(10n * S);
  assert.ok(share(c, 1, 10n * S) < 0.1, `weight 1 got ${share(c, 1, 10n * S)}`);
  assert.ok(share(c, 2, 10n * S) > 0.9);
});

test('work conservation: when the heavy domain blocks the light one gets the pCPU', () => {
  const c = new Credit2({ nrPcpus: 1 });
  c.addDomain(1, { nrVcpus: 1, weight: 256, demand: 1 });
  c.addDomain(2, { nrVcpus: 1, weight: 512, demand: 1 });
  c.advance(1n * S);
  c.setDemand(2, 0, 0);
  const before = c.domainCpuTimeNs(1);
  c.advance(3n * S);
  near(Number(c.domainCpuTimeNs(1) - before) / 2e9, 1, 0.001, 'alone');
  assert.equal(c.vcpu(2, 0).state, 'blocked');
  // And a partly busy heavy domain leaves the rest to the light one; nothing idles.
  c.setDemand(2, 0, 0.3);
  const a1 = c.domainCpuTimeNs(1), a2 = c.domainCpuTimeNs(2), idle = c.pcpuIdleTimeNs(0);
  c.advance(8n * S);
  near(Number(c.domainCpuTimeNs(2) - a2) / 5e9, 0.3, 0.01, 'duty cycle 30%');
  near(Number(c.domainCpuTimeNs(1) - a1) / 5e9, 0.7, 0.01, 'the rest');
  nearNs(c.pcpuIdleTimeNs(0), idle);
});

test('cap 50 alone on a pCPU gives 50% and the pCPU idles the rest', () => {
  const c = new Credit2({ nrPcpus: 1 });
  c.addDomain(1, { nrVcpus: 1, cap: 50, demand: 1 });
  c.advance(10n * S);
  near(share(c, 1, 10n * S), 0.5, 0.01, 'capped');
  near(Number(c.pcpuIdleTimeNs(0)) / 1e10, 0.5, 0.01, 'idle');
});

test('cap 150 with 2 vCPUs on 2 pCPUs gives 1.5 pCPUs; removing the cap gives 2', () => {
  const c = new Credit2({ nrPcpus: 2 });
  c.addDomain(1, { nrVcpus: 2, cap: 150, demand: 1 });
  c.advance(10n * S);
  near(share(c, 1, 10n * S), 1.5, 0.03, 'cap 150');
  const before = c.domainCpuTimeNs(1);
  c.setParams(1, { cap: 0 });
  c.advance(20n * S);
  near(Number(c.domainCpuTimeNs(1) - before) / 1e10, 2, 0.001, 'uncapped');
});

test('a CPU-bound 2-vCPU guest on a free host gets 2 s of CPU per simulated second', () => {
  const c = new Credit2({ nrPcpus: 4 });
  c.addDomain(0, { nrVcpus: 4 });
  c.addDomain(1, { nrVcpus: 2, demand: 1 });
  c.advance(1n * S);
  nearNs(c.domainCpuTimeNs(1), 2n * S);
  nearNs(c.domainCpuTimeNs(0), 0n);
  assert.equal(c.vcpu(1, 0).state, 'running');
  assert.notEqual(c.vcpu(1, 0).pcpu, c.vcpu(1, 1).pcpu);
});

test('demand 0.7 alone gives about 70%', () => {
  const c = new Credit2({ nrPcpus: 2 });
  c.addDomain(1, { nrVcpus: 1, demand: 0.7 });
  c.advance(10n * S);
  near(share(c, 1, 10n * S), 0.7, 0.01, 'demand');
});

test('contention lowers the achieved share of a duty-cycle vCPU', () => {
  const c = new Credit2({ nrPcpus: 1 });
  c.addDomain(1, { nrVcpus: 1, demand: 0.9 });
  c.addDomain(2, { nrVcpus: 1, demand: 1 });
  c.advance(10n * S);
  const s1 = share(c, 1, 10n * S);
  assert.ok(s1 < 0.6 && s1 > 0.4, `equal weights share the pCPU, got ${s1}`);
  near(s1 + share(c, 2, 10n * S), 1, 0.001, 'work conserving');
});

test('hard affinity is never broken, soft affinity is preferred', () => {
  const c = new Credit2({ nrPcpus: 4 });
  c.addDomain(1, { nrVcpus: 2, demand: 1, hardAffinity: [[2], [2, 3]] });
  c.addDomain(2, { nrVcpus: 1, demand: 1, softAffinity: [[1]] });
  for (let i = 1; i <= 200; i++) {
    c.advance(BigInt(i) * 5_000_000n);
    assert.equal(c.vcpu(1, 0).pcpu, 2);
    assert.ok([2, 3].includes(c.vcpu(1, 1).pcpu));
  }
  assert.equal(c.vcpu(2, 0).pcpu, 1, 'soft affinity honoured while its pCPU is free');
  c.setAffinity(1, 1, [0], null);
  c.advance(2n * S);
  assert.equal(c.vcpu(1, 1).pcpu, 0);
  assert.deepEqual(c.vcpu(1, 1).hard, [0]);
});

test('pausing stops CPU accrual; unpausing resumes it', () => {
  const c = new Credit2({ nrPcpus: 1 });
  c.addDomain(1, { nrVcpus: 1, demand: 1 });
  c.advance(1n * S);
  c.pauseDomain(1);
  const t = c.domainCpuTimeNs(1);
  nearNs(t, 1n * S);
  c.advance(2n * S);
  const paused = c.domainCpuTimeNs(1);
  assert.ok(paused - t <= 1000n, 'at most the 1 us until the pCPU reschedules');
  c.advance(5n * S / 2n);
  assert.equal(c.domainCpuTimeNs(1), paused);
  assert.equal(c.vcpu(1, 0).state, 'paused');
  nearNs(c.pcpuIdleTimeNs(0), 3n * S / 2n);
  c.unpauseDomain(1);
  c.advance(7n * S / 2n);
  nearNs(c.domainCpuTimeNs(1), 2n * S);
});

test('offline vCPUs do not run', () => {
  const c = new Credit2({ nrPcpus: 4 });
  c.addDomain(1, { nrVcpus: 4, onlineVcpus: 2, demand: 1 });
  c.advance(1n * S);
  nearNs(c.domainCpuTimeNs(1), 2n * S);
  assert.equal(c.vcpu(1, 3).state, 'offline');
  c.setVcpuOnline(1, 3, true);
  c.advance(2n * S);
  nearNs(c.domainCpuTimeNs(1), 5n * S);
});

test('ratelimit: a preempted vCPU has run at least ratelimit - 50us', async () => {
  const { TRC_SCHED_SWITCH_INFPREV, runstateChangeEvent } = await import('../../src/hypervisor/trace-events.ts');
  const { sinkOf } = await import('../../src/hypervisor/trace-sink.ts');
  const preempted = runstateChangeEvent(0, 1);
  const runs = (ratelimitUs: number): number[] => {
    const recs: { ev: number; data: readonly number[] }[] = [];
    const c = new Credit2({ nrPcpus: 2, ratelimitUs, trace: sinkOf({ enabled: true, wants: () => true, record: (_c, _n, ev, data) => { recs.push({ ev, data }); } }) });
    c.addDomain(1, { nrVcpus: 2, demand: 1 });
    c.addDomain(2, { nrVcpus: 2, demand: 1, weight: 300 });
    c.addDomain(3, { nrVcpus: 2, demand: 0.2 });
    c.advance(2n * S);
    // Runtime of every guest vCPU that was switched out while still runnable.
    const out: number[] = [];
    // (INFPREV, INFNEXT, SWITCH, then prev's runstate change: running -> runnable.)
    for (let i = 0; i + 3 < recs.length; i++)
      if (recs[i]!.ev === TRC_SCHED_SWITCH_INFPREV && recs[i + 3]!.ev === preempted && recs[i]!.data[0] !== 32767) out.push(recs[i]!.data[2]!);
    return out;
  };
  const rl5 = runs(5000);
  assert.ok(rl5.length > 100);
  assert.ok(Math.min(...rl5) >= 4_950_000, `shortest run with ratelimit 5ms: ${Math.min(...rl5)}`);
  const rl0 = runs(0);
  assert.ok(rl0.length > rl5.length, 'without ratelimit vCPUs switch more often');
  assert.ok(Math.min(...rl0) < 1_000_000, 'without ratelimit slices go below 1ms');
});

test('the pool\'s ratelimit can be set and read', () => {
  const c = new Credit2({ nrPcpus: 2 });
  assert.equal(c.getRatelimit(), 1000);
  c.setRatelimit(0);
  assert.equal(c.getRatelimit(), 0);
});

test('determinism: the same inputs give the same CPU times', () => {
  const runOnce = (): bigint[] => {
    const c = new Credit2({ nrPcpus: 8 });
    for (let d = 1; d <= 40; d++) {
      c.addDomain(d, { nrVcpus: 1 + (d % 2), weight: d % 5 === 0 ? 512 : 256, cap: d % 7 === 0 ? 60 : 0 });
      for (let v = 0; v < 1 + (d % 2); v++) c.setDemand(d, v, [0.1, 0.5, 1, 0.25][(d + v) % 4]!);
    }
    c.advance(1n * S);
    c.pauseDomain(3);
    c.setParams(4, { weight: 1024 });
    c.advance(2n * S);
    return c.domains().map(d => c.domainCpuTimeNs(d));
  };
  const a = runOnce(), b = runOnce();
  assert.deepEqual(a, b);
  assert.ok(a.reduce((x, y) => x + y, 0n) > 15n * S, 'the host was busy');
});

test('removing a running domain frees its pCPU for others', () => {
  const c = new Credit2({ nrPcpus: 1 });
  c.addDomain(1, { nrVcpus: 1, demand: 1 });
  c.addDomain(2, { nrVcpus: 1, demand: 1 });
  c.advance(1n * S);
  c.removeDomain(1);
  const t2 = c.domainCpuTimeNs(2);
  c.advance(2n * S);
  nearNs(c.domainCpuTimeNs(2) - t2, 1n * S);
  assert.deepEqual(c.domains(), [2]);
  assert.throws(() => c.vcpu(1, 0));
});

test('a capped vCPU out of budget at the head of the runqueue is passed over: the pCPU does not idle while others wait', () => {
  // runq_candidate() parks such a vCPU and looks further down the runqueue.
  for (const [cap, nrVcpus] of [[60, 2], [30, 3]]) {
    const c = new Credit2({ nrPcpus: 1 });
    c.addDomain(1, { nrVcpus, cap, demand: 1, weight: cap === 30 ? 1024 : 256 });
    c.addDomain(2, { nrVcpus: 1, demand: 1 });
    c.advance(10n * S);
    assert.ok(Number(c.pcpuIdleTimeNs(0)) < 1e6, `cap ${cap}: the pCPU idled ${c.pcpuIdleTimeNs(0)} ns`);
    assert.ok(share(c, 1, 10n * S) <= cap / 100 + 0.005, `cap ${cap} kept`);
    near(share(c, 1, 10n * S) + share(c, 2, 10n * S), 1, 0.001, 'all of the pCPU used');
  }
});
