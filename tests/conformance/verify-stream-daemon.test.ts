// verify-stream-v2 (the real Xen 4.17 stream checker) judges what the daemon writes: save files
// of PV, PVH and HVM guests that dirty memory, and a live migration stream with several
// pre-copy rounds captured on its way to the receiver.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { guestCfg, haveVerifier, verifyStream, xlBackground } from '../e2e/migrate-helpers.ts';

const skip = haveVerifier ? false : 'verify-stream-v2 (xen-utils-4.17) is not installed';
let a: TestHost, b: TestHost;
before(() => {
  a = new TestHost().start(['--clock', 'virtual', '--memory', '8G']);
  b = new TestHost().start(['--clock', 'virtual', '--memory', '8G']);
});
after(() => { a.stop(); b.stop(); });

for (const type of ['pv', 'pvh', 'hvm'] as const) {
  test(`${type}: the save file of a guest dirtying memory is a valid xl stream`, { skip }, () => {
    const name = `v-${type}`;
    a.xlOk('create', guestCfg(a, name, { type, workload: 'cpu=30,dirty=5000' }));
    a.advance('5s');
    const file = join(a.home, `${name}.save`);
    a.xlOk('save', name, file);
    const v = verifyStream(file, true);
    assert.equal(v.status, 0, v.stderr);
    assert.match(v.stdout, /^Processed xl header\nLibxl Header: little endian\nLibxl Record: Libxc context, length 0\nLibxc Image Header: Version 3, little endian\n/);
    assert.match(v.stdout, new RegExp(`Domain Header: x86 ${type === 'pv' ? 'PV' : 'HVM'} from Xen 4.17`));
    assert.match(v.stdout, /Libxc Record: End, length 0\n(Libxl Record: Emulator context, length \d+\n  Index 0, type Qemu Upstream\n)?Libxl Record: End, length 0\n$/);
  });
}

test('a live migration stream with several pre-copy rounds is a valid xl stream', { skip }, async () => {
  a.xlOk('create', guestCfg(a, 'live', { memory: 128, workload: 'cpu=30,dirty=3000' }));
  a.advance('5s');
  const captured = join(a.home, 'live.stream');
  const m = xlBackground(a, ['migrate', '-s', '', 'live', `tee ${captured} | XENLAB_HOME=${b.home} xl migrate-receive`]);
  await m.waitFor(/xc: info: Saving domain \d+/);
  a.advance('30s');
  assert.equal(await m.exit, 0, m.stderr);
  assert.match(m.stderr, /Frames iteration 2:/, 'more than two rounds carried pages');
  const v = verifyStream(captured, true);
  assert.equal(v.status, 0, v.stderr);
  assert.match(v.stdout, /Squashed \d+ Page Data records together/);
  b.xlOk('destroy', 'live');
});
