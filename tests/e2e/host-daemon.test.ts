// xenlabd's own commands, auto-start and the start race (issue 2).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { until } from '../helpers/wait.ts';

const h = new TestHost();
after(() => h.stop());

function runAsync(env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
  const p = h.spawn('xl', ['list'], env);
  let out = '', err = '';
  p.stdout!.on('data', d => out += d);
  p.stderr!.on('data', d => err += d);
  return new Promise(r => p.on('close', c => r({ code: c ?? -1, out, err })));
}

test('with XENLAB_NO_AUTOSTART=1 nothing starts and tools exit 69', async () => {
  const r = await runAsync({});
  assert.equal(r.code, 69);
  assert.match(r.err, /not running/);
});

test('tools racing to auto-start start exactly one daemon', async () => {
  const rs = await Promise.all(Array.from({ length: 4 }, () => runAsync({ XENLAB_NO_AUTOSTART: '' })));
  for (const r of rs) { assert.equal(r.code, 0, r.err); assert.match(r.out, /^Domain-0\s+0\s/m); }
  // Each racing tool may spawn a daemon; all but the lock's holder exit as soon as they reach the
  // lock, which a loaded machine may not have let them do yet: wait for them to end.
  const daemons = () => h.sys('sh', ['-c', `for p in $(pgrep -f '[x]enlabd.js run'); do tr '\\0' '\\n' < /proc/$p/environ | grep -x 'XENLAB_HOME=${h.home}'; done | wc -l`]).stdout.trim();
  await until(() => daemons() === '1', () => `${daemons()} daemons for this home`);
  assert.equal(h.run('xenlabd', ['status']).status, 0);
});

test('env prints what real clients need; stop stops', () => {
  const env = h.run('xenlabd', ['env']);
  assert.equal(env.stdout, `export XENLAB_HOME=${h.home}\nexport XENSTORED_PATH=${join(h.home, 'run/xenstored/socket')}\n`);
  assert.equal(h.run('xenlabd', ['stop']).status, 0);
  const st = h.run('xenlabd', ['status']);
  assert.equal(st.status, 3);
  assert.match(st.stdout, /not running/);
});

test('the virtual clock moves only when advanced', () => {
  const h2 = new TestHost().start();
  try {
    assert.match(h2.run('xenlabd', ['clock']).stdout, /^virtual 0\.0/);
    h2.advance('1.5s');
    assert.match(h2.run('xenlabd', ['clock']).stdout, /^virtual 1\.5000/);
    assert.equal(h2.run('xenlabd', ['clock', 'advance', 'soon']).status, 2);
  } finally { h2.stop(); }
});

test('a real-clock host refuses clock advance', () => {
  const h3 = new TestHost().start(['--clock', 'real']);
  try {
    const r = h3.run('xenlabd', ['clock', 'advance', '1s']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /only a virtual clock can be advanced/);
  } finally { h3.stop(); }
});
