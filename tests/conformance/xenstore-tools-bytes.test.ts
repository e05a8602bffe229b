// Arguments are bytes (issue 12, item 14): our xenstore-* tools against Debian's with paths, values,
// modes and options that are not UTF-8. Each side runs the same commands on its own daemon — a
// pair of our xenstoreds, and a pair of real C xenstoreds when the cxenstored oracle runs — and
// stdout, stderr and exit codes must be the same bytes, as must the trees left behind.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REAL_BIN, buildOurTools, realToolsPresent, startXenstored, type Daemon } from '../cli/xenstore/harness.ts';
import { latin1, runBytes } from '../helpers/byte-args.ts';

const RUN_SH = join(import.meta.dirname, '../../../shared/tools/cxenstored/run.sh');
const skip = realToolsPresent() ? false : 'Debian xenstore-utils not installed (apt-get install xenstore-utils)';
let ourBin: string;
const ourDaemons: Daemon[] = [];
const cPids: number[] = [];

before(async () => { if (!skip) ourBin = await buildOurTools(); });
after(async () => {
  for (const d of ourDaemons) await d.stop();
  for (const pid of cPids) process.kill(pid);
});

/** Every tool, with bytes that are not UTF-8 (é as 0xe9, 0xff, a lone 0xc3) and some that are. */
const CASES: [string, Buffer[]][] = [
  ['xenstore-write', [latin1('/t/a'), latin1('caf\xe9'), latin1('/t/b'), latin1('x\xc3\xa9'), latin1('/t/c'), latin1('q\\351\\x41\xff')]],
  ['xenstore-write', [latin1('-R'), latin1('/t/d'), latin1('r\xe9\\x41\xc3')]],
  ['xenstore-read', [latin1('/t/a'), latin1('/t/b'), latin1('/t/c'), latin1('/t/d')]],
  ['xenstore-read', [latin1('-R'), latin1('/t/a')]],
  ['xenstore-read', [latin1('-p'), latin1('-R'), latin1('/t/d')]],
  ['xenstore-read', [latin1('/t/n\xe9')]],
  ['xenstore-read', [latin1('/t/n\xc3\xa9')]],
  ['xenstore-write', [latin1('/t/s\xe9rvr'), latin1('v')]],
  ['xenstore-list', [latin1('-p'), latin1('/t')]],
  ['xenstore-list', [latin1('/t\xe9')]],
  ['xenstore-ls', [latin1('/t')]],
  ['xenstore-ls', [latin1('-f'), latin1('/t\xff')]],
  ['xenstore-exists', [latin1('/t/\xe9')]],
  ['xenstore-rm', [latin1('/t/\xe9')]],
  ['xenstore-chmod', [latin1('/t/\xe9'), latin1('n0')]],
  ['xenstore-chmod', [latin1('/t/a'), latin1('r\xe9')]],
  ['xenstore-chmod', [latin1('/t/a'), latin1('\xe9')]],
  ['xenstore-watch', [latin1('/t/\xe9')]],
  ['xenstore-read', [latin1('--\xe9'), latin1('/t/a')]],
  ['xenstore-read', [latin1('-\xe9'), latin1('/t/a')]],
  ['xenstore', [latin1('read'), latin1('/t/\xe9x')]],
  ['xenstore', [latin1('\xe9')]],
];

// Each side by its bare name, its directory first on PATH, as a user types it (our launchers are
// scripts, which see the path the kernel ran, not an argv[0] set with exec -a).
const run = (bin: string, name: string, args: Buffer[], socket: string) =>
  runBytes(name, args, { env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, XENSTORED_PATH: socket } });

/** Debian's tools on daemon `real`, ours on `ours`: the same bytes out, the same trees left. */
function compare(real: string, ours: string): void {
  for (const [name, args] of CASES) {
    const r = run(REAL_BIN, name, args, real);
    const o = run(ourBin, name, args, ours);
    const what = `${name} ${Buffer.concat(args.flatMap(a => [a, latin1(' ')])).toString('latin1')}`;
    assert.equal(o.stdout, r.stdout, `stdout of ${what}`);
    assert.equal(o.stderr, r.stderr, `stderr of ${what}`);
    assert.equal(o.status, r.status, `exit code of ${what}`);
  }
  const tree = (socket: string) => run(REAL_BIN, 'xenstore-ls', [latin1('-fp'), latin1('/t')], socket).stdout;
  assert.equal(tree(ours), tree(real));
  assert.match(tree(real), /^\/t\/a = "caf\\xe9"/m);
}

test('xenstore tools take argument bytes as they are and print raw bytes (our xenstored)', { skip }, async () => {
  for (let i = 0; i < 2; i++) ourDaemons.push(await startXenstored());
  compare(ourDaemons[0].socket, ourDaemons[1].socket);
});

test('xenstore tools take argument bytes as they are and print raw bytes (the C xenstored)', { skip }, async t => {
  if (!existsSync('/usr/lib/xen-4.17/bin/xenstored') || !existsSync(RUN_SH)) { t.skip('the cxenstored oracle is not available'); return; }
  const sockets = [0, 1].map(() => join(mkdtempSync(join(tmpdir(), 'cxs-')), 'socket'));
  for (const s of sockets) {
    const r = spawnSync(RUN_SH, [s], { encoding: 'utf8' });
    assert.equal(r.status, 0, `C xenstored did not start: ${r.stderr}`);
    cPids.push(Number(r.stdout.trim()));
  }
  compare(sockets[0], sockets[1]);
});
