// The real virsh schedinfo against xenlabd's libvirt endpoint: libvirt's libxl driver names the
// host's scheduler (Xen's sched=, Pool-0's) and, for credit, gives each domain's weight and cap.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { TestHost, haveBinary } from '../helpers/host.ts';

const skip = haveBinary('virsh') ? false : 'virsh not installed (apt-get install libvirt-clients)';
let h: TestHost;
let uri = '';

before(() => {
  if (skip) return;
  h = new TestHost().start(['--clock', 'virtual', '--sched', 'credit']);
  uri = `xen+unix:///system?socket=${join(h.home, 'run/libvirt/libvirt-sock')}`;
});
after(() => h?.stop());

test('virsh schedinfo on a credit host: the scheduler and the domain\'s weight and cap', { skip }, () => {
  h.xlOk('create', h.guestConfig('web', 'cpu_weight = 512\ncap = 40'));
  const r = h.sys('virsh', ['-c', uri, 'schedinfo', 'web']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'Scheduler      : credit\nweight         : 512\ncap            : 40\n\n');
});
