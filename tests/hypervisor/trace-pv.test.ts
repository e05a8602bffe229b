import { test } from 'node:test';
import assert from 'node:assert/strict';
import { traceSegment, type RunSegment } from '../../src/hypervisor/trace-pv.ts';
import { sinkOf, type TraceSink } from '../../src/hypervisor/trace-sink.ts';
import * as T from '../../src/hypervisor/trace-events.ts';

interface Rec { cpu: number; ns: number; ev: number; data: number[] }
function sink(wants: (ev: number) => boolean = () => true): TraceSink & { recs: Rec[] } {
  const recs: Rec[] = [];
  return Object.assign(sinkOf({ enabled: true, wants: (_c, ev) => wants(ev), record: (cpu, ns, ev, data) => { recs.push({ cpu, ns: Number(ns), ev, data: [...data] }); } }), { recs });
}
const MS = 1_000_000;
const pv: RunSegment = { cpu: 1, fromNs: 5 * MS, toNs: 105 * MS, domid: 2, vcpu: 0, kind: 'pv', cpuLoad: 1, ioPerSec: 100 };

test('a PV segment yields hypercalls (V2 format) and 64-bit page faults strictly inside it, in time order', () => {
  const s = sink();
  const n = traceSegment(s, pv);
  assert.equal(n, s.recs.length);
  assert.ok(n > 30);
  assert.ok(s.recs.every(r => r.cpu === 1 && r.ns > pv.fromNs && r.ns < pv.toNs));
  assert.ok(s.recs.every((r, i) => i === 0 || s.recs[i - 1]!.ns <= r.ns), 'records in time order');
  const evs = new Set(s.recs.map(r => r.ev));
  assert.deepEqual([...evs].sort(), [T.TRC_PV_HYPERCALL_V2, T.TRC_PV_PAGE_FAULT | T.TRC_64_FLAG].sort());
  for (const r of s.recs.filter(x => x.ev === T.TRC_PV_HYPERCALL_V2)) {
    // Bits 20-31 say which 32-bit arguments follow the op.
    const args = [0, 1, 2, 3, 4, 5].filter(i => (r.data[0]! >>> (20 + 2 * i)) & 1).length;
    assert.equal(r.data.length, 1 + args);
  }
  for (const r of s.recs.filter(x => x.ev !== T.TRC_PV_HYPERCALL_V2)) assert.equal(r.data.length, 5);
});

test('the same segment always gives the same records; more load gives more records', () => {
  const a = sink(), b = sink(), light = sink();
  traceSegment(a, pv);
  traceSegment(b, pv);
  traceSegment(light, { ...pv, cpuLoad: 0.1, ioPerSec: 0 });
  assert.deepEqual(a.recs, b.recs);
  assert.ok(light.recs.length * 2 < a.recs.length, `${light.recs.length} vs ${a.recs.length}`);
});

test('an HVM segment yields VM exit, handler and entry records at one instant each', () => {
  const s = sink();
  traceSegment(s, { ...pv, kind: 'hvm' });
  assert.ok(s.recs.length >= 3 && s.recs.length % 3 === 0);
  for (let i = 0; i < s.recs.length; i += 3) {
    const [exit, handler, entry] = s.recs.slice(i, i + 3) as [Rec, Rec, Rec];
    assert.equal(exit.ev, T.TRC_HVM_VMEXIT64);
    assert.equal(exit.data.length, 3);
    assert.equal(handler.ev & 0xfffff000, T.TRC_HVM_HANDLER);
    assert.equal(entry.ev, T.TRC_HVM_VMENTRY);
    assert.equal(exit.ns, handler.ns);
    assert.equal(exit.ns, entry.ns);
  }
});

test('the idle vCPU enters and leaves a C-state inside its stretch', () => {
  const s = sink();
  traceSegment(s, { cpu: 0, fromNs: 0, toNs: 3 * MS, domid: T.DOMID_IDLE, vcpu: 0 });
  assert.deepEqual(s.recs.map(r => r.ev), [T.TRC_PM_IDLE_ENTRY, T.TRC_PM_IDLE_EXIT]);
  // 3 ms is past the target residency of the deepest state, C3 (266 µs).
  assert.equal(s.recs[0]!.data[0], 3);
  assert.ok(s.recs[0]!.ns > 0 && s.recs[1]!.ns < 3 * MS);
  const short = sink();
  traceSegment(short, { cpu: 0, fromNs: 0, toNs: 5_000, domid: T.DOMID_IDLE, vcpu: 0 });
  assert.equal(short.recs.length, 0);
});

test('masked-out classes and a disabled sink produce nothing', () => {
  const schedOnly = sink(ev => (ev & 0x0002f000) === 0x0002f000 && (ev & 0x0ffff000) < 0x00030000);
  assert.equal(traceSegment(schedOnly, pv), 0);
  let calls = 0;
  const off: TraceSink = sinkOf({ enabled: false, wants: () => { calls++; return true; }, record: () => { calls++; } });
  assert.equal(traceSegment(off, pv), 0);
  assert.equal(calls, 0);
});
