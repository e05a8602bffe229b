// Interactive xentop under a real terminal (node-pty + headless xterm) over recorded samples:
// every key, scrolling with more domains than rows, a resize, Ctrl-L, quitting back to the
// normal screen, NO_COLOR, and no live redrawing when stdout is not a terminal. Expected screens
// come from drawScreen, whose layout screen.test.ts checks against the real xentop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, TestHost } from '../helpers/host.ts';
import { PtyScreen } from '../cli/xentop/pty.ts';
import { FIXTURES, shimSample } from '../cli/xentop/shim-data.ts';
import { drawScreen } from '../../src/cli/xentop/screen.ts';
import { handleKey, type Key, type KeyState } from '../../src/cli/xentop/keys.ts';
import { DEFAULT_TABLE_OPTIONS } from '../../src/cli/xentop/table.ts';

const RUNNER = join(FIXTURES, 'run-recorded.tsx');
const file = join(FIXTURES, 'screen.data');
const first = shimSample(2000, file), second = shimSample(2001, file);
const expected = (cols: number, rows: number, st: KeyState) =>
  drawScreen(rows, cols, second, first, st).screen.text().split('\n').map(l => l.trimEnd()).join('\n');
const start: KeyState = { ...DEFAULT_TABLE_OPTIONS, prompt: null, delay: 3 };

test('every key, scrolling, Ctrl-L and a resize, then Q back to the normal screen', async () => {
  let cols = 100, rows = 16;
  const t = new PtyScreen(process.execPath, ['--import', 'tsx', RUNNER], { cols, rows, cwd: process.cwd() });
  try {
    let st = start;
    await t.waitFor(s => s === expected(cols, rows, st), 'the first screen');
    assert.equal(t.bufferType(), 'alternate');
    const press = async (bytes: string, key: Key, what: string) => {
      st = handleKey(st, key, second.domains.length).state;
      t.write(bytes);
      await t.waitFor(s => s === expected(cols, rows, st), what);
    };
    await press('\x1b[B', { kind: 'down' }, 'scrolled down one domain');
    assert.match(t.text().split('\n')[5], /^\s+Beta /); // the header wraps onto two lines at 100 columns
    await press('\x1b[B', { kind: 'down' }, 'scrolled down two domains');
    await press('\x1b[A', { kind: 'up' }, 'scrolled back up one');
    await press('s', { kind: 'char', ch: 's' }, 'sorted by STATE');
    // The sort column's header is bold, the others are not.
    const header = t.text().split('\n').findIndex(l => l.includes('STATE'));
    const stateX = t.text().split('\n')[header].indexOf('STATE');
    assert.ok(t.cell(stateX, header)?.isBold());
    assert.ok(!t.cell(stateX - 6, header)?.isBold());
    assert.ok(t.cell(stateX, header)?.isInverse());
    await press('S', { kind: 'char', ch: 'S' }, 'sorted by CPU(sec)');
    await press('n', { kind: 'char', ch: 'n' }, 'networks shown');
    await press('b', { kind: 'char', ch: 'b' }, 'vbds shown');
    await press('v', { kind: 'char', ch: 'v' }, 'vcpus shown');
    await press('r', { kind: 'char', ch: 'r' }, 'repeated headers');
    await press('N', { kind: 'char', ch: 'N' }, 'networks hidden');
    await press('B', { kind: 'char', ch: 'B' }, 'vbds hidden');
    await press('R', { kind: 'char', ch: 'R' }, 'headers once');
    await press('d', { kind: 'char', ch: 'd' }, 'the delay prompt');
    assert.match(t.text().split('\n')[rows - 1], /^  Delay\(sec\):$/);
    await press('1', { kind: 'char', ch: '1' }, 'typing 1');
    await press('x', { kind: 'char', ch: 'x' }, 'typing x');
    await press('\x7f', { kind: 'backspace' }, 'backspace');
    await press('5', { kind: 'char', ch: '5' }, 'typing 5');
    await press('\r', { kind: 'enter' }, 'delay applied');
    assert.equal(st.delay, 15);
    await press('D', { kind: 'char', ch: 'D' }, 'the prompt again');
    await press('\x1b', { kind: 'escape' }, 'prompt cancelled by Esc');
    assert.equal(st.delay, 15);
    await press('V', { kind: 'char', ch: 'V' }, 'vcpus hidden');
    await press('\x0c', { kind: 'repaint' }, 'Ctrl-L repaint');
    cols = 140; rows = 20;
    t.resize(cols, rows);
    await t.waitFor(s => s === expected(cols, rows, st), 'the screen at the new size');
    t.write('q');
    assert.equal(await t.exited, 0);
    assert.equal(t.bufferType(), 'normal');
  } finally { t.kill(); }
});

test('keys that arrive together in one read are each handled, as getch takes them one by one', async () => {
  const cols = 100, rows = 16;
  const t = new PtyScreen(process.execPath, ['--import', 'tsx', RUNNER], { cols, rows, cwd: process.cwd() });
  try {
    await t.waitFor(s => s === expected(cols, rows, start), 'the first screen');
    let st = start;
    for (const ch of 'vb') st = handleKey(st, { kind: 'char', ch }, second.domains.length).state;
    t.write('vb');
    await t.waitFor(s => s === expected(cols, rows, st), 'vcpus and vbds shown');
    t.write('q');
    assert.equal(await t.exited, 0);
  } finally { t.kill(); }
});

test('Esc quits; NO_COLOR draws no attributes at all', async () => {
  const t = new PtyScreen(process.execPath, ['--import', 'tsx', RUNNER], { cols: 90, rows: 14, cwd: process.cwd(), env: { NO_COLOR: '1' } });
  try {
    await t.waitFor(s => s === expected(90, 14, start), 'the first screen');
    assert.doesNotMatch(t.raw, /\x1b\[[0-9;]*m/);
    t.write('\x1b');
    assert.equal(await t.exited, 0);
  } finally { t.kill(); }
});

test('with stdout not a terminal, only the last screen is printed, as plain text', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', RUNNER, '-i', '2', '-n'], { encoding: 'utf8', cwd: process.cwd(), env: { ...process.env, NO_COLOR: '' } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, drawScreen(24, 80, second, first, { ...start, networks: true }).screen.text() + '\n');
  assert.doesNotMatch(r.stdout, /\x1b/);
});

test('a key press takes a new sample, and a delay typed with its Enter in one read applies', async () => {
  const h = new TestHost().start();
  try {
    const cfg = join(h.home, 'busy.cfg');
    writeFileSync(cfg, 'name = "busy"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 256\nvcpus = 1\nworkload = "cpu=100"\n');
    h.xlOk('create', cfg);
    h.advance('5s');
    const t = new PtyScreen(process.execPath, [join(BIN, 'xentop'), '-d', '10'], { cols: 170, rows: 12, cwd: ROOT, env: h.env });
    try {
      const busy = (cpuSec: number, pct: string) => (s: string) => new RegExp(`^ +busy -----r +${cpuSec} +${pct.replace('.', '\\.')} `, 'm').test(s);
      await t.waitFor(s => /^ +busy -----r +\d+ +0\.0 /m.test(s), 'the first screen');
      const first = Number(/^ +busy -----r +(\d+) /m.exec(t.text())![1]);
      // One simulated second is well inside the 10 s delay: only the key press samples again.
      h.advance('1s');
      t.write('x');
      await t.waitFor(busy(first + 1, '100.0'), 'a new sample on a key press');
      // The prompt's line arrives in one read; the new delay of 1 s then drives the refreshes.
      t.write('d');
      await t.waitFor(s => /^  Delay\(sec\):$/m.test(s), 'the delay prompt');
      t.write('1\r');
      await t.waitFor(s => /^  Delay  Networks/m.test(s), 'the prompt closed by its Enter');
      // Same-instant samples (the virtual clock stands) keep CPU(%) over the last interval.
      assert.ok(busy(first + 1, '100.0')(t.text()), t.text());
      h.advance('1s');
      await t.waitFor(busy(first + 2, '100.0'), 'a refresh after the new 1 s delay');
      t.write('q');
      assert.equal(await t.exited, 0);
    } finally { t.kill(); }
  } finally { h.stop(); }
});
