// A damaged database is never replaced (issue 11, item 12): with an index page of the host
// table overwritten, an explicit start and a tool's auto-start both refuse with the reason and
// how to recover, and neither writes the file nor adds a host row (before, the next start made
// a new default host over the old one).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { TestHost } from '../helpers/host.ts';

const h = new TestHost().start(['--clock', 'virtual', '--cpus', '3']);
after(() => h.stop());
const db = join(h.home, 'xenlab.db');
const digest = () => createHash('sha256').update(readFileSync(db)).digest('hex');

test('an index page overwritten: start and auto-start refuse, the file stays as it was', () => {
  h.xlOk('create', h.guestConfig('g', 'memory = 16'));
  h.run('xenlabd', ['stop']);
  // Everything into the main file, then garbage over the cells of the host table's key index.
  const w = new Database(db);
  w.pragma('wal_checkpoint(TRUNCATE)');
  const { rootpage } = w.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex_host_1'").get() as { rootpage: number };
  const pageSize = w.pragma('page_size', { simple: true }) as number;
  w.close();
  const fd = openSync(db, 'r+');
  writeSync(fd, Buffer.alloc(pageSize - 16, 0x5a), 0, pageSize - 16, (rootpage - 1) * pageSize + 8);
  closeSync(fd);
  const before = digest();

  const explicit = h.run('xenlabd', ['start', '--clock', 'virtual']);
  const auto = h.run('xl', ['list'], { env: { XENLAB_NO_AUTOSTART: '' } });
  for (const r of [explicit, auto]) {
    assert.notEqual(r.status, 0);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`^xenlabd: the database ${db} is damaged: refusing to start on it`));
    assert.match(r.stderr, /sqlite_autoindex_host_1|Tree \d+ page \d+/, 'integrity_check says what is wrong');
    assert.match(r.stderr, /keep a copy aside/);
    assert.match(r.stderr, /PRAGMA integrity_check/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  assert.equal(h.run('xenlabd', ['status']).status, 3, 'no daemon runs');
  assert.equal(digest(), before, 'the database file is untouched');
  // The table itself (read without the damaged index) still holds one machine, the one made with 3 pCPUs.
  const r = new Database(db, { readonly: true });
  const machines = r.prepare("SELECT value FROM host NOT INDEXED WHERE key = 'machine'").all() as { value: string }[];
  r.close();
  assert.equal(machines.length, 1);
  assert.equal(JSON.parse(machines[0]!.value).nrCpus, 3);
});
