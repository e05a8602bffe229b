// The stream codec without the real verifier: round trips through the incremental reader fed in
// odd-sized chunks, and the errors a receiver must raise for damaged input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  LibxcRec, PageType, StreamReader, StreamWriter, encodeRecord, encodeXlHeader, type SaveGuestType,
  type StreamReaderOptions, type StreamRecord,
} from '../../src/formats/save-stream/index.ts';
import { GuestMemory, MemoryRestorer, PageCorruptError, restoreMemory } from '../../src/hypervisor/guest-memory.ts';
import { seededRandom as rng } from '../../src/machine/random.ts';

const NR_PAGES = 2500;

/** A live save: rounds of pre-copy while the guest dirties and balloons, then the final pass. */
function liveSave(type: SaveGuestType): { stream: Buffer; sender: GuestMemory } {
  const mem = new GuestMemory(NR_PAGES, { seed: 99 });
  mem.setPageType(3, PageType.L4TAB_PINNED);
  const w = new StreamWriter({ guestType: type, vcpus: 1, p2mSize: NR_PAGES, tscKhz: 2_394_000 });
  const parts = [encodeXlHeader('{"c_info":{"name":"web1"}}'), w.start()];
  mem.enableLogDirty();
  const r = rng(5);
  let pfns: ArrayLike<number> = Uint32Array.from({ length: NR_PAGES }, (_, i) => i);
  for (let round = 1; round <= 3; round++) {
    for (const rec of w.pages(mem, pfns)) parts.push(...rec);
    mem.dirty(300, r);
    if (round === 1) mem.decreaseReservation([10, 11, 12]);
    if (round === 2) mem.populate([11]);
    pfns = mem.cleanDirtyBitmap();
  }
  for (const rec of w.pages(mem, pfns)) parts.push(...rec); // suspended: the last dirty pages
  parts.push(w.finish());
  return { stream: Buffer.concat(parts), sender: mem };
}

function readAll(stream: Buffer, chunk: number, opts: StreamReaderOptions = {}): { reader: StreamReader; records: StreamRecord[] } {
  const reader = new StreamReader(opts);
  const records: StreamRecord[] = [];
  for (let at = 0; at < stream.length; at += chunk) {
    reader.feed(stream.subarray(at, at + chunk));
    records.push(...reader.records());
  }
  reader.end();
  return { reader, records };
}

for (const type of ['pv', 'pvh', 'hvm'] as const) {
  test(`${type}: memory -> stream -> memory gives the same digest`, () => {
    const { stream, sender } = liveSave(type);
    const { reader, records } = readAll(stream, 65_537);
    assert.equal(reader.error, null);
    assert.ok(reader.done);
    const restored = restoreMemory(records, NR_PAGES);
    assert.equal(restored.populatedCount, NR_PAGES - 2);
    assert.equal(restored.pageType(10), PageType.XTAB);
    assert.equal(restored.pageType(11), PageType.NOTAB);
    assert.equal(restored.pageType(3), PageType.L4TAB_PINNED);
    assert.equal(restored.digest(), sender.digest());
    const xl = records[0];
    assert.ok(xl.layer === 'xl' && xl.header.config === '{"c_info":{"name":"web1"}}');
    const dom = records.find(r => r.layer === 'libxc-header');
    assert.ok(dom && dom.layer === 'libxc-header' && dom.domain.type === (type === 'pv' ? 1 : 2));
  });
}

test('the receiver is not fooled: a stream of the memory before the last round differs', () => {
  const { stream, sender } = liveSave('pv');
  const { records } = readAll(stream, 1 << 20);
  const lastPage = records.map(r => r.layer === 'libxc' && r.type === LibxcRec.PAGE_DATA).lastIndexOf(true);
  const partial = restoreMemory(records.filter((_, i) => i !== lastPage), NR_PAGES);
  assert.notEqual(partial.digest(), sender.digest());
});

for (const chunk of [7, 4096, 65_536, 100_003]) {
  test(`page fragments (chunks of ${chunk} bytes): same memory, page views, every entry once`, () => {
    const { stream, sender } = liveSave('pv');
    const whole = readAll(stream, stream.length).records;
    const { reader, records } = readAll(stream, chunk, { pageFragments: true });
    assert.equal(reader.error, null);
    assert.ok(reader.done);
    const entries = (rs: StreamRecord[]) => rs.flatMap(r => (r.layer === 'libxc' && r.pageData ? Array.from(r.pageData.pfns, (p, i) => `${p}:${r.pageData!.types[i]}`) : []));
    assert.deepEqual(entries(records), entries(whole));
    const frags = records.filter(r => r.layer === 'libxc' && r.type === LibxcRec.PAGE_DATA);
    const wholes = whole.filter(r => r.layer === 'libxc' && r.type === LibxcRec.PAGE_DATA);
    assert.equal(frags.filter(r => r.layer === 'libxc' && !r.partial).length, wholes.length);
    assert.equal(reader.pagesReceived, whole.reduce((n, r) => n + (r.layer === 'libxc' && r.pageData ? r.pageData.data.length / 4096 : 0), 0));
    assert.equal(restoreMemory(records, NR_PAGES).digest(), sender.digest());
  });
}

test('page fragments: a flipped page byte and a truncated stream are still caught', () => {
  const { stream } = liveSave('hvm');
  const bad = Buffer.from(stream);
  bad[stream.length >> 1] ^= 0x04;
  assert.throws(() => restoreMemory(readAll(bad, 65_536, { pageFragments: true }).records, NR_PAGES), PageCorruptError);
  const { reader } = readAll(stream.subarray(0, stream.length >> 1), 65_536, { pageFragments: true });
  assert.match(reader.error?.message ?? '', /^Stream truncated: reading libxc record Page data \(page \d+ of 1024\) \(have \d+ of 4096 bytes\)$/);
});

test('a tiny-chunk feed gives the same records as one big feed', () => {
  const { stream } = liveSave('hvm');
  const a = readAll(stream, 7).records.map(r => r.layer + ('name' in r ? r.name : ''));
  const b = readAll(stream, stream.length).records.map(r => r.layer + ('name' in r ? r.name : ''));
  assert.deepEqual(a, b);
});

test('a flipped byte in a page is detected with the pfn named', () => {
  const { stream } = liveSave('pv');
  const { records } = readAll(stream, 1 << 20);
  const rec = records.find(r => r.layer === 'libxc' && r.type === LibxcRec.PAGE_DATA)!;
  assert.ok(rec.layer === 'libxc' && rec.pageData);
  const { pfns, dataIndex, data } = rec.pageData;
  const i = 40;
  data[dataIndex[i] * 4096 + 2000] ^= 0x10;
  const restorer = new MemoryRestorer(new GuestMemory(NR_PAGES, { populated: false }));
  assert.throws(() => restorer.apply(rec), (e: Error) =>
    e instanceof PageCorruptError && e.message === `pfn 0x${pfns[i].toString(16)}: page body checksum mismatch`);
});

test('a damaged page among sound ones is caught whatever its kind (never written, dirtied, explicit)', () => {
  const mem = new GuestMemory(64, { seed: 21 });
  mem.dirty(20, rng(2), 32);
  mem.poke(40, 500, Buffer.from('explicit'));
  const w = new StreamWriter({ guestType: 'pv', vcpus: 1, p2mSize: 64, tscKhz: 2_394_000 });
  const parts = [w.start()];
  for (const rec of w.pages(mem, Array.from({ length: 64 }, (_, i) => i))) parts.push(...rec);
  parts.push(w.finish());
  const stream = Buffer.concat(parts);
  const { records } = readAll(stream, stream.length, { xlHeader: false, pageFragments: true });
  const rec = records.find(r => r.layer === 'libxc' && r.type === LibxcRec.PAGE_DATA)!;
  assert.ok(rec.layer === 'libxc' && rec.pageData);
  const pd = rec.pageData;
  const { pfns, dataIndex, data } = pd;
  const untouched = pfns.findIndex(p => p >= 32 && p !== 40);
  for (const [i, at] of [[untouched, 2000], [pfns.indexOf(3), 4095], [pfns.indexOf(40), 600], [pfns.indexOf(40), 20]]) {
    const bad = Buffer.from(data);
    bad[dataIndex[i] * 4096 + at] ^= 0x01;
    const restorer = new MemoryRestorer(new GuestMemory(64, { populated: false }));
    assert.throws(() => restorer.apply({ ...rec, pageData: { ...pd, data: bad } }),
      (e: Error) => e instanceof PageCorruptError && e.message.startsWith(`pfn 0x${pfns[i].toString(16)}: `), `pfn ${pfns[i]} byte ${at}`);
  }
  const restorer = new MemoryRestorer(new GuestMemory(64, { populated: false }));
  restorer.apply(rec);
  assert.equal(restorer.memory.digest(), mem.digest());
});

test('a flipped byte in a page header or in the pfn list is detected', () => {
  const { stream } = liveSave('pv');
  // Locate the first PAGE_DATA record: after its 8-byte header come count, reserved, pfns, pages.
  const { records } = readAll(stream, 1 << 20);
  const first = records.find(r => r.layer === 'libxc' && r.type === LibxcRec.PAGE_DATA)!;
  assert.ok(first.layer === 'libxc');
  const at = stream.indexOf(first.body.subarray(0, 64));
  for (const [offset, why] of [[8 + 8 * 3, /page header names pfn 0x/], [8 + 8 * 1024 + 4096 * 7 + 17, /page header checksum mismatch/]] as const) {
    const bad = Buffer.from(stream);
    bad[at + offset] ^= 0x01;
    const { records: recs } = readAll(bad, 1 << 20);
    assert.throws(() => restoreMemory(recs, NR_PAGES), why);
  }
});

test('a truncated stream is reported with what was being read', () => {
  const { stream } = liveSave('pv');
  const cases: Array<[number, RegExp]> = [
    [20, /^Stream truncated: reading xl header \(have 20 of 48 bytes\)$/],
    [stream.length >> 1, /^Stream truncated: reading libxc record Page data \(have \d+ of \d+ bytes\)$/],
    [stream.length - 5000, /^Stream truncated: reading libxc record x86 PV vcpu basic \(have 272 of 5176 bytes\)$/],
    [stream.length - 8, /^Stream truncated: reading libxl record header \(have 0 of 8 bytes\)$/],
  ];
  for (const [len, msg] of cases) {
    const { reader, records } = readAll(stream.subarray(0, len), 4096);
    assert.equal(reader.done, false);
    assert.match(reader.error?.message ?? '', msg);
    assert.ok(records.length < 1000);
  }
});

test('xl header errors carry xl restore\'s messages', () => {
  const good = encodeXlHeader('{}');
  const cases: Array<[(b: Buffer) => void, string]> = [
    [b => { b[0] = 0x59; }, 'File has wrong magic number - corrupt or for a different tool?'],
    [b => { b.writeUInt32BE(0x01020304, 32); }, 'File has wrong byte order'],
    [b => { b.writeUInt32LE(7, 36); }, 'Savefile has mandatory flag(s) 0x4 which are not supported; need newer xl'],
    [b => { b.writeUInt32LE(1, 36); }, 'Savefile holds a legacy (pre-migration-v2) stream, which cannot be restored here'],
  ];
  for (const [mutate, msg] of cases) {
    const b = Buffer.from(good);
    mutate(b);
    const reader = new StreamReader();
    reader.feed(b);
    assert.equal(reader.error?.message, msg);
  }
});

test('damaged framing: unknown mandatory record, non-zero padding, wrong stream id', () => {
  const w = new StreamWriter({ guestType: 'pv', vcpus: 1, p2mSize: 16, tscKhz: 2_394_000 });
  const start = Buffer.concat([encodeXlHeader('{}'), w.start()]);
  const unknown = new StreamReader();
  unknown.feed(Buffer.concat([start, encodeRecord(0x42, Buffer.alloc(8))]));
  assert.equal(unknown.error?.message, 'Unrecognised libxc record type 0x42');
  const padded = encodeRecord(LibxcRec.X86_TSC_INFO, Buffer.alloc(20));
  padded[8 + 22] = 1;
  const pad = new StreamReader();
  pad.feed(Buffer.concat([start, padded]));
  assert.equal(pad.error?.message, 'Padding containing non0 bytes found');
  const damaged = Buffer.concat([start, encodeRecord(LibxcRec.PAGE_DATA, Buffer.alloc(16))]);
  damaged.writeUInt32LE(0xfffffff0, start.length + 4);
  const long = new StreamReader();
  long.feed(damaged);
  assert.equal(long.error?.message, 'Record (0x00000001, Page data) length 0xfffffff0 exceeds max (0x8000000)');
  const notLibxl = new StreamReader({ xlHeader: false });
  notLibxl.feed(Buffer.alloc(16, 0x41));
  assert.match(notLibxl.error?.message ?? '', /^Bad image id: Expected 0x4c6962786c466d74, got 0x4141414141414141$/);
});

test('bytes after the libxl END are handed back (xl\'s handshake shares the pipe)', () => {
  const { stream } = liveSave('pvh');
  const go = Buffer.from('domain is yours, you are cleared to unpause\0');
  const reader = new StreamReader();
  reader.feed(Buffer.concat([stream, go]));
  assert.ok(reader.done);
  assert.equal(reader.end(), null);
  assert.deepEqual(reader.remainder(), go);
});

test('the writer counts what it sent', () => {
  const mem = new GuestMemory(100);
  mem.decreaseReservation([50]);
  const w = new StreamWriter({ guestType: 'hvm', vcpus: 1, p2mSize: 100, tscKhz: 2_394_000 });
  let bytes = w.start().length;
  for (const rec of w.pages(mem, Array.from({ length: 100 }, (_, i) => i))) for (const b of rec) bytes += b.length;
  bytes += w.finish().length;
  assert.equal(w.pagesSent, 99);
  assert.equal(w.bytes, bytes);
  const reader = new StreamReader({ xlHeader: false });
  reader.feed(Buffer.alloc(0));
  assert.equal(reader.records().length, 0);
});

test('buffer reuse (writer and reader) changes no byte of the stream or of the memory', () => {
  const mem = new GuestMemory(3000, { seed: 12 });
  mem.dirty(500, rng(8));
  const encode = (reusePageBuffers: boolean) => {
    const w = new StreamWriter({ guestType: 'pv', vcpus: 1, p2mSize: 3000, tscKhz: 2_394_000, reusePageBuffers });
    const parts = [w.start()];
    // Copy each record before pulling the next: what writing it out before continuing means.
    for (const rec of w.pages(mem, Array.from({ length: 3000 }, (_, i) => i))) parts.push(...rec.map(b => Buffer.from(b)));
    parts.push(w.finish());
    return Buffer.concat(parts);
  };
  const stream = encode(true);
  assert.ok(stream.equals(encode(false)));
  for (const chunk of [4096, 3 << 20, 9 << 20]) {
    const reader = new StreamReader({ xlHeader: false, reuseBuffers: true, pageFragments: chunk > 4096 });
    const restorer = new MemoryRestorer(new GuestMemory(3000, { populated: false }));
    for (let at = 0; at < stream.length; at += chunk) {
      reader.feed(stream.subarray(at, at + chunk));
      for (const rec of reader.records()) restorer.apply(rec);
    }
    assert.equal(reader.end(), null);
    assert.equal(restorer.memory.digest(), mem.digest(), `chunk ${chunk}`);
  }
});

test('chunks read into one reused buffer (a socket with onread): the reader keeps copies of what it waits on', () => {
  const mem = new GuestMemory(3000, { seed: 13 });
  mem.dirty(700, rng(9));
  mem.poke(17, 64, Buffer.from('explicit'));
  const w = new StreamWriter({ guestType: 'hvm', vcpus: 2, p2mSize: 3000, tscKhz: 2_394_000 });
  const parts = [encodeXlHeader('{"c_info":{"name":"reused"}}'), w.start()];
  for (const rec of w.pages(mem, Array.from({ length: 3000 }, (_, i) => i))) parts.push(...rec);
  parts.push(w.finish(), Buffer.from('after END'));
  const stream = Buffer.concat(parts);
  // Odd sizes put record heads, pfn lists and pages across chunk boundaries.
  for (const chunk of [4093, 65_536 + 12, 1 << 20]) {
    const reader = new StreamReader({ reuseBuffers: true, pageFragments: true, chunksReused: true });
    const restorer = new MemoryRestorer(new GuestMemory(3000, { populated: false }));
    const scratch = Buffer.alloc(chunk);
    for (let at = 0; at < stream.length; at += chunk) {
      const n = stream.copy(scratch, 0, at, at + chunk);
      reader.feed(scratch.subarray(0, n));
      for (const rec of reader.records()) restorer.apply(rec);
      scratch.fill(0xa5); // the next read overwrites it
    }
    assert.equal(reader.end(), null, `chunk ${chunk}`);
    assert.equal(restorer.memory.digest(), mem.digest(), `chunk ${chunk}`);
    assert.deepEqual(reader.remainder(), Buffer.from('after END'));
  }
});
