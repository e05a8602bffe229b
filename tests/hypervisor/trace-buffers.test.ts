import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TraceBuffers } from '../../src/hypervisor/trace-buffers.ts';
import {
  TRC_LOST_RECORDS, TRC_TRACE_CPU_CHANGE, TRC_TRACE_WRAP_BUFFER, decodeWindows, type TraceRecord,
} from '../../src/formats/trace-record.ts';

const SWITCH = 0x0002800a, RUNSTATE_TO_RUNNING = 0x00021101, DOM0_DOM_ADD = 0x00041001, CSCHED2_TICK = 0x00022201;
const HVM_VMEXIT = 0x00081002;
const ms = (n: number): bigint => BigInt(n) * 1_000_000n;
const events = (recs: TraceRecord[]): number[] => recs.map(r => r.event);

test('tracing is off until enabled: nothing is wanted or recorded', () => {
  const tb = new TraceBuffers({ nrPcpus: 2, mhz: 2400, pagesPerCpu: 1 });
  assert.equal(tb.enabled, false);
  assert.equal(tb.wants(0, SWITCH), false);
  tb.record(0, ms(1), SWITCH, [0, 0, 1, 0]);
  assert.equal(tb.drain().length, 0);
});

test('the rings are allocated once per boot: the first size sticks, as Xen\'s set_size', () => {
  const tb = new TraceBuffers({ nrPcpus: 2, mhz: 1000 });
  assert.equal(tb.allocated, false);
  assert.throws(() => tb.enable(), /not allocated/);
  assert.equal(tb.setSize(4), true);
  assert.equal(tb.dataSize, 4 * 4096 - 8);
  assert.equal(tb.setSize(4), true);
  assert.equal(tb.setSize(8), false);
  assert.equal(tb.pagesPerCpu, 4);
  const boot = new TraceBuffers({ nrPcpus: 1, mhz: 1000, pagesPerCpu: 2 });
  assert.equal(boot.setSize(), false); // xentrace's default 32 is ignored after tbuf_size=2
  boot.enable();
  assert.equal(boot.enabled, true);
});

test('TSC is simulated ns at the host MHz, and records keep their payload', () => {
  const tb = new TraceBuffers({ nrPcpus: 1, mhz: 2400, pagesPerCpu: 32 });
  tb.enable();
  tb.record(0, ms(1), SWITCH, [0, 0, 1, 0]);
  const [w] = decodeWindows(tb.drain());
  assert.deepEqual(w!.records, [{ event: SWITCH, tsc: 2_400_000n, data: [0, 0, 1, 0] }]);
  assert.equal(new TraceBuffers({ nrPcpus: 1, mhz: 2394.452 }).tscOf(1_000_000_000n), 2_394_452_000n);
});

test('the number fast path (rec) writes the same bytes as the BigInt path, TSC exact past 2^53', () => {
  // Instants from boot to 200 days, odd ns values, fractional MHz: the TSC of the last ones no
  // longer fits a double's 53 bits, which rec must notice and compute exactly.
  const instants = [0, 1, 999_999, 1_000_001, 123_456_789_123, 2 ** 52 + 7, 40 * 86400e9 + 3, 200 * 86400e9 + 999_999];
  for (const mhz of [2400, 2394.452, 3700.001]) {
    const slow = new TraceBuffers({ nrPcpus: 1, mhz, pagesPerCpu: 4 });
    const fast = new TraceBuffers({ nrPcpus: 1, mhz, pagesPerCpu: 4 });
    slow.enable(); fast.enable();
    for (const ns of instants) {
      slow.record(0, BigInt(ns), SWITCH, [1, 2, 0xffffffff, -1 >>> 0, 5]);
      fast.rec(0, ns, SWITCH, 5, 1, 2, 0xffffffff, -1, 5);
      slow.record(0, BigInt(ns), RUNSTATE_TO_RUNNING, []);
      fast.rec(0, ns, RUNSTATE_TO_RUNNING, 0);
    }
    const a = slow.drain(), b = fast.drain();
    assert.deepEqual(b, a, `mhz ${mhz}`);
    const tscs = decodeWindows(b)[0]!.records.map(r => r.tsc!);
    assert.equal(tscs.at(-1), (BigInt(200 * 86400e9 + 999_999) * BigInt(Math.round(mhz * 1000))) / 1_000_000n);
  }
});

test('the class, subclass and pCPU masks filter as Xen does', () => {
  const tb = new TraceBuffers({ nrPcpus: 4, mhz: 1000, pagesPerCpu: 32 });
  tb.enable();
  tb.setEventMask(0x0002f000); // sched class, all subclasses
  assert.equal(tb.wants(0, SWITCH), true);
  assert.equal(tb.wants(0, CSCHED2_TICK), true);
  assert.equal(tb.wants(0, DOM0_DOM_ADD), false);
  assert.equal(tb.wants(0, HVM_VMEXIT), false);
  tb.setEventMask(0x00021000); // sched class, runstate subclass only
  assert.equal(tb.wants(0, RUNSTATE_TO_RUNNING), true);
  assert.equal(tb.wants(0, SWITCH), false);
  tb.setEventMask(0x0ffff000);
  tb.setCpuMask([1, 3]);
  assert.deepEqual([0, 1, 2, 3].map(c => tb.wants(c, SWITCH)), [false, true, false, true]);
  for (let c = 0; c < 4; c++) tb.record(c, ms(1), SWITCH, [0, 0, 0, 0]);
  assert.deepEqual(decodeWindows(tb.drain()).map(w => w.cpu), [1, 3]);
});

test('drain writes one window per pCPU with data, in pCPU order, and empties the rings', () => {
  const tb = new TraceBuffers({ nrPcpus: 3, mhz: 1000, pagesPerCpu: 32 });
  tb.enable();
  tb.record(2, ms(1), SWITCH, [0, 0, 1, 0]);
  tb.record(0, ms(2), DOM0_DOM_ADD, [5]);
  tb.record(2, ms(3), RUNSTATE_TO_RUNNING, [0x10000]);
  const file = tb.drain();
  assert.equal(file.readUInt32LE(0), 0x2001f003);
  const ws = decodeWindows(file);
  assert.deepEqual(ws.map(w => [w.cpu, events(w.records)]), [[0, [DOM0_DOM_ADD]], [2, [SWITCH, RUNSTATE_TO_RUNNING]]]);
  assert.equal(tb.drain().length, 0);
});

test('a full ring drops records, then reports them in a LOST_RECORDS record before the next one', () => {
  const tb = new TraceBuffers({ nrPcpus: 1, mhz: 1000, pagesPerCpu: 1 });
  tb.enable();
  tb.setCurrent(0, 3, 1);
  const fits = Math.floor(tb.dataSize / 16); // 1-word records with TSC are 16 bytes
  for (let i = 0; i < fits + 10; i++) tb.record(0, BigInt(i) * 1000n, RUNSTATE_TO_RUNNING + 0x10, [0x30001]);
  assert.equal(tb.lostPending(0), 10);
  assert.equal(tb.totalLost, 10);
  const first = decodeWindows(tb.drain())[0]!;
  assert.equal(first.records.length, fits);
  tb.record(0, ms(100), SWITCH, [3, 1, 32767, 0]);
  const [w] = decodeWindows(tb.drain());
  // The ring's write point sits 8 bytes before its end: a filler covers them first.
  assert.deepEqual(events(w!.records), [TRC_TRACE_WRAP_BUFFER, TRC_LOST_RECORDS, SWITCH]);
  const lost = w!.records[1]!;
  assert.equal(lost.data[0], 10);
  assert.equal(lost.data[1], 3 | (1 << 16)); // u16 domid, u16 vcpu
  assert.equal(BigInt(lost.data[2]!) | (BigInt(lost.data[3]!) << 32n), BigInt(fits) * 1000n); // first lost TSC at 1 MHz-ns
  assert.equal(tb.lostPending(0), 0);
});

test('records never straddle the end of the ring: a WRAP_BUFFER filler takes the tail, the window has both pieces', () => {
  const tb = new TraceBuffers({ nrPcpus: 1, mhz: 1000, pagesPerCpu: 1 });
  tb.enable();
  const seen: number[] = [];
  let n = 0, wraps = 0;
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 100; i++) tb.record(0, BigInt(n++), SWITCH, [0, 0, 0, 0, n]); // 32 bytes: 4088 is no multiple
    const ws = decodeWindows(tb.drain());
    for (const w of ws) {
      assert.equal(w.truncated, false);
      for (const r of w.records) if (r.event === SWITCH) seen.push(r.data[4]!); else if (r.event === TRC_TRACE_WRAP_BUFFER) wraps++;
    }
  }
  assert.ok(wraps >= 2);
  assert.equal(tb.totalLost, 0);
  assert.deepEqual(seen, Array.from({ length: n }, (_, i) => i + 1));
});

test('disable forgets pending lost counts; discard throws away unread records', () => {
  const tb = new TraceBuffers({ nrPcpus: 1, mhz: 1000, pagesPerCpu: 1 });
  tb.enable();
  for (let i = 0; i < 400; i++) tb.record(0, BigInt(i), SWITCH, [0, 0, 0, 0]);
  assert.ok(tb.lostPending(0) > 0);
  tb.disable();
  assert.equal(tb.lostPending(0), 0);
  tb.discard();
  assert.equal(tb.pending(0), 0);
  tb.enable();
  tb.record(0, 1n, SWITCH, [0, 0, 0, 0]);
  const [w] = decodeWindows(tb.drain());
  assert.deepEqual(events(w!.records), [SWITCH]);
  assert.notEqual(w!.records[0]!.event, TRC_TRACE_CPU_CHANGE);
});

test('crossing half full calls the high-water hook once, as Xen raises VIRQ_TBUF', () => {
  const hits: number[] = [];
  const tb = new TraceBuffers({ nrPcpus: 2, mhz: 1000, pagesPerCpu: 1, onHighWater: c => hits.push(c) });
  tb.enable();
  for (let i = 0; i < 200; i++) tb.record(1, BigInt(i), SWITCH, [0, 0, 0, 0]);
  assert.deepEqual(hits, [1]);
});
