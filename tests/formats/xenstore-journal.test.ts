import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JOURNAL_MAGIC, JournalEncoder, applySplice, childSplice, decodeJournal } from '../../src/formats/xenstore-journal.ts';

function journal(): { file: Buffer; firstEnd: number } {
  const enc = new JournalEncoder();
  enc.put('/a', Buffer.from('v\0\xff', 'latin1'), [{ id: 0, bits: 0 }, { id: 7, bits: 3 }], ['b', 'c']);
  enc.del('/old');
  const first = Buffer.from(enc.take());
  enc.put('/a', Buffer.alloc(0), [{ id: 4294967295, bits: 17 }], null);
  const second = Buffer.from(enc.take());
  return { file: Buffer.concat([JOURNAL_MAGIC, first, second]), firstEnd: JOURNAL_MAGIC.length + first.length };
}

test('ops come back as written, record by record', () => {
  const { file } = journal();
  const d = decodeJournal(file);
  assert.equal(d.validBytes, file.length);
  assert.deepEqual(d.ops, [
    { op: 'put', path: '/a', value: Buffer.from('v\0\xff', 'latin1'), perms: [{ id: 0, bits: 0 }, { id: 7, bits: 3 }], children: ['b', 'c'] },
    { op: 'del', path: '/old' },
    { op: 'put', path: '/a', value: Buffer.alloc(0), perms: [{ id: 4294967295, bits: 17 }], children: null },
  ]);
});

test('a last record cut anywhere, or followed by zeros, is left out whole', () => {
  const { file, firstEnd } = journal();
  for (let cut = firstEnd; cut < file.length; cut++) {
    const d = decodeJournal(file.subarray(0, cut));
    assert.equal(d.validBytes, firstEnd, `cut at ${cut}`);
    assert.equal(d.ops.length, 2);
  }
  assert.equal(decodeJournal(Buffer.concat([file, Buffer.alloc(4096)])).validBytes, file.length);
});

test('a file that is not a journal is refused', () => {
  assert.throws(() => decodeJournal(Buffer.from('SQLite format 3\0')), /not a xenstored journal/);
});

test('a version 01 journal (16-bit domids) is still read, and marked old', () => {
  // u8 op PUT_VALUE | u16 pathLen 2 | "/a" | u16 nperms 1 | u16 id 7, u8 bits 1 | u32 valueLen 1 | "v"
  const body = Buffer.from([2, 2, 0, 0x2f, 0x61, 1, 0, 7, 0, 1, 1, 0, 0, 0, 0x76]);
  const frame = Buffer.alloc(8 + body.length);
  frame.writeUInt32LE(body.length, 0);
  body.copy(frame, 4);
  frame.writeUInt32LE((body.length ^ 0x4c4e524a) >>> 0, 4 + body.length);
  const d = decodeJournal(Buffer.concat([Buffer.from('XSJRNL01'), frame]));
  assert.equal(d.old, true);
  assert.deepEqual(d.ops, [{ op: 'put', path: '/a', value: Buffer.from('v'), perms: [{ id: 7, bits: 1 }], children: null }]);
  assert.equal(decodeJournal(journal().file).old, false);
});

test('a change to a long child list is written as the splice alone, and applies back to the same list', () => {
  const was = Array.from({ length: 1000 }, (_, i) => String(i));
  const cases: [string, string[]][] = [
    ['appended', [...was, 'new']],
    ['removed from the middle', was.filter(c => c !== '500')],
    ['replaced', was.map(c => (c === '7' ? 'seven' : c))],
  ];
  for (const [what, now] of cases) {
    const s = childSplice(was, now)!;
    assert.ok(s && s.insert.length <= 1, what);
    const enc = new JournalEncoder();
    enc.putSplice('/local/domain', Buffer.alloc(0), [{ id: 0, bits: 0 }], s);
    const rec = Buffer.from(enc.take());
    assert.ok(rec.length < 64, `${what}: ${rec.length} bytes`);
    const [op] = decodeJournal(Buffer.concat([JOURNAL_MAGIC, rec])).ops;
    assert.ok(op?.op === 'put' && op.splice && op.children === null, what);
    assert.deepEqual(applySplice(was, op.splice), now, what);
  }
  assert.equal(childSplice(['a', 'b'], ['b', 'a']), null, 'a short list is written whole');
});

test('a version 02 journal (no splices) is still read, and marked old', () => {
  const { file } = journal();
  const v2 = Buffer.concat([Buffer.from('XSJRNL02'), file.subarray(JOURNAL_MAGIC.length)]);
  const d = decodeJournal(v2);
  assert.equal(d.old, true);
  assert.deepEqual(d.ops, decodeJournal(file).ops);
});
