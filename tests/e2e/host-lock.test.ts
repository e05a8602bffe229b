// One daemon per XENLAB_HOME, whatever the way it is started: an OS lock held by the daemon,
// not a pid in a file (issue 11, item 13).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { parseList } from '../helpers/xl-parse.ts';

const hosts: TestHost[] = [];
after(() => { for (const h of hosts) h.stop(); });
const host = () => { const h = new TestHost(); hosts.push(h); return h; };

const AUTOSTART = { XENLAB_NO_AUTOSTART: '' };

function outcome(p: ReturnType<TestHost['spawn']>): Promise<{ code: number; err: string; pid: number }> {
  let err = '';
  p.stderr!.on('data', d => err += d);
  return new Promise(r => p.on('close', c => r({ code: c ?? -1, err, pid: p.pid! })));
}

test('a live unrelated pid in an old-style lock file does not keep tools from starting the daemon', () => {
  const h = host();
  // The test's own pid: alive, and no xenlabd.
  writeFileSync(join(h.home, 'xenlabd.lock'), String(process.pid));
  const r = h.run('xl', ['list'], { env: AUTOSTART });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Domain-0\s+0\s/m);
});

test('two xenlabd run on one home: one serves it, the other refuses; an acknowledged destroy stays done', { timeout: 120_000 }, async () => {
  const h = host().start();
  h.xlOk('create', h.guestConfig('g1'));
  h.xlOk('create', h.guestConfig('g2'));
  assert.equal(h.run('xenlabd', ['stop']).status, 0);

  // Both at the same moment, as two administrators (or a unit file and a shell) would.
  const runs = [outcome(h.spawn('xenlabd', ['run'])), outcome(h.spawn('xenlabd', ['run']))];
  // One of the two refuses as soon as the other holds the lock. (A tool run before that could
  // start a third daemon that wins the lock before either: both runs would then refuse.)
  const loser = await Promise.race(runs);
  assert.equal(loser.code, 75, loser.err);
  assert.match(loser.err, new RegExp(`^xenlabd: already running for ${h.home} \\(another xenlabd holds ${h.home}/xenlabd.lock\\)\\n$`));
  // A tool reaches the daemon that holds the lock, even while it is still coming up (the daemon
  // the tool spawns for itself loses the lock and exits).
  const listed = h.run('xl', ['list'], { env: AUTOSTART });
  assert.equal(listed.status, 0, listed.stderr);

  // The scenario: an orphan daemon's checkpoint put a destroyed domain back.
  h.xlOk('destroy', 'g1');
  assert.equal(h.run('xenlabd', ['stop']).status, 0);
  const [a, b] = await Promise.all(runs);
  assert.deepEqual([a.code, b.code].sort(), [0, 75], 'the survivor stopped cleanly');
  h.start();
  assert.deepEqual(parseList(h.xlOk('list')).map(r => r.name), ['Domain-0', 'g2']);
});

test('xenlabd run while a daemon serves the home refuses and leaves it untouched', () => {
  const h = host().start();
  h.xlOk('create', h.guestConfig('g1'));
  const r = h.run('xenlabd', ['run']);
  assert.equal(r.status, 75);
  assert.match(r.stderr, /already running for/);
  assert.equal(h.run('xenlabd', ['status']).status, 0);
  assert.deepEqual(parseList(h.xlOk('list')).map(r => r.name), ['Domain-0', 'g1']);
  // start is what it says: start if not running.
  const s = h.run('xenlabd', ['start']);
  assert.equal(s.status, 0);
  assert.match(s.stdout, /already running/);
});

test('stop, then start at once: the new daemon takes over the lock the old one leaves', () => {
  const h = host().start();
  for (let i = 0; i < 3; i++) {
    assert.equal(h.run('xenlabd', ['stop']).status, 0);
    h.start();
  }
  assert.equal(h.run('xenlabd', ['status']).status, 0);
});
