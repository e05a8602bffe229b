// xl remus when the backup dies (its daemon SIGKILLed): the next checkpoint cannot be sent, libxl
// tears Remus down and xl resumes the guest on the primary ("Backup failed? resuming domain at
// primary."), where it goes on running without its network buffers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { row } from '../helpers/xl-parse.ts';
import { Connection } from '../../src/client/connection.ts';
import { hostPaths } from '../../src/protocol/paths.ts';
import { guestCfg, xlBackground } from './migrate-helpers.ts';

let a: TestHost, c: TestHost;
before(() => {
  a = new TestHost().start(['--clock', 'virtual', '--memory', '4G']);
  c = new TestHost().start(['--clock', 'virtual', '--memory', '4G']);
});
after(() => { a.stop(); c.stop(); });

test('the backup dies: Remus is torn down and the guest runs on at the primary', { timeout: 120_000 }, async () => {
  a.xlOk('create', guestCfg(a, 'ha3', { memory: 32, workload: 'cpu=20,dirty=300,net-tx=1M', extra: "vif = [ 'bridge=xenbr0' ]" }));
  a.advance('1s');
  const r = xlBackground(a, ['-v', 'remus', '-i', '300', '-s', '', 'ha3', `XENLAB_HOME=${c.home} xl migrate-receive -r`]);
  await r.waitFor(/xc: info: Saving domain \d+/);
  a.advance('1s');
  await r.waitFor(/remus checkpoint 2:/);

  process.kill(Number(readFileSync(join(c.home, 'xenlabd.pid'), 'utf8')), 'SIGKILL');
  // The receiver goes with its daemon; the next checkpoint finds the pipe broken.
  a.advance('1s');
  assert.equal(await r.exit, 1, r.stderr);
  assert.match(r.stderr, /libxl: warning: libxl_remus\.c:168:libxl__remus_teardown: Domain \d+:Remus: Domain suspend terminated with rc -3, teardown Remus devices\.\.\.\nRemus: Backup failed\? resuming domain at primary\.\nxenlab: remus summary: \d+ checkpoints/);
  assert.doesNotMatch(row(a.xlOk('list'), 'ha3').state, /[ps]/, 'running at the primary');
  const conn = await Connection.open(hostPaths(a.home).control);
  try {
    assert.deepEqual((await conn.request('remus.netbuf', { dom: 'ha3' })).vifs, [], 'the network buffers are gone');
  } finally { conn.close(); }
  // Log-dirty mode is off again: a plain save of the guest works.
  a.xlOk('save', 'ha3', join(a.home, 'ha3.save'));
});
