// The installed binaries against a real xenlabd on the virtual clock, under a real terminal:
// interactive xentop and xentop --dashboard update when simulated time moves, and quit cleanly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, TestHost } from '../helpers/host.ts';
import { PtyScreen } from '../cli/xentop/pty.ts';

let h: TestHost;
before(() => {
  h = new TestHost().start();
  const p = join(h.home, 'busy.cfg');
  writeFileSync(p, 'name = "busy"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 256\nvcpus = 1\nworkload = "cpu=100"\n');
  h.xlOk('create', p);
  h.advance('5s');
});
after(() => h.stop());

test('interactive xentop refreshes on simulated time and quits with q', async () => {
  const t = new PtyScreen(process.execPath, [join(BIN, 'xentop'), '-d', '2'], { cols: 170, rows: 12, cwd: ROOT, env: h.env });
  try {
    await t.waitFor(s => /^ +busy -----r +\d+ +0\.0 /m.test(s), 'the first screen');
    assert.match(t.text(), /^2 domains: 2 running, 0 blocked/m);
    h.advance('2s');
    await t.waitFor(s => /^ +busy -----r +\d+ +100\.0 /m.test(s), 'CPU(%) after two simulated seconds');
    t.write('q');
    assert.equal(await t.exited, 0);
    assert.equal(t.bufferType(), 'normal');
  } finally { t.kill(); }
});

test('xentop --dashboard charts live samples, logs events, pauses and quits cleanly', async () => {
  const t = new PtyScreen(process.execPath, [join(BIN, 'xentop'), '--dashboard', '-d', '1'], { cols: 150, rows: 40, cwd: ROOT, env: h.env });
  try {
    await t.waitFor(s => / busy +\d+ +-----r +0\.0 /.test(s), 'the domain table');
    h.advance('1s');
    await t.waitFor(s => / busy +\d+ +-----r +100\.0 /.test(s), 'a live update');
    // busy is the first row (sorted by name): pause it, and the daemon reports the event.
    t.write('p');
    await t.waitFor(s => s.includes('paused busy'), 'the pause');
    h.advance('1s');
    await t.waitFor(s => / busy +\d+ +----p- +/.test(s), 'the paused state');
    t.write('u');
    await t.waitFor(s => s.includes('unpaused busy'), 'the unpause');
    t.write('q');
    assert.equal(await t.exited, 0);
    assert.equal(t.bufferType(), 'normal');
    assert.equal(t.text().trim(), '');
  } finally { t.kill(); }
});
