// C's %.1f rounds an exact binary tie to even; JavaScript's toFixed rounds it up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixed, fixedW, padTrunc } from '../../../src/cli/xentop/printf.ts';

test('%.1f as glibc prints it', () => {
  assert.equal(fixed(6.25, 1), '6.2');   // 1048576 / 16777216 * 100: an exact tie
  assert.equal(fixed(6.75, 1), '6.8');
  assert.equal(fixed(0.05, 1), '0.1');   // not a tie in binary: 0.05000000000000000277
  assert.equal(fixed(0.25, 1), '0.2');
  assert.equal(fixed(-0.25, 1), '-0.2');
  assert.equal(fixed(33.3, 1), '33.3');
  assert.equal(fixed(2.5, 0), '2');
  assert.equal(fixed(Infinity, 1), 'inf');
  assert.equal(fixed(NaN, 1), '-nan');
  assert.equal(fixedW(6.25, 6, 1), '   6.2');
  assert.equal(padTrunc('web-frontend-production-01', 10, 10), 'web-fronte');
});
