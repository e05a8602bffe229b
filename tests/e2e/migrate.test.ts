// xl migrate between two xenlab hosts on one machine, through the real transport (sh -c with
// -s '', xl migrate-receive on the other XENLAB_HOME) and the real handshake (issue 6,
// acceptance 1 and 3): the guest moves with its devices, memory arrives byte for byte, a paused
// guest cannot be suspended, and the pre-copy rounds follow modern Xen's policy on the virtual
// clock (the link is modelled at XENLAB_MIGRATE_MBIT, 1000 Mbit/s by default).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { parseList, row } from '../helpers/xl-parse.ts';
import { guestCfg, parseSummary, xenPages, xlBackground, xenstoreBecomes } from './migrate-helpers.ts';

let a: TestHost, b: TestHost;
before(() => {
  a = new TestHost().start(['--clock', 'virtual', '--memory', '8G']);
  b = new TestHost().start(['--clock', 'virtual', '--memory', '8G']);
});
after(() => { a.stop(); b.stop(); });

const names = (h: TestHost) => parseList(h.xlOk('list')).map(r => r.name);
const receive = (extra = '') => `XENLAB_HOME=${b.home} xl migrate-receive${extra}`;

/** Start a migration, let A's simulated time run the pre-copy rounds, and wait for the end. */
async function migrate(dom: string, target: string, env: NodeJS.ProcessEnv = {}, seconds = '60s') {
  const m = xlBackground(a, ['migrate', '-s', '', dom, target], env);
  await m.waitFor(/xc: info: Saving domain \d+/);
  a.advance(seconds);
  return { status: await m.exit, stderr: m.stderr };
}

test('a guest dirtying memory moves to the other host with its vif and vbd connected there', async () => {
  const disk = join(a.home, 'web1.img');
  writeFileSync(disk, '');
  truncateSync(disk, 64 << 20);
  a.xlOk('create', guestCfg(a, 'web1', {
    memory: 256, workload: 'cpu=30,dirty=3000',
    extra: `disk = [ 'format=raw, vdev=xvda, access=rw, target=${disk}' ]\nvif = [ 'bridge=xenbr0' ]`,
  }));
  a.advance('5s');
  const r = await migrate('web1', receive());
  assert.equal(r.status, 0, r.stderr);
  for (const line of [
    'migration target: Ready to receive domain.', 'Saving to migration stream new xl format (info 0x3/0x0/',
    'Loading new save file <incoming migration stream> (new xl fmt info 0x3/0x0/', 'xc: info: Restore successful',
    'migration target: Transfer complete, requesting permission to start domain.',
    'migration sender: Target has acknowledged transfer.', 'migration sender: Giving target permission to start.',
    'migration target: Got permission, starting domain.', 'migration target: Domain started successsfully.',
    'migration sender: Target reports successful startup.', 'Migration successful.',
  ]) assert.ok(r.stderr.includes(line), `missing ${JSON.stringify(line)} in:\n${r.stderr}`);
  assert.ok(!names(a).includes('web1'), 'gone from A');
  assert.doesNotMatch(row(b.xlOk('list'), 'web1').state, /[ps]/, 'running on B');
  b.advance('1s');
  const vif = b.xlOk('network-list', 'web1').trim().split('\n')[1]!.trim().split(/\s+/);
  const vbd = b.xlOk('block-list', 'web1').trim().split('\n')[1]!.trim().split(/\s+/);
  assert.equal(vif[4], '4', 'vif connected on B');
  assert.equal(vbd[3], '4', 'vbd connected on B');
  const s = parseSummary(r.stderr);
  assert.ok(s.rounds.length >= 2 && s.rounds[1]! > 0, `a dirtying guest needs more than one round: ${s.rounds}`);
  b.xlOk('destroy', 'web1');
});

test('a guest that dirties nothing arrives paused (migrate-receive -p) with identical .xen_pages', async () => {
  a.xlOk('create', guestCfg(a, 'quiet', { memory: 64 }));
  a.advance('5s');
  const before = xenPages(a, 'quiet');
  const r = await migrate('quiet', receive(' -p'));
  assert.equal(r.status, 0, r.stderr);
  assert.equal(row(b.xlOk('list'), 'quiet').state, '--p---');
  assert.deepEqual(xenPages(b, 'quiet'), before);
  b.xlOk('destroy', 'quiet');
});

test('pre-copy: an idle guest stops after round 2 with a short downtime; the summary adds up', async () => {
  a.xlOk('create', guestCfg(a, 'idle', { memory: 128 }));
  a.advance('5s');
  const r = await migrate('idle', receive());
  assert.equal(r.status, 0, r.stderr);
  const s = parseSummary(r.stderr);
  assert.equal(s.rounds.length, 2, `rounds ${s.rounds}`);
  assert.equal(s.rounds[0], 128 * 256, 'round 1 sends every page');
  assert.ok(s.rounds[1]! < 50);
  assert.ok(s.downtimeMs < 50, `downtime ${s.downtimeMs}`);
  assert.equal(s.pages, s.rounds.reduce((x, y) => x + y, 0) + s.final);
  assert.ok(s.bytes >= s.pages * 4096 && s.bytes < s.pages * 4112 + (1 << 20), 'bytes are the pages plus record overhead');
  assert.equal(s.amplification.toFixed(3), (s.bytes / s.memory).toFixed(3));
  assert.match(r.stderr, /xc: progress: Frames iteration 0: 32768\/32768  100%\n/);
  b.xlOk('destroy', 'idle');
});

test('pre-copy: a guest dirtying faster than the link runs 5 rounds and has a long downtime', async () => {
  a.xlOk('create', guestCfg(a, 'mad', { memory: 64, workload: 'cpu=30,dirty=100000' }));
  a.advance('5s');
  // A 100 Mbit/s link carries about 3000 pages/s: the guest rewrites all its memory every round.
  const r = await migrate('mad', receive(), { XENLAB_MIGRATE_MBIT: '100' }, '120s');
  assert.equal(r.status, 0, r.stderr);
  const s = parseSummary(r.stderr);
  assert.equal(s.rounds.length, 5, `rounds ${s.rounds}`);
  assert.ok(s.final > 16384 * 0.9, `final round ${s.final} is about all of memory`);
  assert.ok(s.downtimeMs > 3000, `downtime ${s.downtimeMs} ms`);
  assert.ok(s.amplification > 4, `amplification ${s.amplification}`);
  assert.equal(s.pages, s.rounds.reduce((x, y) => x + y, 0) + s.final);
  assert.match(r.stderr, /100 Mbit\/s link/);
  b.xlOk('destroy', 'mad');
});

test('a paused PV guest cannot acknowledge suspend: migrate fails after the timeout, nothing is left on B', async () => {
  a.xlOk('create', guestCfg(a, 'frozen'));
  a.advance('5s');
  a.xlOk('pause', 'frozen');
  const id = a.xlOk('domid', 'frozen').trim();
  const m = xlBackground(a, ['migrate', '-s', '', 'frozen', receive()]);
  await m.waitFor(/xc: info: Saving domain \d+/);
  // Meanwhile the target holds the incoming copy under its temporary name.
  assert.ok(names(b).includes('frozen--incoming'), b.xlOk('list'));
  a.advance('1s');
  await xenstoreBecomes(a, `/local/domain/${id}/control/shutdown`, 'suspend');
  a.advance('61s');
  assert.equal(await m.exit, 1);
  assert.match(m.stderr, /guest didn't acknowledge suspend, cancelling request\n/);
  assert.match(m.stderr, /migration sender: libxl_domain_suspend failed \(rc=-8\)\n/);
  assert.match(m.stderr, /Migration failed, failed to suspend at sender\.\n/);
  assert.equal(row(a.xlOk('list'), 'frozen').state, '--p---');
  assert.deepEqual(names(b), ['Domain-0']);
  a.xlOk('destroy', 'frozen');
});
