// The host reads as one real machine (issue 12, item 7): `xl info` names Debian 12's Dom0 kernel
// (not the kernel of whatever runs xenlab), the hypervisor's console ring holds only what Xen
// 4.17 prints (nothing per domain created or destroyed), and a save stream's TSC_INFO record
// carries the machine's TSC frequency, the one `xl info` shows as cpu_mhz.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { guestCfg, haveVerifier, verifyStream } from './migrate-helpers.ts';

let h: TestHost;
before(() => { h = new TestHost().start(['--clock', 'virtual']); });
after(() => h.stop());

test('xl info: release and version are those of a Debian 12 kernel, as uname -r and -v print them', () => {
  assert.equal(h.xlOk('info', 'release'), '6.1.0-41-amd64\n');
  assert.equal(h.xlOk('info', 'version'), '#1 SMP PREEMPT_DYNAMIC Debian 6.1.158-1 (2025-11-09)\n');
});

test('xl dmesg: creating and destroying guests of every type adds nothing to the ring', () => {
  const ring = h.xlOk('dmesg');
  assert.match(ring, /^\(XEN\) Xen version 4\.17\.7 /m);
  assert.match(ring, /^\(XEN\) Bootloader: GRUB 2\.06-13\+deb12u1$/m);
  for (const type of ['pv', 'pvh', 'hvm']) {
    h.xlOk('create', '-q', guestCfg(h, `ring-${type}`, { type }));
    h.advance('3s');
    h.xlOk('destroy', `ring-${type}`);
  }
  assert.equal(h.xlOk('dmesg'), ring);
  assert.doesNotMatch(ring, /created|destroyed/);
});

test('the ring\'s processor line, xl info cpu_mhz and a saved stream\'s TSC_INFO agree on the TSC frequency', { skip: !haveVerifier && 'verify-stream-v2 missing' }, () => {
  const mhz = h.xlOk('info', 'cpu_mhz').trim();
  assert.equal(mhz, '2394.000');
  assert.match(h.xlOk('dmesg'), new RegExp(`^\\(XEN\\) Detected ${mhz.replace('.', '\\.')} MHz processor\\.$`, 'm'));
  for (const type of ['pv', 'hvm']) {
    h.xlOk('create', '-q', guestCfg(h, `tsc-${type}`, { type }));
    h.advance('3s');
    const file = join(h.home, `tsc-${type}.save`);
    h.xlOk('save', `tsc-${type}`, file);
    const v = verifyStream(file, true);
    assert.equal(v.status, 0, v.stderr);
    assert.match(v.stdout, /\nLibxc Record: TSC info, length 24\n {2}Mode 0, 2394000 kHz, \d+ ns, incarnation 0\n/);
  }
});
