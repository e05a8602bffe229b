// xentop's keys: one read of the terminal split as getch returns keys, and the delay prompt
// reading a line and taking atoi of it, as tools/xentop/xentop.c's handle_key does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handleKey, keysOf, type KeyState } from '../../../src/cli/xentop/keys.ts';
import { DEFAULT_TABLE_OPTIONS } from '../../../src/cli/xentop/table.ts';

const start: KeyState = { ...DEFAULT_TABLE_OPTIONS, prompt: null, delay: 3 };
const type = (st: KeyState, input: string) => {
  let quit = false;
  for (const k of keysOf(input)) { const r = handleKey(st, k, 5); st = r.state; quit ||= !!r.quit; }
  return { st, quit };
};

test('one read holding several keys gives each key, Enter and arrows included', () => {
  assert.deepEqual(keysOf('3\r'), [{ kind: 'char', ch: '3' }, { kind: 'enter' }]);
  assert.deepEqual(keysOf('n\x1b[Bv\x1bOA\x7f\b\x0c\x1b'), [
    { kind: 'char', ch: 'n' }, { kind: 'down' }, { kind: 'char', ch: 'v' }, { kind: 'up' },
    { kind: 'backspace' }, { kind: 'backspace' }, { kind: 'repaint' }, { kind: 'escape' }]);
});

test('the delay prompt takes a line typed in one read and applies atoi of it', () => {
  const { st } = type(start, 'd7\r');
  assert.equal(st.prompt, null);
  assert.equal(st.delay, 7);
  // Letters are printable, so they are typed into the line; atoi stops at the first of them.
  assert.equal(type(start, 'd12x5\r').st.delay, 12);
  // Nothing numeric (or 0) keeps the delay, and the prompt closes all the same.
  for (const line of ['dabc\r', 'd0\r', 'd-4\r', 'd\r']) {
    const r = type(start, line);
    assert.deepEqual([r.st.prompt, r.st.delay], [null, 3], line);
  }
  // Q at the prompt is text, not quit; Esc cancels the line.
  const q = type(start, 'd5q');
  assert.deepEqual([q.st.prompt, q.quit], ['5q', false]);
  assert.deepEqual([type(q.st, '\x1b').st.prompt, type(q.st, '\x1b').st.delay], [null, 3]);
  assert.equal(type(q.st, '\r').st.delay, 5);
});
