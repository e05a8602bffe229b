import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock, parseDuration } from '../../src/machine/clock.ts';

test('timers fire in time order, each with the world stepped exactly to its instant', () => {
  const c = new Clock('virtual', 0);
  const steps: bigint[] = [];
  const fired: string[] = [];
  c.setStepper(to => steps.push(to));
  c.at(30n, () => fired.push(`c@${c.now()}`));
  c.at(10n, () => { fired.push(`a@${c.now()}`); c.after(5n, () => fired.push(`d@${c.now()}`)); });
  const t = c.at(20n, () => fired.push('cancelled'));
  c.at(10n, () => fired.push(`b@${c.now()}`));
  c.cancel(t);
  c.advanceTo(40n);
  assert.deepEqual(fired, ['a@10', 'b@10', 'd@15', 'c@30']);
  assert.deepEqual(steps, [10n, 15n, 30n, 40n]);
  assert.equal(c.now(), 40n);
  assert.equal(c.nextTimerAt(), undefined);
});

test('quiet timers fire in order among the others, and nextTimerAt leaves them out', () => {
  const c = new Clock('virtual', 0);
  const fired: string[] = [];
  c.after(10n, () => fired.push(`q@${c.now()}`), true);
  c.after(20n, () => fired.push(`l@${c.now()}`));
  c.after(20n, () => fired.push(`q2@${c.now()}`), true);
  assert.equal(c.nextTimerAt(), 20n);
  c.advanceTo(30n);
  assert.deepEqual(fired, ['q@10', 'l@20', 'q2@20']);
  assert.equal(c.nextTimerAt(), undefined);
});

test('many timers stay ordered', () => {
  const c = new Clock('virtual', 0);
  const seen: bigint[] = [];
  for (let i = 0; i < 1000; i++) { const at = BigInt((i * 7919) % 1000); c.at(at, () => seen.push(at)); }
  c.advanceTo(2000n);
  assert.equal(seen.length, 1000);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i - 1]! <= seen[i]!);
});

test('durations', () => {
  assert.equal(parseDuration('10s'), 10_000_000_000n);
  assert.equal(parseDuration('250ms'), 250_000_000n);
  assert.equal(parseDuration('1.5'), 1_500_000_000n);
  assert.equal(parseDuration('2m'), 120_000_000_000n);
  assert.equal(parseDuration('soon'), undefined);
});
