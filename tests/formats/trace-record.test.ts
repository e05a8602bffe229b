import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TRC_TRACE_CPU_CHANGE, decodeRecord, decodeWindows, encodeCpuChange, encodeRecord, frameWindow, recordSize, recordsInFileOrder,
} from '../../src/formats/trace-record.ts';

test('a cpu_change record is the 12 bytes xentrace writes (header 0x2001f003, cpu, window size)', () => {
  assert.equal(encodeCpuChange(0, 0x178).toString('hex'), '03f0012000000000' + '78010000');
});

test('a record with TSC sets bit 31 and the word count, TSC low word first', () => {
  const buf = encodeRecord({ event: 0x00028006, tsc: 0x3bbf6900n, data: [0, 0] });
  assert.equal(buf.length, recordSize(2, true));
  assert.equal(buf.readUInt32LE(0), 0xa0028006);
  assert.equal(buf.toString('hex', 4, 12), '0069bf3b00000000');
});

test('records round-trip through encode and decode, with and without TSC, up to 7 words', () => {
  const recs = [
    { event: 0x0002800a, tsc: 0x123456789abcdefn, data: [1, 2, 3, 4] },
    { event: 0x00082001, data: [0xffffffff] },
    { event: 0x00022201, tsc: 5n, data: [] },
    { event: 0x00201101, tsc: 7n, data: [1, 2, 3, 4, 5, 6, 7] },
  ];
  for (const r of recs) {
    const d = decodeRecord(encodeRecord(r), 0)!;
    assert.deepEqual(d.record, r);
    assert.equal(d.size, recordSize(r.data.length, r.tsc !== undefined));
  }
  assert.throws(() => encodeRecord({ event: 1, data: [1, 2, 3, 4, 5, 6, 7, 8] }), RangeError);
});

test('decodeRecord refuses a record cut short', () => {
  const buf = encodeRecord({ event: 0x0002800a, tsc: 1n, data: [1, 2, 3, 4] });
  assert.equal(decodeRecord(buf.subarray(0, buf.length - 1), 0), undefined);
  assert.equal(decodeRecord(buf.subarray(0, 3), 0), undefined);
});

test('windows decode in file order, each tagged with its cpu; a short last window is marked truncated', () => {
  const a = encodeRecord({ event: 0x00021011, tsc: 10n, data: [0x10000] });
  const b = encodeRecord({ event: 0x00021101, tsc: 11n, data: [0x20001] });
  const file = Buffer.concat([frameWindow(1, [a]), frameWindow(0, [a, b]), frameWindow(1, [b])]);
  const w = decodeWindows(file);
  assert.deepEqual(w.map(x => [x.cpu, x.records.length, x.truncated]), [[1, 1, false], [0, 2, false], [1, 1, false]]);
  assert.equal(decodeWindows(file.subarray(0, file.length - 2)).at(-1)!.truncated, true);
  const seq = [...recordsInFileOrder(file)].map(r => [r.cpu, r.record.event]);
  assert.deepEqual(seq[0], [1, TRC_TRACE_CPU_CHANGE]);
  assert.deepEqual(seq.map(s => s[0]), [1, 1, 0, 0, 0, 1, 1]);
});

test('a file that does not start with a cpu_change record is rejected, as xenalyze does', () => {
  assert.throws(() => decodeWindows(encodeRecord({ event: 0x00021011, tsc: 1n, data: [0] })), /cpu_change/);
});
