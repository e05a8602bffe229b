// The dashboard (xentop --dashboard's UI) under a real terminal over recorded samples: it draws
// every pane, logs lifecycle events, pauses the domain picked in the table, reports a failed
// unpause, and quits back to a clean normal screen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PtyScreen } from '../cli/xentop/pty.ts';
import { FIXTURES } from '../cli/xentop/shim-data.ts';

test('dashboard renders, pauses the picked domain, and quits cleanly', async () => {
  const t = new PtyScreen(process.execPath, ['--import', 'tsx', join(FIXTURES, 'run-dashboard.ts')], { cols: 150, rows: 40, cwd: process.cwd() });
  try {
    await t.waitFor(s => s.includes('Domain-0') && s.includes('created epsilon (9)'), 'the dashboard');
    assert.equal(t.bufferType(), 'alternate');
    const s = t.text();
    for (const pane of ['CPU(%) per domain', 'Host memory used', 'Host CPU busy', 'Network KB/s', 'Disk KB/s', 'Events', 'Domains']) assert.ok(s.includes(pane), pane);
    // 4 GiB used of 16 GiB; the busiest domain's CPU(%) as xentop computes it.
    assert.match(s, /25%/);
    assert.match(s, / Beta +3 +--b--r +5\.0 /);
    // Rows are sorted by name as xentop sorts them: alpha, Beta, crashy, debian-pv, ...
    t.write('\x1b[B\x1b[B\x1b[B');
    t.write('p');
    await t.waitFor(x => x.includes('paused debian-pv (1)'), 'the pause of the picked domain');
    t.write('\x1b[B\x1b[B');
    t.write('u');
    await t.waitFor(x => x.includes('unpause Domain-0: Cannot unpause Domain-0'), 'the failed unpause');
    t.write('q');
    assert.equal(await t.exited, 0);
    assert.equal(t.bufferType(), 'normal');
    assert.equal(t.text().trim(), '');
  } finally { t.kill(); }
});
