// An idle guest's vCPU is a tickless kernel: it keeps its small share of CPU time but wakes a
// few times a second, not 100 times (the tick), so thousands of idle guests cost little.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Credit2 } from '../../src/hypervisor/credit2/index.ts';
import { sinkOf } from '../../src/hypervisor/trace-sink.ts';
import { TRC_SCHED_WAKE } from '../../src/hypervisor/trace-events.ts';

const S = 1_000_000_000n;
const MS = 1_000_000n;

/** A host whose scheduler counts each vCPU's wake-ups (TRC_SCHED_WAKE records, by domid). */
function host(nrPcpus: number) {
  const wakes = new Map<number, number>();
  const trace = sinkOf({ enabled: true, wants: () => true, record: (_cpu, _ns, ev, data) => { if (ev === TRC_SCHED_WAKE) wakes.set(data[0]!, (wakes.get(data[0]!) ?? 0) + 1); } });
  return { c: new Credit2({ nrPcpus, trace }), wakes };
}

const near = (got: bigint, want: bigint, tol: bigint, what: string): void =>
  assert.ok(got >= want - tol && got <= want + tol, `${what}: got ${got}, want ${want} ± ${tol}`);

/** One vCPU with `demand` alone for `seconds`: its CPU time and its wake-ups. */
function alone(demand: number, seconds: bigint): { cpuNs: bigint; wakes: number } {
  const { c, wakes } = host(2);
  c.addDomain(1, { nrVcpus: 1, demand });
  c.advance(seconds * S);
  return { cpuNs: c.domainCpuTimeNs(1), wakes: wakes.get(1) ?? 0 };
}

test('an idle vCPU (0.2%) keeps its CPU time and wakes twice a second, not at every 10 ms period', () => {
  const { cpuNs, wakes } = alone(0.002, 10n);
  near(cpuNs, 20n * MS, 1n * MS, 'CPU time over 10 s');
  assert.ok(wakes >= 19 && wakes <= 21, `wakes in 10 s: ${wakes}`);
});

test('a busy vCPU (5%) keeps the 10 ms period: 100 wakes a second', () => {
  const { cpuNs, wakes } = alone(0.05, 1n);
  near(cpuNs, 50n * MS, 1n * MS, 'CPU time over 1 s');
  assert.ok(wakes >= 99 && wakes <= 101, `wakes in 1 s: ${wakes}`);
});

test('an idle vCPU given work wakes at once and takes its new share from then on', () => {
  const { c } = host(2);
  c.addDomain(1, { nrVcpus: 1, demand: 0.002 });
  c.advance(1n * S + 3n * MS);
  const before = c.domainCpuTimeNs(1);
  // Past its burst: it is blocked, its next wake up to 500 ms away.
  assert.equal(c.vcpu(1, 0).state, 'blocked');
  c.setDemand(1, 0, 0.5);
  c.advance(2n * S + 3n * MS);
  near(c.domainCpuTimeNs(1) - before, 500n * MS, 10n * MS, 'CPU time in the busy second');
});

test('a 1% demand after idle: the cut-short period ends on the new grid, its share follows', () => {
  const { c } = host(1);
  c.addDomain(1, { nrVcpus: 1, demand: 0.002 });
  c.advance(1n * S + 3n * MS);
  const before = c.domainCpuTimeNs(1);
  c.setDemand(1, 0, 0.01);
  c.advance(3n * S + 3n * MS);
  near(c.domainCpuTimeNs(1) - before, 20n * MS, 1n * MS, 'CPU time in two seconds at 1%');
});
