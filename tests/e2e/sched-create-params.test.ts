// xl.cfg's scheduling keys applied at creation as libxl__build_pre applies them, by the scheduler
// of the domain's pool: in an RTDS pool `period` reaches every vCPU (budget stays RTDS's default,
// xl parses no `budget` key, and `extratime` only travels in flags Xen's putinfo ignores), and a
// period below the budget fails the build with libxl's texts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestHost } from '../helpers/host.ts';

let h: TestHost;
before(() => {
  h = new TestHost().start(['--clock', 'virtual']);
  h.xlOk('cpupool-cpu-remove', 'Pool-0', '7');
  h.xlOk('cpupool-create', 'name="rt"', 'sched="rtds"', 'cpus="7"');
});
after(() => h.stop());

test('a guest created into an RTDS pool with period= has it on every vCPU (xl sched-rtds -v all); period < budget fails the build', () => {
  h.xlOk('create', h.guestConfig('rtp', 'pool = "rt"\nvcpus = 2\nperiod = 20000\nextratime = 0'));
  assert.match(h.xlOk('sched-rtds', '-d', 'rtp', '-v', 'all'),
    /^Name +ID VCPU +Period +Budget +Extratime\nrtp +\d+ +0 +20000 +4000 +yes\nrtp +\d+ +1 +20000 +4000 +yes\n$/);
  // Per domain, Xen still answers RTDS's defaults.
  assert.match(h.xlOk('sched-rtds', '-d', 'rtp'), /^rtp +\d+ +10000 +4000 +yes$/m);
  const r = h.xl('create', h.guestConfig('short', 'pool = "rt"\nperiod = 3000'));
  assert.equal(r.status, 3);
  assert.match(r.stderr, /^libxl: error: libxl_sched\.c:489:sched_rtds_validate_params: VCPU budget must be smaller than or equal to period, but 4000 > 3000\nlibxl: error: libxl_create\.c:1638:domcreate_rebuild_done: Domain \d+:cannot \(re-\)build domain: -6$/m);
  assert.doesNotMatch(h.xlOk('list'), /short/);
});
