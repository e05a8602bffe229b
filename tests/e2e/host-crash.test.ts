// kill -9 of the daemon in the middle of a burst of creates and destroys loses nothing that
// was committed (issue 2, acceptance 6).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { TestHost } from '../helpers/host.ts';
import { parseList } from '../helpers/xl-parse.ts';

const h = new TestHost().start();
after(() => h.stop());

function exitOf(p: ReturnType<TestHost['spawn']>): Promise<number> {
  return new Promise(r => p.on('close', c => r(c ?? -1)));
}

test('SIGKILL during 50 concurrent creates and destroys', async () => {
  for (let i = 0; i < 25; i++) writeFileSync(join(h.home, `c${i}.cfg`), `name = "c${i}"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 64\n`);
  // A first wave that surely commits, so the burst also has destroys to do.
  for (let i = 0; i < 10; i++) h.xlOk('create', join(h.home, `c${i}.cfg`));
  const pid = Number(readFileSync(join(h.home, 'xenlabd.pid'), 'utf8'));
  // Exit listeners go on at spawn time: a tool may finish before the kill.
  const exits: Promise<number>[] = [];
  const run = (args: string[]) => exits.push(exitOf(h.spawn('xl', args)));
  for (let i = 10; i < 25; i++) run(['create', join(h.home, `c${i}.cfg`)]);
  for (let i = 0; i < 10; i++) run(['destroy', `c${i}`]);
  for (let i = 0; i < 25; i++) run(['list']);
  // Kill once some of the burst has been answered.
  await new Promise(r => setTimeout(r, 150));
  process.kill(pid, 'SIGKILL');
  await Promise.all(exits);

  // What the database committed is what must come back.
  const db = new Database(join(h.home, 'xenlab.db'), { readonly: true });
  const committed = (db.prepare('SELECT domid, CAST(name AS TEXT) AS name FROM domains ORDER BY domid').all() as { domid: number; name: string }[]);
  db.close();
  h.start();
  const listed = parseList(h.xlOk('list')).filter(r => r.id !== 0);
  assert.deepEqual(listed.map(r => [r.id, r.name]), committed.map(r => [r.domid, r.name]));
  assert.equal(new Set(listed.map(r => r.id)).size, listed.length, 'domids are unique');
  assert.equal(new Set(listed.map(r => r.name)).size, listed.length, 'names are unique');
  // Every listed domain has its xenstore tree back; no orphans in the database.
  for (const r of listed) assert.equal(h.sys('xenstore-read', [`/local/domain/${r.id}/name`]).stdout.trim(), r.name);
  const ls = h.sys('xenstore-list', ['/local/domain']).stdout.trim().split('\n').map(Number).sort((a, b) => a - b);
  assert.deepEqual(ls, [0, ...listed.map(r => r.id)]);
  // New domains get fresh domids above everything handed out before.
  writeFileSync(join(h.home, 'after.cfg'), 'name = "after"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 64\n');
  h.xlOk('create', join(h.home, 'after.cfg'));
  const afterId = parseList(h.xlOk('list')).find(r => r.name === 'after')!.id;
  assert.ok(afterId > Math.max(0, ...committed.map(r => r.domid)));
});
