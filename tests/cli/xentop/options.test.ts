// xentop's command line as glibc's getopt_long parses it; the messages are those the real
// xentop 4.17 printed (realxentop) for the same arguments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, usage, VERSION } from '../../../src/cli/xentop/options.ts';

const USAGE = usage('xentop');

const exit = (argv: string[]) => {
  const p = parseArgs(argv);
  if (p.kind !== 'exit') throw new Error('expected an exit');
  return p;
};
const run = (argv: string[]) => {
  const p = parseArgs(argv);
  if (p.kind !== 'run') throw new Error(`expected a run: ${p.stderr}`);
  return p.options;
};

test('bad options: getopt message on stderr, usage on stdout, exit 0', () => {
  for (const [argv, msg] of [
    [['-z'], "xentop: invalid option -- 'z'\n"],
    [['--foo'], "xentop: unrecognized option '--foo'\n"],
    [['-b', '-d'], "xentop: option requires an argument -- 'd'\n"],
    [['--delay'], "xentop: option '--delay' requires an argument\n"],
    [['--help=3'], "xentop: option '--help' doesn't allow an argument\n"],
    [['--v'], "xentop: option '--v' is ambiguous; possibilities: '--version' '--vbds' '--vcpus'\n"],
  ] as [string[], string][]) {
    const p = exit(argv);
    assert.deepEqual([p.stderr, p.stdout, p.code], [msg, USAGE, 0], argv.join(' '));
  }
});

test('-h and -V, and unique prefixes of long options', () => {
  assert.equal(exit(['-h']).stdout, USAGE);
  assert.match(USAGE, /^-b, --batch\t     output in batch mode/m);
  assert.equal(exit(['--ve']).stdout, VERSION);
  assert.equal(exit(['-nV']).stdout, VERSION);
  const o = run(['--net', '--vb', '--rep', '--full', '--bat', '--iter=4', '--del', '7']);
  assert.deepEqual([o.networks, o.vbds, o.repeatHeader, o.fullName, o.batch, o.iterations, o.delay], [true, true, true, true, true, 4, 7]);
});

test('bundled flags, attached arguments, atoi, -i 0 and operands', () => {
  const o = run(['-bnxvrf', '-d5', '-i', '3', 'ignored']);
  assert.deepEqual([o.batch, o.networks, o.vbds, o.vcpus, o.repeatHeader, o.fullName, o.delay, o.iterations], [true, true, true, true, true, true, 5, 3]);
  assert.equal(run(['-d', '2x']).delay, 2);
  assert.equal(run(['-d', 'x']).delay, 0);
  assert.equal(run(['-i', '0']).iterations, null);
  assert.equal(run([]).iterations, null);
  assert.equal(run([]).delay, 3);
});

test('--dashboard (an extension) is matched in full only, so --d still means --delay', () => {
  assert.equal(run(['--dashboard']).dashboard, true);
  assert.equal(run(['--d', '4']).delay, 4);
  assert.equal(run(['--d', '4']).dashboard, false);
});
