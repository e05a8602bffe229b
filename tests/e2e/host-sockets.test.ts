// A home too deep for socket paths (108 bytes) has its sockets in a directory of the user's
// own: under $XDG_RUNTIME_DIR when that is the user's private directory, else a 0700 directory
// under /tmp that the daemon made; one that someone else made first is refused by the daemon
// and by every tool (issue 11, item 16).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestHost, type RunResult } from '../helpers/host.ts';
import { hostPaths } from '../../src/protocol/paths.ts';

const NOBODY = 65534;
const scratch = new TestHost();
const home = join(scratch.home, 'd'.repeat(100));
const envNoRuntime = { ...scratch.env, XENLAB_HOME: home, XDG_RUNTIME_DIR: '' };
const runtime = mkdtempSync(join(tmpdir(), 'xlrt-'));
const tmpSockets = hostPaths(home, envNoRuntime).sockets;
after(() => {
  for (const env of [envNoRuntime, { XDG_RUNTIME_DIR: runtime }]) run('xenlabd', ['stop'], env);
  scratch.stop();
  rmSync(runtime, { recursive: true, force: true });
  rmSync(tmpSockets, { recursive: true, force: true });
});

function run(tool: string, args: string[], env: NodeJS.ProcessEnv = {}): RunResult {
  return scratch.run(tool, args, { env: { ...envNoRuntime, ...env } });
}

/** Like run(), but this process keeps serving its own sockets meanwhile. */
function runAsync(tool: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  const p = scratch.spawn(tool, args, { ...envNoRuntime, ...env });
  let stdout = '', stderr = '';
  p.stdout!.on('data', d => stdout += d);
  p.stderr!.on('data', d => stderr += d);
  return new Promise(r => p.on('close', c => r({ stdout, stderr, status: c ?? -1 })));
}

test('the predictable /tmp directory made first by another user is refused, and its socket never reached', async () => {
  assert.ok(tmpSockets.startsWith(join(tmpdir(), `xenlab-${process.getuid!()}-`)), tmpSockets);
  rmSync(tmpSockets, { recursive: true, force: true });
  mkdirSync(tmpSockets);
  chmodSync(tmpSockets, 0o777);
  chownSync(tmpSockets, NOBODY, NOBODY);
  // The other user's control.sock, waiting for root's requests.
  let captured = 0;
  const trap = createServer(s => { captured++; s.destroy(); });
  await new Promise<void>(r => trap.listen(join(tmpSockets, 'control.sock'), r));
  try {
    const want = `${tmpSockets} belongs to uid ${NOBODY}, not to uid ${process.getuid!()}`;
    const xl = await runAsync('xl', ['list']);
    assert.equal(xl.status, 69);
    assert.ok(xl.stderr.includes(want), xl.stderr);
    const start = await runAsync('xenlabd', ['start', '--clock', 'virtual']);
    assert.equal(start.status, 69);
    assert.ok(start.stderr.includes(want), start.stderr);
    const daemon = await runAsync('xenlabd', ['run', '--clock', 'virtual']);
    assert.equal(daemon.status, 1);
    assert.equal(daemon.stderr, `xenlabd: ${want}: refusing to use it\n`);
    assert.equal(captured, 0, 'no tool connected to the other user\'s socket');
  } finally { trap.close(); }
});

test('without it, the daemon makes the /tmp directory 0700 and uses it', () => {
  rmSync(tmpSockets, { recursive: true, force: true });
  assert.equal(run('xenlabd', ['start', '--clock', 'virtual']).status, 0);
  const st = lstatSync(tmpSockets);
  assert.ok(st.isDirectory());
  assert.equal(st.uid, process.getuid!());
  assert.equal(st.mode & 0o777, 0o700);
  assert.equal(lstatSync(join(tmpSockets, 'control.sock')).mode & 0o777, 0o600);
  assert.match(run('xl', ['list']).stdout, /^Domain-0\s/m);
  assert.equal(run('xenlabd', ['stop']).status, 0);
});

test('with a private $XDG_RUNTIME_DIR the sockets go there, and real xenstore clients find them', () => {
  const env = { XDG_RUNTIME_DIR: runtime };
  const paths = hostPaths(home, { ...envNoRuntime, ...env });
  assert.equal(paths.sockets.startsWith(join(runtime, 'xenlab-')), true, paths.sockets);
  assert.equal(run('xenlabd', ['start'], env).status, 0);
  assert.equal(lstatSync(paths.sockets).mode & 0o777, 0o700);
  const exported = run('xenlabd', ['env'], env).stdout;
  assert.equal(exported, `export XENLAB_HOME=${home}\nexport XENSTORED_PATH=${paths.xenstored}\n`);
  const xs = spawnSync('xenstore-read', ['/local/domain/0/name'], { env: { ...process.env, XENSTORED_PATH: paths.xenstored }, encoding: 'utf8' });
  assert.equal(xs.stdout, 'Domain-0\n', xs.stderr);
  assert.match(run('xl', ['list'], env).stdout, /^Domain-0\s/m);
  assert.equal(run('xenlabd', ['stop'], env).status, 0);
});

test('an $XDG_RUNTIME_DIR that is not the user\'s own private directory is not used', () => {
  const theirs = mkdtempSync(join(tmpdir(), 'xlrt-'));
  try {
    chownSync(theirs, NOBODY, NOBODY);
    assert.equal(hostPaths(home, { XDG_RUNTIME_DIR: theirs }).sockets, tmpSockets);
    chownSync(theirs, process.getuid!(), process.getgid!());
    chmodSync(theirs, 0o755);
    assert.equal(hostPaths(home, { XDG_RUNTIME_DIR: theirs }).sockets, tmpSockets);
  } finally { rmSync(theirs, { recursive: true, force: true }); }
});
