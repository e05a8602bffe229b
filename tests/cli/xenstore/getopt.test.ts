import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getoptLong, type LongOpt } from '../../../src/cli/xenstore/getopt.ts';

const LONGS: LongOpt[] = [
  { name: 'flat', hasArg: false, val: 'f' }, { name: 'number', hasArg: true, val: 'n' },
  { name: 'recurse', hasArg: false, val: 'r' }, { name: 'raw', hasArg: false, val: 'R' },
];

function parse(args: string[]) {
  const r = getoptLong('prog', args, 'hfspturn:R', LONGS);
  const warnings = r.opts.flatMap(o => (o.warning ? [o.warning] : []));
  return { opts: r.opts.map(o => o.arg === undefined ? o.c : `${o.c}=${o.arg}`), operands: r.operands, warnings };
}

test('options are permuted, clustered, and take arguments attached or separate', () => {
  assert.deepEqual(parse(['/a', '-fp', '/b', '-n3', '-n', '4']), { opts: ['f', 'p', 'n=3', 'n=4'], operands: ['/a', '/b'], warnings: [] });
  assert.deepEqual(parse(['--', '-p', '-']), { opts: [], operands: ['-p', '-'], warnings: [] });
});

test('long options: prefixes, =values, and glibc diagnostics', () => {
  assert.deepEqual(parse(['--fl', '--number=5']).opts, ['f', 'n=5']);
  assert.deepEqual(parse(['--r']).warnings, ["prog: option '--r' is ambiguous; possibilities: '--recurse' '--raw'"]);
  assert.deepEqual(parse(['--nope']).warnings, ["prog: unrecognized option '--nope'"]);
  assert.deepEqual(parse(['--flat=1']).warnings, ["prog: option '--flat' doesn't allow an argument"]);
  assert.deepEqual(parse(['--number']).warnings, ["prog: option '--number' requires an argument"]);
  assert.deepEqual(parse(['-x', '-n']), {
    opts: ['?', '?'], operands: [],
    warnings: ["prog: invalid option -- 'x'", "prog: option requires an argument -- 'n'"],
  });
});
