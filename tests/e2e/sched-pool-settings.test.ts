// Scheduler settings kept across a daemon restart belong to what they set: a destroyed pool's
// credit and credit2 settings are dropped with it (a new pool with its id starts from the
// defaults), and Domain-0's RTDS parameters come back when Pool-0 runs RTDS (xenlabd --sched rtds).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { TestHost } from '../helpers/host.ts';

let h: TestHost;
before(() => { h = new TestHost().start(['--clock', 'virtual', '--sched', 'rtds']); });
after(() => h.stop());

/** The host settings the daemon recorded, read from its database. */
function hostKeys(): string[] {
  const db = new Database(join(h.home, 'xenlab.db'), { readonly: true });
  try { return (db.prepare('SELECT key FROM host').all() as { key: string }[]).map(r => r.key); } finally { db.close(); }
}

test('a destroyed pool\'s settings go with it; Domain-0\'s RTDS parameters outlive a restart', () => {
  h.xlOk('cpupool-cpu-remove', 'Pool-0', '6,7');
  h.xlOk('cpupool-create', 'name="c1"', 'sched="credit"', 'cpus="7"');
  h.xlOk('cpupool-create', 'name="c2"', 'sched="credit2"', 'cpus="6"');
  h.xlOk('sched-credit', '-s', '-p', 'c1', '-t', '10', '-r', '500');
  h.xlOk('sched-credit2', '-s', '-p', 'c2', '-r', '700');
  const keys = hostKeys();
  assert.ok(keys.includes('credit_1') && keys.includes('ratelimit_2'), `${keys}`);
  h.xlOk('cpupool-destroy', 'c1');
  h.xlOk('cpupool-destroy', 'c2');
  assert.deepEqual(hostKeys().filter(k => /^(credit|ratelimit)_[12]$/.test(k)), []);
  h.xlOk('sched-rtds', '-d', 'Domain-0', '-v', 'all', '-p', '20000', '-b', '5000', '-e', '0');
  h.run('xenlabd', ['stop']);
  h.start();
  assert.match(h.xlOk('sched-rtds', '-d', 'Domain-0', '-v', 'all'), /^Domain-0 +0 +0 +20000 +5000 +no$/m);
  h.xlOk('cpupool-create', 'name="again"', 'sched="credit"', 'cpus="7"');
  assert.equal(h.xlOk('sched-credit', '-s', '-p', 'again'), 'Cpupool again: tslice=30ms ratelimit=1000us migration-delay=0us\n');
});
