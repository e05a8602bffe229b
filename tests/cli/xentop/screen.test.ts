// Interactive screens laid out by our curses model against the real xentop 4.17 under tmux
// (fixtures/screen-*.txt, from capture-screens.sh), key by key. The clock in line 1 is masked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { drawScreen } from '../../../src/cli/xentop/screen.ts';
import { handleKey, type Key, type KeyState } from '../../../src/cli/xentop/keys.ts';
import { DEFAULT_TABLE_OPTIONS } from '../../../src/cli/xentop/table.ts';
import { FIXTURES, shimSample } from './shim-data.ts';

const TMUX_KEYS: Record<string, Key> = {
  Down: { kind: 'down' }, Up: { kind: 'up' }, BSpace: { kind: 'backspace' }, Enter: { kind: 'enter' }, Escape: { kind: 'escape' },
};

const maskClock = (s: string) => s.replace(/^xentop - \d\d:\d\d:\d\d/, 'xentop - HH:MM:SS');

for (const [cols, rows, name] of [[80, 24, "80x24"], [170, 20, "170x20"], [170, 20, "sort-170x20"]] as const) {
  test(`screens ${name} match the real xentop after each key`, () => {
    const file = join(FIXTURES, 'screen.data');
    const sections = readFileSync(join(FIXTURES, `screen-${name}.txt`), 'utf8').split(/^=== (.*)\n/m).slice(1);
    const first = shimSample(2000, file), second = shimSample(2001, file);
    let st: KeyState = { ...DEFAULT_TABLE_OPTIONS, prompt: null, delay: 3 };
    for (let i = 0; i < sections.length; i += 2) {
      const key = sections[i], expected = sections[i + 1].replace(/\n$/, '');
      // The real xentop takes a new sample on every key: CPU(%) appears from the first key on.
      const [cur, prev] = key === 'start' ? [first, null] : [second, first];
      if (key !== 'start') st = handleKey(st, TMUX_KEYS[key] ?? { kind: 'char', ch: key }, cur.domains.length).state;
      const { screen } = drawScreen(rows, cols, cur, prev, st);
      const actual = screen.text().split('\n').map(l => l.trimEnd()).join('\n');
      assert.equal(maskClock(actual), maskClock(expected), `after key ${key}`);
    }
  });
}
