// A relative disk path in a domain's config resolves where xl runs, as libxl (which runs inside
// xl) resolves it against its process's directory: for xl create, for xl restore of a saved
// config from another directory, for xl migrate-receive, and for the domain on_reboot restarts
// (issue 12, item 6). The daemon's own directory never enters into it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { parseList } from '../helpers/xl-parse.ts';
import { xlBackground } from './migrate-helpers.ts';

let a: TestHost, b: TestHost;
before(() => {
  a = new TestHost().start(['--clock', 'virtual', '--memory', '8G']);
  b = new TestHost().start(['--clock', 'virtual', '--memory', '8G']);
});
after(() => { a.stop(); b.stop(); });

/** A directory holding its own disk.img (and, for the first, the config naming it relatively). */
function diskDir(h: TestHost, name: string): string {
  const dir = join(h.home, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'disk.img'), '');
  truncateSync(join(dir, 'disk.img'), 16 << 20);
  return dir;
}

const domid = (h: TestHost, name: string): number => parseList(h.xlOk('list')).find(r => r.name === name)!.id;

/** What the toolstack gave blkback for the domain's xvda, and the backend's state. */
function vbd(h: TestHost, name: string): { params: string; state: string } {
  const be = `/local/domain/0/backend/vbd/${domid(h, name)}/51712`;
  const read = (k: string) => h.sys('xenstore-read', [`${be}/${k}`]).stdout.trim();
  return { params: read('params'), state: read('state') };
}

test('xl create, restore, reboot and migrate-receive resolve a relative target where xl runs', async () => {
  const created = diskDir(a, 'created'), restored = diskDir(a, 'restored'), received = diskDir(b, 'received');
  writeFileSync(join(created, 'rel.cfg'), 'name = "rel"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 64\n' +
    "on_reboot = 'restart'\ndisk = [ 'format=raw, vdev=xvda, access=rw, target=disk.img' ]\n");
  const create = a.run('xl', ['create', 'rel.cfg'], { cwd: created });
  assert.equal(create.status, 0, create.stderr);
  a.advance('2s');
  assert.deepEqual(vbd(a, 'rel'), { params: join(created, 'disk.img'), state: '4' });

  // The saved config keeps the path as written: the restoring xl's directory gives it meaning.
  const save = join(a.home, 'rel.save');
  a.xlOk('save', 'rel', save);
  const restore = a.run('xl', ['restore', save], { cwd: restored });
  assert.equal(restore.status, 0, restore.stderr);
  a.advance('1s');
  assert.deepEqual(vbd(a, 'rel'), { params: join(restored, 'disk.img'), state: '4' });

  // on_reboot=restart builds the domain again with the disk it had.
  const before = domid(a, 'rel');
  a.xlOk('reboot', 'rel');
  a.advance('10s');
  assert.notEqual(domid(a, 'rel'), before, 'restarted as a new domain');
  assert.deepEqual(vbd(a, 'rel'), { params: join(restored, 'disk.img'), state: '4' });

  // The receiving xl runs in its own directory on the other host.
  const m = xlBackground(a, ['migrate', '-s', '', 'rel', `cd ${received} && XENLAB_HOME=${b.home} xl migrate-receive`]);
  await m.waitFor(/xc: info: Saving domain \d+/);
  a.advance('60s');
  assert.equal(await m.exit, 0, m.stderr);
  b.advance('1s');
  assert.deepEqual(vbd(b, 'rel'), { params: join(received, 'disk.img'), state: '4' });
});
