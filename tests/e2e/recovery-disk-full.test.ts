// A full disk (issue 11, item 11): every command either succeeds completely or fails with a
// clear message and changes nothing, also after a restart once space is back; the daemon keeps
// serving reads and survives its periodic checkpoints. The host's home is a small tmpfs filled
// up by a file at the moment the test chooses (mounting needs root, as the tests have here and
// in CI).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { parseList, row } from '../helpers/xl-parse.ts';

const h = new TestHost();
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=48m,mode=0700', 'tmpfs', h.home]).status === 0;
if (!mounted) process.stderr.write(`\n*** recovery-disk-full: cannot mount a tmpfs (not root?): SKIPPED ***\n\n`);
const filler = join(h.home, 'filler');

before(() => { if (mounted) h.start(); });
after(() => {
  h.run('xenlabd', ['stop']);
  if (mounted) spawnSync('umount', [h.home]);
  rmSync(h.home, { recursive: true, force: true });
});

/** Take every free byte of the home's file system. */
function fillDisk(): void {
  spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=1M'], { stdio: 'ignore' });
  // dd stops at the first short block: the last few bytes go too.
  spawnSync('sh', ['-c', `while dd if=/dev/zero of=${filler}-tail-$$-\${i:=0} bs=4k count=1 2>/dev/null; do i=$((i+1)); done`]);
}
function freeDisk(): void {
  for (const f of readdirSync(h.home)) if (f.startsWith('filler')) rmSync(join(h.home, f));
}

const names = () => parseList(h.xlOk('list')).map(r => r.name);
const xsRead = (p: string) => h.sys('xenstore-read', [p]).stdout.trim();

/**
 * A failed command: non-zero, a one-line reason naming the full disk (SQLite's words for the
 * database, the system's for xenstored's journal), no stack trace.
 */
function failsCleanly(args: string[]): void {
  const r = h.xl(...args);
  assert.notEqual(r.status, 0, `xl ${args.join(' ')} succeeded on a full disk`);
  assert.match(r.stderr, /database or disk is full|xenstored cannot record the change: no space left on device/, r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at |Error:/, r.stderr);
}

test('with the disk full, commands fail cleanly and change nothing; reads go on', { skip: !mounted && 'needs root to mount a tmpfs' }, async () => {
  const cfg = (n: string) => h.guestConfig(n, 'memory = 32');
  h.xlOk('create', cfg('a'));
  h.xlOk('create', cfg('b'));
  const spare = cfg('c');
  h.advance('5s');
  const b = row(h.xlOk('list'), 'b');
  const target = xsRead(`/local/domain/${b.id}/memory/target`);
  fillDisk();

  failsCleanly(['create', spare]);
  failsCleanly(['destroy', 'a']);
  failsCleanly(['rename', 'b', 'b2']);
  failsCleanly(['mem-set', 'b', '16m']);
  failsCleanly(['pause', 'b']);
  // Reads are served, and nothing changed.
  const list = h.xl('list');
  assert.equal(list.status, 0);
  assert.equal(list.stderr, '');
  assert.deepEqual(parseList(list.stdout).map(r => r.name), ['Domain-0', 'a', 'b']);
  assert.equal(row(list.stdout, 'b').state.includes('p'), false);
  assert.equal(xsRead(`/local/domain/${b.id}/name`), 'b');
  assert.equal(xsRead(`/local/domain/${b.id}/memory/target`), target);
  assert.equal(h.sys('xenstore-list', ['/local/domain']).stdout.trim().split('\n').length, 3);

  // The daemon outlives several periods of its checkpoint timer (it exited at the first before).
  const pid = Number(readFileSync(join(h.home, 'xenlabd.pid'), 'utf8'));
  await new Promise(r => setTimeout(r, 5000));
  assert.doesNotThrow(() => process.kill(pid, 0), 'the daemon is still running');
  assert.deepEqual(names(), ['Domain-0', 'a', 'b']);

  // Space back: a restart finds exactly what the commands left (nothing), then commands work again.
  freeDisk();
  assert.equal(h.run('xenlabd', ['stop']).status, 0);
  h.start();
  assert.deepEqual(names(), ['Domain-0', 'a', 'b']);
  assert.equal(xsRead(`/local/domain/${b.id}/memory/target`), target, 'the failed mem-set was not recorded');
  assert.equal(row(h.xlOk('list'), 'b').state.includes('p'), false, 'the failed pause was not recorded');
  h.xlOk('destroy', 'a');
  h.xlOk('rename', 'b', 'b2');
  h.xlOk('create', spare);
  assert.deepEqual(names(), ['Domain-0', 'b2', 'c']);
  assert.equal(h.run('xenlabd', ['stop']).status, 0);
  h.start();
  assert.deepEqual(names(), ['Domain-0', 'b2', 'c']);
});
