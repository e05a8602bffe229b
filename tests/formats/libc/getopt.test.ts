// getopt_long against glibc 2.36 (Debian 12): each case's stderr and the sequence getopt_long
// returned were recorded from a C program calling getopt_long with the same option string, long
// options and arguments (argv[0] "prog"), printing each return, optarg and optopt, then argv[optind..].
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstError, getoptLong, type LongOption } from '../../../src/formats/libc/getopt.ts';

const LONG: LongOption[] = [
  { name: 'alpha', hasArg: false, val: 'a' }, { name: 'beta', hasArg: true, val: 'b' },
  { name: 'bravo', hasArg: true, val: 'B' }, { name: 'charlie', hasArg: false, val: 'c' },
  { name: 'charm', hasArg: false, val: 'c' }, { name: 'delta', hasArg: false, val: 'd' },
];

/** Our getopt's result in the recording's words. */
function transcript(optstring: string, args: string[]): [string, string[]] {
  const r = getoptLong('prog', args, optstring, LONG);
  let stderr = '';
  const lines: string[] = [];
  for (const o of r.opts) {
    if ('message' in o) { stderr += o.message; lines.push(`ERR ? optopt=${o.optopt === '\0' ? '\\0' : o.optopt}`); }
    else lines.push(o.arg === undefined ? `OPT ${o.opt}` : `OPT ${o.opt} arg=[${o.arg}]`);
  }
  return [stderr, [...lines, ...r.operands.map(x => `OPERAND [${x}]`)]];
}

const GLIBC: [string, string[], string, string[]][] = [
  ["ab:c", ["x","-a","--al","y","-b1","-zq","--","-a","z"],
    "prog: invalid option -- 'z'\nprog: invalid option -- 'q'\n",
    ["OPT a","OPT a","OPT b arg=[1]","ERR ? optopt=z","ERR ? optopt=q","OPERAND [x]","OPERAND [y]","OPERAND [-a]","OPERAND [z]"]],
  ["ab:c", ["--be","v","--bet=","--bravo=-x"],
    "",
    ["OPT b arg=[v]","OPT b arg=[]","OPT B arg=[-x]"]],
  ["ab:c", ["--b","v"],
    "prog: option '--b' is ambiguous; possibilities: '--beta' '--bravo'\n",
    ["ERR ? optopt=\\0","OPERAND [v]"]],
  ["ab:c", ["--ch","--c"],
    "",
    ["OPT c","OPT c"]],
  ["ab:c", ["--cha=1"],
    "prog: option '--charlie' doesn't allow an argument\n",
    ["ERR ? optopt=c"]],
  ["ab:c", ["--alpha=1","op"],
    "prog: option '--alpha' doesn't allow an argument\n",
    ["ERR ? optopt=a","OPERAND [op]"]],
  ["ab:c", ["--nope=3","x"],
    "prog: unrecognized option '--nope=3'\n",
    ["ERR ? optopt=\\0","OPERAND [x]"]],
  ["ab:c", ["--beta"],
    "prog: option '--beta' requires an argument\n",
    ["ERR ? optopt=b"]],
  ["ab:c", ["-b"],
    "prog: option requires an argument -- 'b'\n",
    ["ERR ? optopt=b"]],
  ["ab:c", ["-cb","-a"],
    "",
    ["OPT c","OPT b arg=[-a]"]],
  ["ab:c", ["-","-a","-"],
    "",
    ["OPT a","OPERAND [-]","OPERAND [-]"]],
  ["ab:c", ["-:","-a;"],
    "prog: invalid option -- ':'\nprog: invalid option -- ';'\n",
    ["ERR ? optopt=:","OPT a","ERR ? optopt=;"]],
  ["+vf", ["-v","list","-f"],
    "",
    ["OPT v","OPERAND [list]","OPERAND [-f]"]],
  ["+vf", ["-vh","list"],
    "prog: invalid option -- 'h'\n",
    ["OPT v","ERR ? optopt=h","OPERAND [list]"]],
  ["+vf", ["--","-v"],
    "",
    ["OPERAND [-v]"]],
  ["ab:c", ["a","--","b","--","c"],
    "",
    ["OPERAND [a]","OPERAND [b]","OPERAND [--]","OPERAND [c]"]],
  ["ab:c", ["--=x"],
    "prog: option '--=x' is ambiguous; possibilities: '--alpha' '--beta' '--bravo' '--charlie' '--charm' '--delta'\n",
    ["ERR ? optopt=\\0"]],
  ["ab:c", ["---a"],
    "prog: unrecognized option '---a'\n",
    ["ERR ? optopt=\\0"]],
];

test('getopt_long returns what glibc returns, prints what it prints', () => {
  for (const [optstring, args, stderr, returns] of GLIBC) {
    assert.deepEqual(transcript(optstring, args), [stderr, returns], `${optstring} ${JSON.stringify(args)}`);
  }
});

test('the messages start with the argv[0] given, which may be a path', () => {
  const r = getoptLong('/usr/lib/xen-4.17/bin/xl', ['-h'], '+vftTN');
  assert.equal(firstError(r), "/usr/lib/xen-4.17/bin/xl: invalid option -- 'h'\n");
  assert.equal(firstError(getoptLong('p', ['-v'], '+vftTN')), undefined);
});
