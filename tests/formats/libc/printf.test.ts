// printf's %.Nf against glibc 2.36: each expected string was printed by printf("%.*f") in C for
// the same double (exact binary value, round-half-even on exact ties, sign of negative zero kept).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFixed, formatFixedWidth } from '../../../src/formats/libc/printf.ts';

const GLIBC: [precision: number, x: number, printed: string][] = [
  [1, 6.25, "6.2"],
  [1, 6.75, "6.8"],
  [1, 0.05, "0.1"],
  [1, 0.25, "0.2"],
  [1, -0.25, "-0.2"],
  [1, 0.35, "0.3"],
  [0, 2.5, "2"],
  [0, 3.5, "4"],
  [0, -0.5, "-0"],
  [2, 0.125, "0.12"],
  [2, 0.375, "0.38"],
  [2, 1.005, "1.00"],
  [3, 2394.0005, "2394.001"],
  [1, -0.01, "-0.0"],
  [1, -0, "-0.0"],
  [1, 0, "0.0"],
  [6, 5e-324, "0.000000"],
  [1, 1e22, "10000000000000000000000.0"],
  [2, 123456789012345678901234, "123456789012345685803008.00"],
  [0, 1.7976931348623157e308, "179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368"],
  [1, 99.95, "100.0"],
  [1, 16777217.125, "16777217.1"],
];

test('%.Nf prints what glibc prints', () => {
  for (const [p, x, printed] of GLIBC) assert.equal(formatFixed(x, p), printed, `%.${p}f of ${x}`);
});

test('where toFixed differs: exact ties go to even', () => {
  assert.notEqual((0.125).toFixed(2), formatFixed(0.125, 2));
  assert.notEqual((6.25).toFixed(1), formatFixed(6.25, 1));
});

test('inf, the x86 default NaN, and a field width', () => {
  assert.equal(formatFixed(Infinity, 1), 'inf');
  assert.equal(formatFixed(-Infinity, 1), '-inf');
  assert.equal(formatFixed(0 / 0, 1), '-nan');
  assert.equal(formatFixedWidth(6.25, 6, 1), '   6.2');
  assert.equal(formatFixedWidth(1234567.5, 6, 1), '1234567.5');
});
