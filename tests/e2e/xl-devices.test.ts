// Device hot-plug through xl against a real daemon: list, attach, detach, and -N dry runs that
// print the device and change nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';

let h: TestHost;
before(() => { h = new TestHost().start(['--clock', 'virtual']); });
after(() => h.stop());

function image(name: string): string {
  const p = join(h.home, name);
  const fd = openSync(p, 'w'); ftruncateSync(fd, 64 << 20); closeSync(fd);
  return p;
}

test('network-list and block-list show the configured devices; attach and detach change them', () => {
  const disk = image('d.img');
  const cfg = join(h.home, 'dev.cfg');
  writeFileSync(cfg, `name = "dev"\nkernel = "/boot/vmlinuz"\nmemory = 128\nvif = [ 'mac=00:16:3e:00:00:01,bridge=xenbr0' ]\ndisk = [ '${disk},raw,xvda,rw' ]\n`);
  h.xlOk('create', '-q', cfg);
  h.advance('5s');
  const nets = h.xlOk('network-list', 'dev').split('\n');
  assert.equal(nets[0], 'Idx BE Mac Addr.         handle state evt-ch   tx-/rx-ring-ref BE-path                       ');
  assert.match(nets[1], /^0   0  00:16:3e:00:00:01     0     4 /);
  assert.match(nets[1], /\/local\/domain\/0\/backend\/vif\/\d+\/0$/);
  const blocks = h.xlOk('block-list', 'dev').split('\n');
  assert.equal(blocks[0], 'Vdev  BE  handle state evt-ch ring-ref BE-path                       ');
  assert.match(blocks[1], /^51712 0   \d+ +4 /);

  const before = h.xlOk('block-list', 'dev');
  const dry = h.xl('-N', 'block-attach', 'dev', `${image('e.img')},raw,xvdb,r`);
  assert.equal(dry.status, 0);
  assert.match(dry.stdout, /^disk: \{\n/);
  assert.equal(h.xlOk('block-list', 'dev'), before);

  h.xlOk('block-attach', 'dev', `${join(h.home, 'e.img')},raw,xvdb,r`);
  h.xlOk('network-attach', 'dev', 'bridge=xenbr0');
  h.advance('1s');
  assert.match(h.xlOk('block-list', 'dev'), /\n51728 /);
  assert.equal(h.xlOk('network-list', 'dev').trimEnd().split('\n').length, 3);
  h.xlOk('block-detach', 'dev', 'xvdb');
  h.xlOk('network-detach', 'dev', '1');
  h.advance('1s');
  assert.doesNotMatch(h.xlOk('block-list', 'dev'), /\n51728 /);
  assert.equal(h.xlOk('network-list', 'dev').trimEnd().split('\n').length, 2);

  const gone = h.xl('block-detach', 'dev', 'xvdz');
  assert.deepEqual([gone.status, gone.stderr], [1, 'Error: Device xvdz not connected.\n']);
  const bad = h.xl('network-attach', 'dev', 'foo=bar');
  assert.equal(bad.status, 1);
});
