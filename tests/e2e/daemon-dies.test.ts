// The daemon SIGKILLed under a running command (issue 11, item 4): every tool exits non-zero
// with its failure message instead of exiting 0 as if the command had succeeded. Each command is
// caught at a moment where it surely waits on the daemon: under the virtual clock a save of a
// paused guest waits for a suspend acknowledgement, a migration and `shutdown -w` for simulated
// time, xentop and xentrace for their next period, xl console for output.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { Background, guestCfg, xenstoreBecomes, xlBackground } from './migrate-helpers.ts';
import { startXentrace } from '../cli/xentrace/xentrace-run.ts';

const hosts: TestHost[] = [];
afterEach(() => { for (const h of hosts.splice(0)) h.stop(); });

function host(): TestHost {
  const h = new TestHost().start(['--clock', 'virtual', '--memory', '4G']);
  hosts.push(h);
  return h;
}

/** SIGKILL the daemon and wait until it is gone. */
async function killDaemon(h: TestHost): Promise<void> {
  const pid = Number(readFileSync(join(h.home, 'xenlabd.pid'), 'utf8'));
  process.kill(pid, 'SIGKILL');
  while (existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))) await new Promise(r => setTimeout(r, 10));
}

const GONE = /xenlabd closed the connection \(.*control\.sock\): the daemon exited or was killed\n/;

/** A guest that has booted. */
function guest(h: TestHost, name: string): string {
  h.xlOk('create', guestCfg(h, name));
  h.advance('5s');
  return h.xlOk('domid', name).trim();
}

test('xl save: the daemon killed while it waits for the suspend acknowledgement', async () => {
  const h = host();
  const id = guest(h, 'g');
  h.xlOk('pause', 'g');
  const p = xlBackground(h, ['save', 'g', join(h.home, 'g.save')]);
  await xenstoreBecomes(h, `/local/domain/${id}/control/shutdown`, 'suspend');
  await killDaemon(h);
  assert.equal(await p.exit, 1, p.stderr);
  assert.match(p.stderr, GONE);
  assert.match(p.stderr, /Failed to save domain, resuming domain\n$/);
});

test('xl migrate: the sending daemon killed part-way through the stream', async () => {
  const a = host(), b = host();
  guest(a, 'vm');
  const m = xlBackground(a, ['migrate', '-s', '', 'vm', `XENLAB_HOME=${b.home} xl migrate-receive`]);
  await m.waitFor(/xc: info: Saving domain \d+/);
  await killDaemon(a);
  assert.equal(await m.exit, 1, m.stderr);
  assert.match(m.stderr, GONE);
  assert.match(m.stderr, /migration sender: libxl_domain_suspend failed \(rc=-3\)\n/);
  assert.match(m.stderr, /Migration failed, resuming at sender\.\n$/);
  assert.doesNotMatch(m.stderr, /Migration successful/);
});

test('xl shutdown -w: the daemon killed while the guest powers off', async () => {
  const h = host();
  guest(h, 's');
  const p = xlBackground(h, ['shutdown', '-w', 's']);
  await p.waitFor(/Waiting for 1 domains\n/);
  await killDaemon(h);
  assert.equal(await p.exit, 1, p.stderr);
  assert.match(p.stderr, GONE);
});

test('xl console: the daemon killed while attached', async () => {
  const h = host();
  guest(h, 'c');
  const child = h.spawn('xl', ['console', 'c']);
  const p = new Background(child);
  let out = '';
  await new Promise<void>(r => child.stdout!.on('data', d => { out += d; if (/login: /.test(out)) r(); }));
  await killDaemon(h);
  assert.equal(await p.exit, 1, p.stderr);
  assert.match(p.stderr, GONE);
});

test('xentop -b: the daemon killed between two samples', async () => {
  const h = host();
  const child = h.spawn('xentop', ['-b', '-d', '1']);
  const p = new Background(child);
  let out = '';
  await new Promise<void>(r => child.stdout!.on('data', d => { out += d; if (/Domain-0/.test(out)) r(); }));
  await killDaemon(h);
  assert.equal(await p.exit, 1, p.stderr);
  assert.match(p.stderr, GONE);
});

test('xentrace: the daemon killed while it reads the rings', async () => {
  const h = host();
  const t = await startXentrace(h, ['-e', 'all', join(h.home, 'trace.bin')]);
  await killDaemon(h);
  const r = await t.exited;
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, GONE);
});
