// The scheduler's trace records: ids and payload layouts of Xen 4.17, the order of a context
// switch, runstate consistency (what xenalyze requires), zero cost when off, and a trace file
// built from them that the real xenalyze accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Credit2 } from '../../src/hypervisor/credit2/index.ts';
import { sinkOf, type TraceSink } from '../../src/hypervisor/trace-sink.ts';
import * as E from '../../src/hypervisor/trace-events.ts';
import { encodeRecord, frameWindow } from '../../src/formats/trace-record.ts';

const S = 1_000_000_000n;
interface Rec { cpu: number; ns: bigint; ev: number; data: readonly number[] }
function recorder(): TraceSink & { recs: Rec[] } {
  const recs: Rec[] = [];
  return Object.assign(sinkOf({ enabled: true, wants: () => true, record: (cpu, ns, ev, data) => { recs.push({ cpu, ns, ev, data: [...data] }); } }), { recs });
}
function busyHost(trace?: TraceSink): Credit2 {
  const c = new Credit2({ nrPcpus: 2, trace });
  c.addDomain(0, { nrVcpus: 1, demand: 0.1 });
  c.addDomain(1, { nrVcpus: 2, demand: 1 });
  c.addDomain(2, { nrVcpus: 1, demand: 0.5, weight: 512, cap: 40 });
  return c;
}

test('event ids match public/trace.h', () => {
  assert.equal(E.TRC_SCHED_SWITCH, 0x0002800a);
  assert.equal(E.TRC_SCHED_SWITCH_INFPREV, 0x0002800e);
  assert.equal(E.TRC_SCHED_SWITCH_INFNEXT, 0x0002800f);
  assert.equal(E.TRC_SCHED_SWITCH_INFCONT, 0x00028011);
  assert.equal(E.runstateChangeEvent(1, 0), 0x00021101);
  assert.equal(E.runstateChangeEvent(0, 2), 0x00021021);
  assert.equal(E.TRC_CSCHED2_CREDIT_BURN, 0x00022203);
  assert.equal(E.TRC_CSCHED2_PICKED_CPU, 0x00022213);
  assert.equal(E.TRC_CSCHED2_RATELIMIT, 0x00022216);
  assert.equal(E.TRC_CSCHED2_RUNQ_CAND_CHECK, 0x00022217);
  assert.equal(E.TRC_DOM0_DOM_ADD, 0x00041001);
  assert.equal(E.TRC_HVM_IOPORT_WRITE, 0x00082216);
  assert.equal(E.TRC_PV_HYPERCALL_SUBCALL, 0x0020200e);
});

test('payload sizes are those of credit2.c and core.c', () => {
  const sink = recorder();
  busyHost(sink).advance(1n * S);
  const words = new Map<number, Set<number>>();
  for (const r of sink.recs) (words.get(r.ev) ?? words.set(r.ev, new Set()).get(r.ev)!).add(r.data.length);
  const expect: [number, number][] = [
    [E.TRC_SCHED_DOM_ADD, 1], [E.TRC_SCHED_SWITCH, 4], [E.TRC_SCHED_SWITCH_INFPREV, 3], [E.TRC_SCHED_SWITCH_INFNEXT, 4],
    [E.TRC_SCHED_SWITCH_INFCONT, 4], [E.TRC_SCHED_CONTINUE_RUNNING, 1], [E.TRC_SCHED_WAKE, 2], [E.TRC_SCHED_BLOCK, 2],
    [E.TRC_CSCHED2_SCHEDULE, 2], [E.TRC_CSCHED2_CREDIT_BURN, 4], [E.TRC_CSCHED2_CREDIT_RESET, 3], [E.TRC_CSCHED2_RUNQ_POS, 2],
    [E.TRC_CSCHED2_TICKLE_NEW, 3], [E.TRC_CSCHED2_TICKLE, 1], [E.TRC_CSCHED2_RUNQ_ASSIGN, 2], [E.TRC_CSCHED2_PICKED_CPU, 4],
    [E.TRC_CSCHED2_RUNQ_CANDIDATE, 3], [E.TRC_CSCHED2_RATELIMIT, 2], [E.TRC_CSCHED2_RUNQ_CAND_CHECK, 1], [E.TRC_CSCHED2_RUNQ_MAX_WEIGHT, 1],
  ];
  for (const [ev, n] of expect) assert.deepEqual([...(words.get(ev) ?? [])], [n], `event 0x${ev.toString(16)}`);
  // Uncapped vCPUs report budget INT_MIN; the capped one a real budget.
  const burns = sink.recs.filter(r => r.ev === E.TRC_CSCHED2_CREDIT_BURN);
  assert.ok(burns.some(r => r.data[0] === 0x00010000 && r.data[2] === 0x80000000));
  assert.ok(burns.some(r => r.data[0] === 0x00020000 && r.data[2] !== 0x80000000));
});

test('a context switch is INFPREV, INFNEXT, SWITCH, then the two runstate changes, at one instant', () => {
  const sink = recorder();
  busyHost(sink).advance(S / 10n);
  const i = sink.recs.findIndex(r => r.ev === E.TRC_SCHED_SWITCH_INFPREV);
  const [prev, next, sw, rsPrev, rsNext] = sink.recs.slice(i, i + 5) as Rec[];
  assert.deepEqual([next!.ev, sw!.ev], [E.TRC_SCHED_SWITCH_INFNEXT, E.TRC_SCHED_SWITCH]);
  assert.ok(new Set([prev, next, sw, rsPrev, rsNext].map(r => `${r!.cpu}@${r!.ns}`)).size === 1);
  assert.deepEqual(sw!.data, [prev!.data[0], prev!.data[1], next!.data[0], next!.data[1]]);
  assert.equal(rsPrev!.data[0], ((sw!.data[0]! << 16) | sw!.data[1]!) >>> 0);
  assert.equal(rsPrev!.ev & 0xfffff00f, E.TRC_SCHED_RUNSTATE_CHANGE);
  assert.equal((rsPrev!.ev >> 8) & 0xf, E.RUNSTATE_running, 'prev leaves running');
  assert.equal(rsNext!.ev, E.runstateChangeEvent(E.RUNSTATE_runnable, E.RUNSTATE_running));
  assert.equal(rsNext!.data[0], ((sw!.data[2]! << 16) | sw!.data[3]!) >>> 0);
});

test('runstate changes form a consistent history per vCPU and per pCPU', () => {
  const sink = recorder();
  const c = busyHost(sink);
  c.advance(1n * S);
  c.pauseDomain(1);
  c.advance(2n * S);
  c.unpauseDomain(1);
  c.setVcpuOnline(1, 1, false);
  c.advance(3n * S);
  const state = new Map<number, number>();
  const current = new Map<number, number>(); // pcpu -> unit word running there
  let n = 0;
  for (const r of sink.recs) {
    if ((r.ev & 0xfffff00f) !== E.TRC_SCHED_RUNSTATE_CHANGE) continue;
    n++;
    const from = (r.ev >> 8) & 0xf, to = (r.ev >> 4) & 0xf;
    const w = r.data[0]!;
    assert.notEqual(from, to);
    if (state.has(w)) assert.equal(state.get(w), from, `unit 0x${w.toString(16)} at ${r.ns}`);
    state.set(w, to);
    if (from === E.RUNSTATE_running) {
      if (current.has(r.cpu)) assert.equal(current.get(r.cpu), w);
      current.delete(r.cpu);
    }
    if (to === E.RUNSTATE_running) {
      assert.ok(!current.has(r.cpu), `pCPU ${r.cpu} still has 0x${current.get(r.cpu)?.toString(16)} at ${r.ns}`);
      current.set(r.cpu, w);
    }
  }
  assert.ok(n > 100);
});

test('tracing off costs no trace calls, and filtered events are not built', () => {
  let calls = 0;
  const off: TraceSink = sinkOf({ enabled: false, wants: () => { calls++; return true; }, record: () => { calls++; } });
  busyHost(off).advance(1n * S);
  assert.equal(calls, 0);
  const only: Rec[] = [];
  const runstateOnly: TraceSink = sinkOf({
    enabled: true,
    wants: (_c, ev) => (ev & 0xfffff000) === 0x00021000,
    record: (cpu, ns, ev, data) => { only.push({ cpu, ns, ev, data }); },
  });
  busyHost(runstateOnly).advance(1n * S);
  assert.ok(only.length > 0 && only.every(r => (r.ev & 0xfffff000) === 0x00021000));
});

test('tracing does not change scheduling', () => {
  const a = busyHost(), b = busyHost(recorder());
  a.advance(3n * S);
  b.advance(3n * S);
  for (const d of [0, 1, 2]) assert.equal(a.domainCpuTimeNs(d), b.domainCpuTimeNs(d));
});

test('real xenalyze accepts a trace of the model and agrees on running time', { skip: !existsSync('/usr/bin/xenalyze') }, () => {
  const sink = recorder();
  const c = new Credit2({ nrPcpus: 2, trace: sink });
  c.addDomain(0, { nrVcpus: 1, demand: 0.2 });
  c.addDomain(1, { nrVcpus: 2, demand: 1, cap: 60 });
  c.addDomain(2, { nrVcpus: 1, demand: 1, weight: 512 });
  c.advance(S / 4n);
  c.pauseDomain(2);
  c.advance(S / 2n);
  c.unpauseDomain(2);
  c.setVcpuOnline(1, 1, false);
  c.advance(S);
  // One window per pCPU; TSC at xenalyze's default 2.4 GHz, from an origin of 1e9 cycles.
  const windows: Buffer[] = [];
  for (const cpu of [0, 1]) {
    const recs = sink.recs.filter(r => r.cpu === cpu).map(r => encodeRecord({ event: r.ev, tsc: 1_000_000_000n + r.ns * 12n / 5n, data: [...r.data] }));
    windows.push(frameWindow(cpu, recs));
  }
  const dir = mkdtempSync(join(tmpdir(), 'credit2-trace-'));
  const file = join(dir, 'trace.bin');
  writeFileSync(file, Buffer.concat(windows));
  const r = spawnSync('/usr/bin/xenalyze', ['--summary', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr.slice(-2000));
  assert.match(r.stdout, /\|-- Domain 2 --\|/);
  assert.doesNotMatch(r.stderr + r.stdout, /FATAL|Strange/);
  // xenalyze's running total for d2v0 is the model's CPU time.
  const d2 = r.stdout.split('|-- Domain 2 --|')[1]!;
  const m = /-- v0 --\n Runstates:\n\s+running:\s+\d+\s+([\d.]+)s/.exec(d2);
  assert.ok(m, d2.slice(0, 400));
  assert.ok(Math.abs(parseFloat(m[1]!) - Number(c.domainCpuTimeNs(2)) / 1e9) < 0.02, `xenalyze ${m[1]} vs ${c.domainCpuTimeNs(2)}`);
});
