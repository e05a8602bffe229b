// Each Remus checkpoint suspends the guest as a save does (libxl__remus_domain_suspend_callback
// runs libxl__domain_suspend): libxl writes "suspend" to control/shutdown, the guest's kernel
// acknowledges by clearing it, freezes its tasks and suspends itself (shutdown reason suspend,
// `s` in xl list), and the checkpoint's end resumes it with a fast (cancelled) suspend.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestHost } from '../helpers/host.ts';
import { row } from '../helpers/xl-parse.ts';
import { consoleLog } from '../helpers/faults.ts';
import { guestCfg, xlBackground } from './migrate-helpers.ts';
import { advanceNs, checkpointLines, nextCheckpointAt } from './remus-helpers.ts';

let h: TestHost;
before(() => { h = new TestHost().start(['--clock', 'virtual']); });
after(() => h.stop());

const INTERVAL_MS = 1000n;
const FREEZE = /Freezing user space processes \.\.\. \(elapsed [\d.]+ seconds\) done\./g;


const suspends = () => consoleLog(h, 'rs').match(FREEZE)?.length ?? 0;

test('every checkpoint suspends the guest through control/shutdown and resumes it', async () => {
  h.xlOk('create', guestCfg(h, 'rs', { memory: 32, workload: 'cpu=20,dirty=300' }));
  h.advance('2s');
  const domid = row(h.xlOk('list'), 'rs').id;
  assert.equal(suspends(), 0);
  const r = xlBackground(h, ['-v', 'remus', '-F', '-b', '-i', String(INTERVAL_MS), 'rs', 'backup']);
  await r.waitFor(/xc: info: Saving domain \d+/);
  let now = advanceNs(h, 1_000_000_000n);
  await r.waitFor(/remus checkpoint 1:/);
  assert.equal(suspends(), 1, 'the end of the live phase suspended the guest');
  assert.doesNotMatch(row(h.xlOk('list'), 'rs').state, /[ps]/, 'running between checkpoints');

  // At the next checkpoint's instant the guest has acknowledged and suspended itself: it is
  // shut down for suspend (not paused by the toolstack) until the checkpoint is committed.
  now = advanceNs(h, nextCheckpointAt(checkpointLines(r.stderr)[0]!, INTERVAL_MS) - now);
  const state = row(h.xlOk('list'), 'rs').state;
  assert.match(state, /s/, `suspended at the checkpoint: ${state}`);
  assert.doesNotMatch(state, /p/, `not paused: ${state}`);
  assert.equal(h.run('xenstore-read', [`/local/domain/${domid}/control/shutdown`]).stdout, '\n', 'the guest acknowledged the request');
  assert.equal(suspends(), 2);

  // The checkpoint lasts its bytes over the modelled link; then the guest is resumed.
  advanceNs(h, INTERVAL_MS * 500_000n);
  await r.waitFor(/remus checkpoint 2:/);
  const second = checkpointLines(r.stderr)[1]!;
  assert.equal(second.suspendedAtNs, now);
  assert.doesNotMatch(row(h.xlOk('list'), 'rs').state, /[ps]/, 'resumed once committed');

  // Three intervals on: one suspend per checkpoint, no more (the one under way may be counted).
  advanceNs(h, 3n * INTERVAL_MS * 1_000_000n);
  await r.waitFor(/remus checkpoint 4:/);
  const taken = checkpointLines(r.stderr).length;
  assert.ok(suspends() === taken || suspends() === taken + 1, `${suspends()} suspends for ${taken} checkpoints`);

  h.xlOk('destroy', 'rs');
  h.advance('1s');
  assert.equal(await r.exit, 0);
  assert.match(r.stderr, /Remus: Primary domain has been destroyed\.\n/);
});
