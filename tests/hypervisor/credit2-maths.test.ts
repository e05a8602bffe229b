// The pure parts of the credit2 model: credit burning, slice length, the duty-cycle workload and
// the event queue's ordering.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { burnCredit, creditAfter, runtime } from '../../src/hypervisor/credit2/credit.ts';
import type { Vcpu } from '../../src/hypervisor/credit2/model.ts';
import { blockTime, consume, newDutyCycle, roll } from '../../src/hypervisor/sched-core/workload.ts';
import { EventQueue, TimerHeap } from '../../src/hypervisor/sched-core/event-queue.ts';

const MS = 1_000_000;
const vcpu = (weight: number, credit = 10 * MS, cap = 0, budget = Infinity): Vcpu =>
  ({ credit, residual: 0, startTime: 0, stateEntry: 0, budget, dom: { weight, cap } }) as unknown as Vcpu;

test('burn: the max-weight vCPU burns 1 credit per ns, weight 256 against 512 burns 2', () => {
  const hi = vcpu(512), lo = vcpu(256);
  burnCredit(hi, 512, 3 * MS);
  burnCredit(lo, 512, 3 * MS);
  assert.equal(hi.credit, 7 * MS);
  assert.equal(lo.credit, 4 * MS);
});

test('burn: many short runs add up exactly (residual) and credit stops at CREDIT_MIN', () => {
  const a = vcpu(300), b = vcpu(300);
  for (let i = 0; i < 1000; i++) burnCredit(a, 512, 7);
  burnCredit(b, 512, 7000);
  assert.equal(a.credit, b.credit);
  burnCredit(a, 512, 100 * MS);
  assert.equal(a.credit, -10 * MS);
  const c = vcpu(256);
  assert.equal(creditAfter({ ...c, startTime: 0 } as Vcpu, 512, 1 * MS), 8 * MS);
  assert.equal(c.credit, 10 * MS, 'peeking does not burn');
});

test('runtime: until credit meets the head of the runqueue, within MIN_TIMER/ratelimit and MAX_TIMER', () => {
  const v = vcpu(256, 8 * MS);
  assert.equal(runtime(v, undefined, 256, 0, false, 0), 8 * MS);
  assert.equal(runtime(v, vcpu(256, 5 * MS), 256, 0, false, 0), 3 * MS);
  assert.equal(runtime(v, vcpu(256, 5 * MS), 512, 0, false, 0), 1.5 * MS, 'lower weight burns faster');
  assert.equal(runtime(v, vcpu(256, 7.9 * MS), 256, 0, false, 0), 0.5 * MS, 'MIN_TIMER');
  assert.equal(runtime(v, vcpu(256, 7.9 * MS), 256, 1000_000, false, 0), 1 * MS, 'ratelimit');
  assert.equal(runtime({ ...v, stateEntry: 0 } as Vcpu, vcpu(256, 7.9 * MS), 256, 1000_000, true, 0.8 * MS), 0.5 * MS, 'what is left of the ratelimit, at least MIN_TIMER');
  assert.equal(runtime(vcpu(256, 10.5 * MS), undefined, 128, 0, false, 0), 10 * MS, 'MAX_TIMER');
  assert.equal(runtime(vcpu(256, 8 * MS, 50, 2 * MS), undefined, 256, 0, false, 0), 2 * MS, 'cap budget');
  assert.equal(runtime(vcpu(256, -1 * MS), undefined, 256, 0, false, 0), 0.5 * MS);
});

test('duty cycle: blocks after its quota, and across a period boundary after a fresh quota', () => {
  const d = newDutyCycle(1, 0, 0.3, 0);
  const start = d.periodEnd - 10 * MS;
  assert.ok(d.phase >= 0 && d.phase < 10 * MS);
  assert.equal(blockTime(d, start), start + 3 * MS);
  consume(d, start, start + 2 * MS);
  assert.equal(d.used, 2 * MS);
  // With 1 ms still wanted and 1 ms of period left it blocks right at the period's end...
  assert.equal(blockTime(d, start + 9 * MS), d.periodEnd);
  // ...with only 0.5 ms left it runs on into the next period and takes a fresh 3 ms there.
  const late = start + 9.5 * MS;
  assert.equal(blockTime(d, late), d.periodEnd + 3 * MS);
  consume(d, late, start + 11 * MS);
  assert.equal(d.used, 1 * MS, 'the new period has had 1 ms');
  roll(d, start + 25 * MS);
  assert.equal(d.used, 0);
  assert.equal(blockTime(newDutyCycle(1, 0, 1, 0), 5), Infinity);
});

test('event queue: time order, first in first out at one instant', () => {
  const q = new EventQueue();
  let seq = 0;
  for (const [at, target] of [[5, 1], [3, 2], [5, 3], [1, 4], [5, 5]]) q.push(at!, seq++, 0, target!, 0);
  const out: number[] = [];
  while (q.size) { const e = q.pop()!; out.push(e.target); q.recycle(e); }
  assert.deepEqual(out, [4, 2, 1, 3, 5]);
});

test('timer heap: one re-armable timer per slot', () => {
  const t = new TimerHeap(4);
  let seq = 0;
  t.set(0, 50, seq++); t.set(1, 20, seq++); t.set(2, 20, seq++); t.set(3, 70, seq++);
  t.set(1, 60, seq++); // re-armed later: slot 2 now first at 20
  t.clear(3);
  const out: number[] = [];
  while (t.size) { out.push(t.topSlot()); t.clear(t.topSlot()); }
  assert.deepEqual(out, [2, 0, 1]);
  assert.equal(t.topAt(), Infinity);
});
