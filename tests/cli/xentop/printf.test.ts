// xentop's own printf pieces (%.Nf is the C library's: tests/formats/libc/printf.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { padTrunc, uint } from '../../../src/cli/xentop/printf.ts';

test('%W.Ps cuts to P and pads to W; %Wllu', () => {
  assert.equal(padTrunc('web-frontend-production-01', 10, 10), 'web-fronte');
  assert.equal(padTrunc('db', 10, 10), '        db');
  assert.equal(uint(42.9, 5), '   42');
  // Bytes, not characters: 'é' is two bytes; a cut inside a character keeps its first bytes.
  assert.equal(padTrunc('sérvr', 10, 10), '    sérvr');
  assert.equal(padTrunc('\udce9caf', 5, 2), '   \udce9c');
  assert.equal(padTrunc('ウェブサーバ', 10, 10), 'ウェブ\udce3');
});
