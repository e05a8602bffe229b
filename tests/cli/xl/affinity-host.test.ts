// Affinities that select no pCPU, against a real daemon with 8 pCPUs on one NUMA node (the host
// that the realxl oracle fakes too). Real xl intersects every hard affinity with xl.conf's
// global masks and refuses an empty result (xl_vcpu.c, apply_global_affinity_masks).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestHost } from '../../helpers/host.ts';

let h: TestHost;
before(() => { h = new TestHost().start(['--clock', 'virtual', '--cpus', '8']); });
after(() => h.stop());

const affinityOf = (dom: string) => h.xlOk('vcpu-list', dom).split('\n')[1]!.trim().split(/\s+/).slice(6).join(' ');

test('create: cpus= selecting no pCPU fails with "vcpu hard affinity map is empty", exit 1', () => {
  for (const cpus of ['"all,^0-7"', '"nodes:5"']) {
    const r = h.xl('create', h.guestConfig('empty', `vcpus = 2\ncpus = ${cpus}`));
    assert.deepEqual([r.status, r.stderr], [1, `Parsing config from ${h.home}/empty.cfg\nvcpu hard affinity map is empty\n`], cpus);
  }
  assert.equal(h.xl('domid', 'empty').status, 1, 'no domain was created');
  // a soft affinity may be empty: it is only a preference
  assert.equal(h.xl('create', h.guestConfig('soft', 'vcpus = 2\ncpus_soft = "all,^0-7"')).status, 0);
});

test('vcpu-pin: a hard affinity past the last pCPU is refused and changes nothing', () => {
  h.xlOk('create', h.guestConfig('web', 'vcpus = 2\ncpus = "2-3"'));
  const before = affinityOf('web');
  assert.equal(before, '2-3 / all');
  for (const args of [['0', '99'], ['all', 'nodes:1']]) {
    const r = h.xl('vcpu-pin', 'web', ...args);
    assert.deepEqual([r.status, r.stdout, r.stderr], [1, '', 'vcpu hard affinity map is empty\n'], args.join(' '));
  }
  // without the global masks the empty map reaches Xen, which refuses it
  const forced = h.xl('vcpu-pin', '-i', 'web', '0', '99');
  const domid = h.xlOk('domid', 'web').trim();
  assert.deepEqual([forced.status, forced.stderr],
    [1, `libxl: error: libxl_sched.c:62:libxl__set_vcpuaffinity: Domain ${domid}:Setting vcpu affinity: Invalid argument\nCould not set affinity for vcpu \`0'.\n`]);
  const all = h.xl('vcpu-pin', '-i', 'web', 'all', '99');
  const warn = (v: number) => `libxl: warning: libxl_sched.c:124:libxl_set_vcpuaffinity_all: Domain ${domid}:Failed to set affinity for ${v}\n`;
  const refused = `libxl: error: libxl_sched.c:62:libxl__set_vcpuaffinity: Domain ${domid}:Setting vcpu affinity: Invalid argument\n`;
  assert.deepEqual([all.status, all.stderr], [0, refused + warn(0) + refused + warn(1) + 'Could not set affinity.\n']);
  assert.equal(affinityOf('web'), before);
  // a range reaching past the host keeps the pCPUs it has
  h.xlOk('vcpu-pin', 'web', '0', '6-99');
  assert.equal(affinityOf('web'), '6-7 / all');
});
