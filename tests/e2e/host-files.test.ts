// Who may read a host's files and connect to it, and what a planted link gets (issue 11,
// items 3, 15, 17): the home is 0700 and every file in it 0600 whatever the umask, other users
// can read nothing and connect to nothing, links planted in the home are never followed, and
// a home that is not the user's alone is refused.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN, TestHost, type RunResult } from '../helpers/host.ts';

const NOBODY = 65534;
// A scratch directory (a TestHost's home) holding the homes of this file's hosts.
const scratch = new TestHost();
const homes: string[] = [];
after(() => {
  for (const home of homes) scratch.run('xenlabd', ['stop'], { env: { XENLAB_HOME: home } });
  scratch.stop();
});

function newHome(name: string): string {
  const home = join(scratch.home, name);
  homes.push(home);
  return home;
}

function xenlabd(home: string, ...args: string[]): RunResult {
  return scratch.run('xenlabd', args, { env: { XENLAB_HOME: home, XENSTORED_PATH: join(home, 'run/xenstored/socket') } });
}
function tool(home: string, name: string, ...args: string[]): RunResult {
  return scratch.run(name, args, { env: { XENLAB_HOME: home, XENSTORED_PATH: join(home, 'run/xenstored/socket') } });
}

/** Run a command as nobody, with no supplementary groups. */
function asNobody(cmd: string, args: string[]): RunResult {
  const r = spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', cmd, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status ?? -1 };
}

/** Every path under `dir` (itself included) with its permission bits. */
function modes(dir: string): Map<string, number> {
  const out = new Map<string, number>([[dir, lstatSync(dir).mode & 0o7777]]);
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = lstatSync(p);
    if (st.isDirectory()) for (const [q, m] of modes(p)) out.set(q, m);
    else out.set(p, st.mode & 0o7777);
  }
  return out;
}

const mode = (p: string): string => (statSync(p).mode & 0o7777).toString(8);

test('a new home is 0700 and everything the daemon makes in it is its user\'s alone, even under umask 000', () => {
  // The parent lets others in, so only the home's own modes protect it.
  chmodSync(scratch.home, 0o755);
  const home = newHome('h1');
  const started = spawnSync('sh', ['-c', 'umask 000; exec "$0" "$@"', process.execPath, join(BIN, 'xenlabd'), 'start', '--clock', 'virtual'],
    { env: { ...scratch.env, XENLAB_HOME: home }, encoding: 'utf8' });
  assert.equal(started.status, 0, started.stderr);
  const cfg = join(scratch.home, 'g1.cfg');
  writeFileSync(cfg, 'name = "g1"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 128\n');
  assert.equal(tool(home, 'xl', 'create', cfg).status, 0);
  assert.equal(xenlabd(home, 'clock', 'advance', '5s').status, 0);

  const all = modes(home);
  for (const f of ['control.sock', 'run/xenstored/socket', 'xenlab.db', 'xenlab.db-wal', 'xenlab.db-shm', 'xenlabd.pid', 'xenlabd.lock', 'logs/xenlabd.log', 'logs/console/guest-g1.log']) {
    assert.equal(all.get(join(home, f)), 0o600, `${f} is 0600`);
  }
  for (const d of ['', 'run', 'run/xenstored', 'logs', 'logs/console']) assert.equal(all.get(join(home, d)), 0o700, `${d || 'the home'} is 0700`);
  for (const [p, m] of all) assert.equal(m & 0o077, 0, `${p} has mode ${m.toString(8)}`);

  // Another local user reads nothing and connects to nothing.
  const cat = asNobody('cat', [join(home, 'xenlab.db')]);
  assert.notEqual(cat.status, 0);
  assert.match(cat.stderr, /Permission denied/);
  const connect = `require('net').connect(${JSON.stringify(join(home, 'control.sock'))}).on('connect', () => process.exit(0)).on('error', e => { console.error(e.code); process.exit(3); })`;
  const conn = asNobody(process.execPath, ['-e', connect]);
  assert.equal(conn.status, 3);
  assert.equal(conn.stderr.trim(), 'EACCES');
  const xs = asNobody(process.execPath, ['-e', connect.replace('control.sock', 'run/xenstored/socket')]);
  assert.equal(xs.stderr.trim(), 'EACCES');
});

test('an older home (0755, files 0644) is tightened when the daemon starts', () => {
  const home = newHome('h1');
  assert.equal(xenlabd(home, 'stop').status, 0);
  chmodSync(home, 0o755);
  for (const f of ['xenlab.db', 'logs/xenlabd.log', 'logs/console/guest-g1.log']) chmodSync(join(home, f), 0o644);
  chmodSync(join(home, 'logs'), 0o755);
  assert.equal(xenlabd(home, 'start').status, 0);
  assert.equal(xenlabd(home, 'clock', 'advance', '1s').status, 0);
  for (const [p, m] of modes(home)) assert.equal(m & 0o077, 0, `${p} has mode ${m.toString(8)}`);
  assert.equal(tool(home, 'xl', 'list').status, 0);
});

test('a link planted in the home is never followed: the daemon refuses to start and says which', () => {
  const target = join(scratch.home, 'target');
  writeFileSync(target, 'precious\n');
  chmodSync(target, 0o644);
  for (const name of ['xenlab.db', 'xenlab.db-wal', 'xenlab.db-shm', 'xenlabd.pid', 'xenlabd.lock', 'logs/xenlabd.log']) {
    const home = newHome(`link-${name.replace('/', '-')}`);
    mkdirSync(join(home, 'logs'), { recursive: true, mode: 0o700 });
    chmodSync(home, 0o700);
    symlinkSync(target, join(home, name));
    const r = xenlabd(home, 'start', '--clock', 'virtual');
    assert.equal(r.status, 69, `${name}: ${r.stdout}${r.stderr}`);
    assert.ok(r.stderr.includes(`${join(home, name)} is a symbolic link: refusing to use it`), `${name}: ${r.stderr}`);
    assert.ok(lstatSync(join(home, name)).isSymbolicLink(), `${name} is left as it was`);
    assert.equal(readFileSync(target, 'utf8'), 'precious\n', `${name}: the target is unchanged`);
    assert.equal(mode(target), '644');
  }
});

test('a link planted as a console log is not followed, and the guest runs on', () => {
  const home = newHome('h1');
  const target = join(scratch.home, 'console-target');
  writeFileSync(target, 'precious\n');
  symlinkSync(target, join(home, 'logs/console/guest-g2.log'));
  const cfg = join(scratch.home, 'g2.cfg');
  writeFileSync(cfg, 'name = "g2"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 128\n');
  assert.equal(tool(home, 'xl', 'create', cfg).status, 0);
  assert.equal(xenlabd(home, 'clock', 'advance', '5s').status, 0);
  assert.equal(readFileSync(target, 'utf8'), 'precious\n');
  // Console logging itself works: g1's log grew.
  assert.match(readFileSync(join(home, 'logs/console/guest-g1.log'), 'utf8'), /Linux version/);
  assert.match(tool(home, 'xl', 'list').stdout, /^g2\s/m);
});

test('a home that is not the user\'s alone is refused, by the daemon and by tools', () => {
  const theirs = newHome('theirs');
  mkdirSync(theirs, { mode: 0o700 });
  chownSync(theirs, NOBODY, NOBODY);
  const run = xenlabd(theirs, 'run', '--clock', 'virtual');
  assert.equal(run.status, 1);
  assert.equal(run.stderr, `xenlabd: ${theirs} belongs to uid ${NOBODY}, not to uid ${process.getuid!()}: refusing to use it\n`);
  const xl = tool(theirs, 'xl', 'list');
  assert.equal(xl.status, 69);
  assert.match(xl.stderr, new RegExp(`${theirs} belongs to uid ${NOBODY}, not to uid ${process.getuid!()}`));
  assert.deepEqual(readdirSync(theirs), [], 'nothing was made in it');

  const open = newHome('open');
  mkdirSync(open);
  chmodSync(open, 0o777);
  const r = xenlabd(open, 'run', '--clock', 'virtual');
  assert.equal(r.status, 1);
  assert.equal(r.stderr, `xenlabd: ${open} is writable by group or others (mode 0777): refusing to use it\n`);
  assert.deepEqual(readdirSync(open), []);
});
