import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as T from '../../src/hypervisor/trace-events.ts';
import {
  FormatsFileError, PyFloat, PyFormatError, parseFormatsFile, parsePyInt, pyDictRepr, pyFormat,
} from '../../src/formats/trace-formats-file.ts';

test('rules are keyed by the value of the id; comments and empty lines are skipped; a later rule wins', () => {
  const rules = parseFormatsFile('# a comment\n\n0x0002800a  switch %(1)d\n10 ten\n013\toctal eleven\n0x0002800A again \n');
  assert.equal(rules.get(0x2800a), 'again ');
  assert.equal(rules.get(10), 'ten');
  assert.equal(rules.get(10 + 0), 'ten');
  assert.equal(rules.get(0o13), 'octal eleven');
});

test('a line without a format, or starting with blanks, is a bad format file', () => {
  assert.throws(() => parseFormatsFile('0x0002800a\n'), FormatsFileError);
  assert.throws(() => parseFormatsFile('  0x0002800a  x\n'), FormatsFileError);
});

test('Python 2 integer literals', () => {
  assert.deepEqual(['0x1f003', '0X10', '017', '0o17', '0b101', '42', '42L', '0'].map(parsePyInt), [0x1f003, 16, 15, 15, 5, 42, 42, 0]);
});

// Expected strings are what Python 2.7's `fmt % args` prints for these args.
const args = { cpu: 1, tsc: 1002400000n, event: 0x2800a, reltsc: 2400000n, 1: 0x7fff, 2: 3, 3: 16843009, 4: 0, 5: 0, 6: 0, 7: 0 };
test('conversions, flags, widths and precisions follow Python\'s %-format', () => {
  const cases: [string, string][] = [
    ['CPU%(cpu)d  %(tsc)d (+%(reltsc)8d)', 'CPU1  1002400000 (+ 2400000)'],
    ['0x%(1)04x%(2)04x', '0x7fff0003'],
    ['%(event)016x', '000000000002800a'],
    ['%(3)#x %(3)#o %(3)X %(3)#X', '0x1010101 0100200401 1010101 0X1010101'],
    ['%(2)+5d|%(2)-5d|%(2)05d|%(2).3d', '   +3|3    |00003|003'],
    ['%(3)e %(3)g %(2)f %(2)5.1f', '1.684301e+07 1.6843e+07 3.000000   3.0'],
    ['%(3)s %(3)r %(2)i %(2)u 100%%', '16843009 16843009 3 3 100%'],
    ['plain text', 'plain text'],
  ];
  for (const [fmt, want] of cases) assert.equal(pyFormat(fmt, args), want, fmt);
});

test('a float tsc (xentrace_format -c) truncates under %d and %x and prints like Python otherwise', () => {
  const f = { ...args, tsc: new PyFloat(1.5) };
  assert.equal(pyFormat('%(tsc)d %(tsc)x %(tsc)s %(tsc)f %(tsc)e', f), '1 1 1.5 1.500000 1.500000e+00');
  assert.equal(pyFormat('%(tsc)s', { ...args, tsc: new PyFloat(10) }), '10.0');
  // Python 2.7: str(123456789012.5), str(12345678901.5), str(999999999999.0), str(1.234e-05), str(4.166666666666667)
  const str = (x: number): string => pyFormat('%(tsc)s', { ...args, tsc: new PyFloat(x) });
  assert.deepEqual([123456789012.5, 12345678901.5, 999999999999.0, 0.00001234, 25 / 6].map(str),
    ['1.23456789012e+11', '12345678901.5', '9.99999999999e+11', '1.234e-05', '4.16666666667']);
});

test('errors are the ones Python raises: TypeError, KeyError, ValueError', () => {
  const kind = (fmt: string): string => { try { pyFormat(fmt, args); return 'none'; } catch (e) { return (e as PyFormatError).kind; } };
  assert.equal(kind('%d'), 'TypeError');
  assert.equal(kind('%(8)x'), 'KeyError');
  assert.equal(kind('%(1)y'), 'ValueError');
  assert.equal(kind('trailing %'), 'ValueError');
  assert.equal(pyFormat('%s', { ...args, tsc: new PyFloat(1.5) }),
    "{'2': 3, 'event': 163850, 'tsc': 1.5, '1': 32767, '3': 16843009, 'reltsc': 2400000, '5': 0, '4': 0, '7': 0, '6': 0, 'cpu': 1}");
});

test('the args dict prints in Python 2.7\'s order', () => {
  assert.equal(pyDictRepr(args),
    "{'2': 3, 'event': 163850, 'tsc': 1002400000, '1': 32767, '3': 16843009, 'reltsc': 2400000, '5': 0, '4': 0, '7': 0, '6': 0, 'cpu': 1}");
});

test('our share/xentrace/formats parses, labels credit2 as 4.17 emits it and formats every rule', () => {
  const rules = parseFormatsFile(readFileSync(new URL('../../share/xentrace/formats', import.meta.url), 'utf8'));
  assert.match(rules.get(0x22213)!, /picked_cpu/);
  assert.match(rules.get(0x22214)!, /runq_candidate/);
  assert.match(rules.get(0x22215)!, /csched2:schedule/);
  assert.match(rules.get(0x22216)!, /ratelimit/);
  assert.match(rules.get(0x22217)!, /runq_cand_chk/);
  for (const [id, rule] of rules) assert.doesNotThrow(() => pyFormat(rule, args), `rule 0x${id.toString(16)}`);
});

/** Exports of trace-events.ts that are classes, subclasses or flags rather than events. */
const NOT_EVENTS = /^TRC_(GEN|SCHED|DOM0OP|HVM|MEM|PV|SHADOW|HW|GUEST|ALL|SCHED_(MIN|CLASS|VERBOSE|CSCHED2?|ARINC653|RTDS|SNULL)|DOM0_DOMOPS|64_FLAG|PV_(ENTRY|SUBCALL)|HVM_(ENTRYEXIT|HANDLER|EMUL|NESTEDFLAG)|HW_(PM|IRQ))$/;

test('every event id the hypervisor can emit has its own rule in our formats file (no raw fallback)', () => {
  const rules = parseFormatsFile(readFileSync(new URL('../../share/xentrace/formats', import.meta.url), 'utf8'));
  const ids = Object.entries(T).filter(([k, v]) => k.startsWith('TRC_') && typeof v === 'number' && !NOT_EVENTS.test(k));
  assert.ok(ids.length > 80);
  const missing = ids.filter(([k, v]) => k !== 'TRC_SCHED_RUNSTATE_CHANGE' && !rules.has(v as number)).map(([k]) => k);
  assert.deepEqual(missing, []);
  for (let from = 0; from < 4; from++) for (let to = 0; to < 4; to++) {
    if (from !== to) assert.ok(rules.has(T.runstateChangeEvent(from, to)), `runstate ${from}->${to}`);
  }
});
