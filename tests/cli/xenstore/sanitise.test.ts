import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sanitiseValue, unsanitiseValue } from '../../../src/cli/xenstore/sanitise.ts';

test('sanitise: printable as is, C escapes, octal below 8, hex otherwise', () => {
  assert.equal(sanitiseValue(Buffer.from('a "b" ~')), 'a "b" ~');
  assert.equal(sanitiseValue(Buffer.from('\t\n\r\\')), '\\t\\n\\r\\\\');
  assert.equal(sanitiseValue(Buffer.from([0, 1, 7, 8, 0x1f, 0x7f, 0x80, 0xff])), '\\000\\001\\007\\x08\\x1f\\x7f\\x80\\xff');
});

test('unsanitise: escapes back to bytes, unknown escapes stand for themselves, a final backslash is a NUL', () => {
  assert.deepEqual(unsanitiseValue(Buffer.from('a\\tb\\n\\\\')), Buffer.from('a\tb\n\\'));
  assert.deepEqual(unsanitiseValue(Buffer.from('\\x41\\101\\q\\')), Buffer.from('AAq\0'));
  assert.deepEqual(unsanitiseValue(Buffer.from('\\x4g\\777\\08')), Buffer.from([4, 0x67, 0xff, 0, 0x38]));
  for (const bytes of [[0, 1, 2, 200, 92, 9], [0x7f, 0x41]]) {
    const b = Buffer.from(bytes);
    assert.deepEqual(unsanitiseValue(Buffer.from(sanitiseValue(b))), b);
  }
});
