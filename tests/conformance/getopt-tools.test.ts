// Every tool parses its command line with the one C-library module (issue 12 item 18), so each
// answers odd option lines as glibc's getopt_long makes the real one answer: judged by the real
// xl (realxl), xentop, xentrace and xenstore-read, each typed by its bare name from a directory
// on PATH. None of these lines reaches a daemon.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { BIN, ROOT } from '../helpers/host.ts';
import { parseArgs } from '../../src/cli/xentop/options.ts';

const REALXL = join(ROOT, '..', 'shared', 'tools', 'realxl', 'realxl');
const REAL: Record<string, string> = {
  xentop: '/usr/lib/xen-4.17/bin/xentop', xentrace: '/usr/lib/xen-4.17/bin/xentrace', 'xenstore-read': '/usr/bin/xenstore-read',
};
const skip = [REALXL, ...Object.values(REAL)].every(existsSync) ? false : 'the real Xen 4.17 tools are not installed';

const CASES: [string, string[]][] = [
  // def_getopt: --help with an argument is still help (optopt 'h'); an unknown long option has optopt 0.
  ['xl', ['list', '--help=1']], ['xl', ['list', '--foo']], ['xl', ['vcpu-pin', '--forc', '-z']],
  // A command's options end at its first operand: glibc keeps the ordering main()'s "+vftTN" set.
  ['xl', ['list', '0', '-l']],
  // The ambiguous option is named as typed, =value and all.
  ['xentop', ['--v=1']], ['xentop', ['-bz', '--dashboar']],
  ['xentrace', ['--d', 'out']], ['xentrace', ['-s']],
  ['xenstore-read', ['--r', '-n', '--pre=x', '-z']],
  // -1 is an operand, and strtoul's wrap-around of its minus sign fails xl's INT_MAX check.
  ['xl', ['vcpu-set', '1', '-1']],
];

let root = '';
before(() => {
  if (skip) return;
  root = mkdtempSync(join(tmpdir(), 'getopt-tools-'));
  for (const side of ['real', 'ours']) {
    mkdirSync(join(root, side));
    for (const [name, target] of Object.entries(REAL)) symlinkSync(side === 'real' ? target : join(BIN, name), join(root, side, name));
  }
  symlinkSync(REALXL, join(root, 'real', 'xl'));
  symlinkSync(join(BIN, 'xl'), join(root, 'ours', 'xl'));
});

function run(side: 'real' | 'ours', tool: string, args: string[]) {
  const env = { ...process.env, PATH: `${join(root, side)}${delimiter}${process.env.PATH ?? ''}`, XENLAB_HOME: join(root, 'home') };
  const r = spawnSync(tool, args, { env, encoding: 'latin1', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('odd option lines: the real tools\' messages, output and exit codes', { skip }, () => {
  for (const [tool, args] of CASES) assert.deepEqual(run('ours', tool, args), run('real', tool, args), `${tool} ${args.join(' ')}`);
});

test('xentop takes atoi of -d and -i: an int that wraps, as glibc\'s atoi does', () => {
  const o = parseArgs(['-d', '4294967299', '-i', ' +7x']);
  assert.deepEqual(o.kind === 'run' && [o.options.delay, o.options.iterations], [3, 7]);
});
