// argv[0] (issue 12 item 12): where the real tools print the name they were invoked as (getopt's
// messages, xenstore's and xentop's usage lines) ours print it too, and where the real one
// hardcodes its name (xentrace's usage, xl's) so do ours. Each tool is reached through a symlink
// beside the real one's, under the real name and under another, and invoked three ways: as a
// relative path, as an absolute path, and as a bare name found on PATH. Judged by the real
// binaries (xen-utils-4.17, xenstore-utils); none of these cases needs a daemon.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { BIN } from '../helpers/host.ts';

const REAL: Record<string, string> = {
  xl: '/usr/lib/xen-4.17/bin/xl', xentop: '/usr/lib/xen-4.17/bin/xentop', xentrace: '/usr/lib/xen-4.17/bin/xentrace',
  'xenstore-read': '/usr/bin/xenstore-read', xenstore: '/usr/bin/xenstore',
};
const skip = Object.values(REAL).every(existsSync) ? false : 'the real Xen 4.17 tools are not installed';

type How = 'relative' | 'absolute' | 'PATH';

/** [how it is invoked, link name, the tool it points at, arguments] */
const CASES: [How, string, string, string[]][] = [
  ['absolute', 'xl', 'xl', ['-h']], ['relative', 'myxl', 'xl', ['-vz', 'list']], ['PATH', 'myxl', 'xl', ['-h']],
  ['absolute', 'xenstore-read', 'xenstore-read', ['-z', '--bogus']], ['relative', 'xs', 'xenstore', ['read', '-z']],
  ['PATH', 'xs', 'xenstore', []],
  ['absolute', 'top2', 'xentop', ['--v=1']], ['PATH', 'top2', 'xentop', ['-h']],
  ['relative', 'trace', 'xentrace', ['--bogus', 'out']], ['absolute', 'xentrace', 'xentrace', ['-z', 'out']],
];

let root = '';
before(() => {
  if (skip) return;
  root = mkdtempSync(join(tmpdir(), 'argv0-'));
  for (const side of ['real', 'ours']) {
    mkdirSync(join(root, side));
    for (const [, link, target] of CASES) {
      const at = join(root, side, link);
      if (!existsSync(at)) symlinkSync(side === 'real' ? REAL[target]! : join(BIN, target), at);
    }
  }
});

function run(side: 'real' | 'ours', how: How, link: string, args: string[]) {
  const dir = join(root, side);
  const cmd = how === 'relative' ? `./${link}` : how === 'absolute' ? join(dir, link) : link;
  // Only a bare name is searched for: a directory on PATH makes its absolute paths look typed bare.
  const path = how === 'PATH' ? `${dir}${delimiter}${process.env.PATH ?? ''}` : process.env.PATH;
  const env = { ...process.env, PATH: path, XENLAB_HOME: join(root, 'home') };
  const r = spawnSync(cmd, args, { cwd: dir, env, encoding: 'utf8', timeout: 30_000 });
  // The two sides differ only in their directory's name.
  const same = (s: string) => s.split(dir).join('<dir>');
  return { status: r.status, stdout: same(r.stdout), stderr: same(r.stderr) };
}

test('the name as invoked: ours prints what the real tool prints', { skip }, () => {
  for (const [how, link, , args] of CASES) {
    const ours = run('ours', how, link, args);
    assert.deepEqual(ours, run('real', how, link, args), `${how}: ${link} ${args.join(' ')}`);
    // What the real tools print here (a path when invoked by one), so no bare-name answer passes.
    if (how === 'absolute' && link === 'xl') assert.equal(ours.stderr, "<dir>/xl: invalid option -- 'h'\nunknown global option\n");
    if (how === 'relative' && link === 'xs') assert.equal(ours.stderr, "read: invalid option -- 'z'\nxs: Usage: ./xs read [-h] [-p] [-s] [-R] key [...]\n");
  }
});
