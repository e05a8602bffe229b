// What an administrator sets at run time stays set across `xenlabd stop; xenlabd start`, as it
// does in the running Xen on a real host (which outlives its toolstack): the pool's credit2
// ratelimit (issue 13, acceptance 7) and Domain-0's scheduler parameters and vCPU affinity.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestHost } from '../helpers/host.ts';

const h = new TestHost().start(['--clock', 'virtual']);
after(() => h.stop());

/** Domain-0's vCPUs in xl vcpu-list: id, whether offline, and the affinity (hard / soft). */
function dom0Vcpus(): string[] {
  return h.xlOk('vcpu-list', '0').trim().split('\n').slice(1).map(l => {
    const f = l.trim().split(/\s+/);
    return `${f[2]}${f[3] === '-' ? ' offline' : ''} ${f.slice(-3).join(' ')}`;
  });
}

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

test("Domain-0's weight, cap, vCPU affinity and vCPUs online survive a daemon restart", () => {
  const vcpus = h.xlOk('vcpu-list', '0').trim().split('\n').length - 1;
  h.xlOk('sched-credit2', '-d', '0', '-w', '768', '-c', '50');
  h.xlOk('vcpu-pin', '0', '0', '1');
  if (vcpus > 1) h.xlOk('vcpu-set', '0', String(vcpus - 1));
  const sched = h.xlOk('sched-credit2', '-d', '0');
  assert.match(sched, /Domain-0 +0 +768 +50\n/);
  const before = dom0Vcpus();
  assert.equal(before[0], '0 1 / all');
  restart();
  assert.equal(h.xlOk('sched-credit2', '-d', '0'), sched);
  assert.deepEqual(dom0Vcpus(), before);
});
