// The daemon SIGKILLed under running commands (issue 11, item 4): every tool exits 1 with its
// failure message instead of exiting 0 as if its command had succeeded. Each command is caught
// where it surely waits on the daemon: under the virtual clock a save of a paused guest waits for
// a suspend acknowledgement, a migration and `shutdown -w` for simulated time, xentop and
// xentrace for their next period, xl console for output. One kill serves them all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { TestHost } from '../helpers/host.ts';
import { Background, guestCfg, xenstoreBecomes, xlBackground } from './migrate-helpers.ts';
import { startXentrace } from '../cli/xentrace/xentrace-run.ts';

let a: TestHost, b: TestHost;
const run: Record<string, Background> = {};

/** Resolves once the child's stdout matches. */
function stdoutMatches(child: ChildProcess, re: RegExp): Promise<void> {
  let out = '';
  return new Promise(r => child.stdout!.on('data', d => { out += d; if (re.test(out)) r(); }));
}

before(async () => {
  a = new TestHost().start(['--clock', 'virtual', '--memory', '4G']);
  b = new TestHost().start(['--clock', 'virtual', '--memory', '4G']);
  for (const name of ['g', 's', 'vm']) a.xlOk('create', guestCfg(a, name));
  a.advance('5s');
  const trace = await startXentrace(a, ['-e', 'all', join(a.home, 'trace.bin')]);
  run.xentrace = new Background(trace.proc);

  a.xlOk('pause', 'g');
  run.save = xlBackground(a, ['save', 'g', join(a.home, 'g.save')]);
  await xenstoreBecomes(a, `/local/domain/${a.xlOk('domid', 'g').trim()}/control/shutdown`, 'suspend');

  run.migrate = xlBackground(a, ['migrate', '-s', '', 'vm', `XENLAB_HOME=${b.home} xl migrate-receive`]);
  await run.migrate.waitFor(/xc: info: Saving domain \d+/);

  const console = a.spawn('xl', ['console', 's']);
  run.console = new Background(console);
  await stdoutMatches(console, /login: /);

  run.shutdown = xlBackground(a, ['shutdown', '-w', 's']);
  await run.shutdown.waitFor(/Waiting for 1 domains\n/);

  const xentop = a.spawn('xentop', ['-b', '-d', '1']);
  run.xentop = new Background(xentop);
  await stdoutMatches(xentop, /Domain-0/);

  const pid = Number(readFileSync(join(a.home, 'xenlabd.pid'), 'utf8'));
  process.kill(pid, 'SIGKILL');
  while (existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))) await new Promise(r => setTimeout(r, 10));
});
after(() => { a.stop(); b.stop(); });

const GONE = /xenlabd closed the connection \(.*control\.sock\): the daemon exited or was killed\n/;

test('xl save waiting for the suspend acknowledgement: exit 1, "Failed to save domain, resuming domain"', async () => {
  const p = run.save!;
  assert.equal(await p.exit, 1, p.stderr);
  assert.match(p.stderr, GONE);
  assert.match(p.stderr, /Failed to save domain, resuming domain\n$/);
});

test('xl migrate part-way through the stream: exit 1, "Migration failed, resuming at sender."', async () => {
  const m = run.migrate!;
  assert.equal(await m.exit, 1, m.stderr);
  assert.match(m.stderr, GONE);
  assert.match(m.stderr, /migration sender: libxl_domain_suspend failed \(rc=-3\)\n/);
  assert.match(m.stderr, /Migration failed, resuming at sender\.\n$/);
  assert.doesNotMatch(m.stderr, /Migration successful/);
});

for (const tool of ['shutdown', 'console', 'xentop', 'xentrace']) {
  test(`${tool === 'shutdown' ? 'xl shutdown -w' : tool === 'console' ? 'xl console' : tool} waiting on the daemon: exit 1 with the reason`, async () => {
    const p = run[tool]!;
    assert.equal(await p.exit, 1, p.stderr);
    assert.match(p.stderr, GONE);
  });
}
