// The real test-xenstore (libxenstore over our socket) must pass all its tests.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { TEST_XENSTORE, startXenstored, type Daemon } from '../cli/xenstore/harness.ts';

const skip = existsSync(TEST_XENSTORE) ? false : `${TEST_XENSTORE} not installed (apt-get install xen-utils-4.17)`;
let daemon: Daemon;
before(async () => { if (!skip) daemon = await startXenstored(); });
after(async () => { await daemon?.stop(); });

function run(args: string[]) {
  return spawnSync(TEST_XENSTORE, args, { env: { ...process.env, XENSTORED_PATH: daemon.socket }, encoding: 'utf8', timeout: 120_000 });
}

const TESTS = ['read 1', 'read 2000', 'write 1', 'write 2000', 'dir', 'rm node', 'rm dir', 'ta empty', 'ta empty x', 'ta rmw', 'ta rmw x', 'ta err'];

test('test-xenstore: all 12 tests pass', { skip }, () => {
  const r = run([]);
  assert.equal(r.stderr, '');
  const names = r.stdout.trimEnd().split('\n').map(l => l.slice(0, 10).trimEnd());
  assert.deepEqual(names, TESTS);
  assert.doesNotMatch(r.stdout, /failed/);
  assert.equal(r.status, 0);
});

test('test-xenstore -i 50: repeated runs pass', { skip }, () => {
  const r = run(['-i', '50']);
  assert.match(r.stdout, /^ta err {4}: avg: \d+ ns/m);
  assert.equal(r.status, 0, r.stdout);
});

test('test-xenstore -r 30: random mode passes (prints nothing on success)', { skip, timeout: 120_000 }, () => {
  const r = run(['-r', '30']);
  assert.equal(r.stdout, '');
  assert.equal(r.status, 0);
});

test('test-xenstore leaves the work area clean', { skip }, () => {
  const r = spawnSync('/usr/bin/xenstore-ls', ['/local/domain/0'], { env: { ...process.env, XENSTORED_PATH: daemon.socket }, encoding: 'utf8' });
  assert.equal(r.stdout, '');
});
