// What an administrator sets at run time stays set across `xenlabd stop; xenlabd start`, as it
// does in the running Xen on a real host (which outlives its toolstack): the pool's credit2
// ratelimit (issue 13, acceptance 7) and Domain-0's scheduler parameters and vCPU affinity.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestHost } from '../helpers/host.ts';

const h = new TestHost().start(['--clock', 'virtual']);
after(() => h.stop());

function restart(): void {
  h.run('xenlabd', ['stop']);
  h.start();
}

test('the pool ratelimit set by sched-credit2 -s -r survives a daemon restart', () => {
  const before = h.xlOk('sched-credit2', '-s');
  h.xlOk('sched-credit2', '-s', '-r', '2500');
  const set = h.xlOk('sched-credit2', '-s');
  assert.notEqual(set, before);
  assert.match(set, /ratelimit=2500us/);
  h.advance('1s');
  restart();
  assert.equal(h.xlOk('sched-credit2', '-s'), set);
  assert.match(h.xlOk('cpupool-list', '-c'), /Pool-0/);
});
