// Host shutdown with every guest saved (issue 15, acceptance 4): Debian's own
// /etc/init.d/xendomains, unchanged, run through examples/xendomains against a real daemon.
// `stop` saves each guest into XENDOMAINS_SAVE, `start` restores them: the same guests come back
// with the same memory, page for page, as dump-core shows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, TestHost } from '../helpers/host.ts';
import { parseList } from '../helpers/xl-parse.ts';
import { guestCfg, xenPages } from './migrate-helpers.ts';

const SCRIPT = '/etc/init.d/xendomains';
const namespaces = spawnSync('unshare', ['--map-root-user', '--mount', 'true']).status === 0;
const skip = !existsSync(SCRIPT) ? `${SCRIPT} missing (Debian package xen-utils-common)` : !namespaces && 'unshare cannot make a mount namespace here';

let h: TestHost;
before(() => { h = new TestHost().start(); });
after(() => h.stop());

function xendomains(action: string): { stdout: string; stderr: string; status: number } {
  const r = spawnSync(join(ROOT, 'examples/xendomains/xendomains'), [action], { env: h.env, encoding: 'utf8', timeout: 120_000 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status ?? -1 };
}

const guests = () => parseList(h.xlOk('list')).filter(r => r.id !== 0).map(r => r.name).sort();

test('xendomains stop saves three guests into XENDOMAINS_SAVE; start brings them back with identical memory', { skip }, () => {
  const names = ['web', 'db', 'mail'];
  for (const [i, type] of (['pv', 'pvh', 'hvm'] as const).entries()) {
    h.xlOk('create', guestCfg(h, names[i]!, { type, memory: 32, workload: 'cpu=30,dirty=500' }));
  }
  h.advance('5s');
  const before = Object.fromEntries(names.map(n => [n, xenPages(h, n)]));
  const ids = Object.fromEntries(parseList(h.xlOk('list')).map(r => [r.name, r.id]));

  const stop = xendomains('stop');
  assert.equal(stop.status, 0, stop.stderr);
  for (const n of names) assert.match(stop.stdout, new RegExp(`Saving Xen domain ${n} \\(${ids[n]}\\)\\.*done\\.\n`));
  assert.deepEqual(guests(), [], 'every guest was saved and is gone');
  const save = join(h.home, 'xendomains/save');
  assert.deepEqual(readdirSync(save).sort(), [...names].sort());

  const start = xendomains('start');
  assert.equal(start.status, 0, start.stderr);
  for (const n of names) assert.match(start.stdout, new RegExp(`Restoring Xen domain ${n} \\(from ${join(save, n)}\\)\\.*done\\.\n`));
  assert.deepEqual(guests(), [...names].sort());
  assert.deepEqual(readdirSync(save), [], 'each restored file is removed');
  for (const n of names) assert.deepEqual(xenPages(h, n), before[n], `${n}'s memory`);
});

test('xenlabd stop --save-guests DIR saves every guest before stopping; start --restore-guests DIR brings them back', () => {
  for (const n of guests()) h.xlOk('destroy', n);
  h.xlOk('create', guestCfg(h, 'app', { memory: 32, workload: 'cpu=30,dirty=500' }));
  h.xlOk('create', guestCfg(h, 'cache', { type: 'hvm', memory: 32 }));
  h.advance('3s');
  const before = { app: xenPages(h, 'app'), cache: xenPages(h, 'cache') };
  const dir = join(h.home, 'host-down');

  const stop = h.run('xenlabd', ['stop', '--save-guests', dir]);
  assert.equal(stop.status, 0, stop.stderr);
  assert.match(stop.stdout, /^xenlabd: saved app \(\d+\) to .*\nxenlabd: saved cache \(\d+\) to .*\nxenlabd: stopped\n$/);
  assert.match(stop.stderr, /Saving to .*\/host-down\/app new xl format/);
  assert.deepEqual(readdirSync(dir).sort(), ['app', 'cache']);
  assert.equal(h.run('xenlabd', ['status']).status, 3, 'the daemon stopped');

  const start = h.run('xenlabd', ['start', '--restore-guests', dir]);
  assert.equal(start.status, 0, start.stderr);
  assert.deepEqual(guests(), ['app', 'cache'], 'the saved guests, not the ones the database kept');
  assert.deepEqual(readdirSync(dir), []);
  assert.deepEqual({ app: xenPages(h, 'app'), cache: xenPages(h, 'cache') }, before);
});
