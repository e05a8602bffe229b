import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JOURNAL_MAGIC, JournalEncoder, decodeJournal } from '../../src/formats/xenstore-journal.ts';

function journal(): { file: Buffer; firstEnd: number } {
  const enc = new JournalEncoder();
  enc.put('/a', Buffer.from('v\0\xff', 'latin1'), [{ id: 0, bits: 0 }, { id: 7, bits: 3 }], ['b', 'c']);
  enc.del('/old');
  const first = Buffer.from(enc.take());
  enc.put('/a', Buffer.alloc(0), [{ id: 65535, bits: 1 }], null);
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
    { op: 'put', path: '/a', value: Buffer.alloc(0), perms: [{ id: 65535, bits: 1 }], children: null },
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
