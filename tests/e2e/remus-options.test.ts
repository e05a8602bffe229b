// xl remus's options as xl 4.17 parses and checks them (main_remus, libxl_domain_remus_start):
// the COLO checks before anything starts, the unsafe flags refused without -F after the
// preamble, COLO refused by a libxl without COLO support, image-file disks refused for want of
// DRBD, -b replicating to /dev/null, and the end when the primary domain is destroyed (with
// xenlab's summary line).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { row } from '../helpers/xl-parse.ts';
import { PATH_WITH_XL, guestCfg, xlBackground } from './migrate-helpers.ts';

const REALXL = '/work/shared/tools/realxl/realxl';
const haveRealXl = existsSync(REALXL);

let h: TestHost;
before(() => {
  h = new TestHost().start(['--clock', 'virtual']);
  h.xlOk('create', guestCfg(h, 'ha2', { memory: 32, workload: 'cpu=20,dirty=200' }));
  h.advance('2s');
});
after(() => h.stop());

/** The real xl's answer where it gets that far without a hypervisor (domain 0 exists there). */
function real(args: string[]): { status: number | null; stdout: string; stderr: string } | null {
  if (!haveRealXl) return null;
  const r = spawnSync(REALXL, args, { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('the checks xl makes before anything starts, in its words and exit codes', () => {
  const p = h.run('xl', ['remus', '-p', 'ha2', 'backup']);
  assert.equal(p.status, 255);
  assert.equal(p.stderr, 'Option -p must be used in conjunction with -c');
  const rp = real(['remus', '-p', '0', 'backup']);
  if (rp) assert.deepEqual({ status: rp.status, stderr: rp.stderr }, { status: 255, stderr: p.stderr });

  const c = h.run('xl', ['remus', '-c', '-i', '100', 'ha2', 'backup']);
  assert.equal(c.status, 255);
  assert.match(c.stderr, /^option -c is conflict with -i, -d, -n or -b: /);
  const rc = real(['remus', '-c', '-i', '100', '0', 'backup']);
  if (rc) assert.equal(rc.stderr.split(': ')[0], c.stderr.split(': ')[0]);

  const u = h.run('xl', ['remus', 'ha2']);
  assert.equal(u.status, 2);
  const ru = real(['remus', '0']);
  if (ru) assert.deepEqual({ status: u.status, stdout: u.stdout, stderr: u.stderr }, ru);
});

test('an unsafe flag without -F is refused by libxl after the preamble; the guest goes on running', () => {
  const r = h.run('xl', ['remus', '-b', 'ha2', 'backup']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /libxl: error: libxl_domain\.c:448:libxl_domain_remus_start: Domain \d+:Unsafe mode must be enabled to replicate to \/dev\/null,disable network buffering and disk replication\nRemus: Backup failed\? resuming domain at primary\.\n/);
  assert.doesNotMatch(row(h.xlOk('list'), 'ha2').state, /[ps]/);
});

test('COLO: checked as xl does, then refused by a libxl built without it, at both ends', () => {
  // The real rune: `exec <ssh> <host> xl migrate-receive --colo --coloft-script <script> ...`,
  // with env standing in for ssh and this host's XENLAB_HOME for the host.
  const r = h.run('xl', ['remus', '-c', '-s', 'env', 'ha2', `XENLAB_HOME=${h.home}`], { env: { PATH: PATH_WITH_XL } });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^COLO can't be used with memory compression\. Disable memory checkpoint compression now\.\.\.: /);
  // Both ends write to the same stderr: each one's lines in its order, interleaved anyhow.
  const lines = (re: RegExp) => r.stderr.split('\n').filter(l => re.test(l));
  assert.deepEqual(lines(/COLO is not supported|Backup failed/), [
    `libxl: error: libxl_no_colo.c:42:libxl__colo_save_setup: Domain ${h.xlOk('domid', 'ha2').trim()}:COLO is not supported`,
    'COLO: Backup failed? resuming domain at primary.',
  ]);
  // The backup: a PV guest is refused before COLO's own setup is reached.
  assert.deepEqual(lines(/^migration target|COLO only/).map(l => l.replace(/Domain \d+:/, 'Domain N:')), [
    'migration target: Ready to receive domain.',
    'libxl: error: libxl_create.c:1435:domcreate_bootloader_done: Domain N:COLO only supports HVM, unable to restore domain',
    'migration target: Domain creation failed (code -3).',
  ]);
  assert.ok(!h.xlOk('list').includes('ha2--incoming'), 'nothing left of the incoming copy');
  assert.doesNotMatch(row(h.xlOk('list'), 'ha2').state, /[ps]/);
});

test('disk replication needs DRBD disks: an image-file vbd is refused unless -F -d; -F -b -d checkpoints to /dev/null until the domain is destroyed', async () => {
  const img = join(h.home, 'hd.img');
  writeFileSync(img, '');
  truncateSync(img, 16 << 20);
  h.xlOk('create', guestCfg(h, 'hd', { memory: 32, workload: 'cpu=10,dirty=200', extra: `disk = [ 'format=raw, vdev=xvda, access=rw, target=${img}' ]` }));
  h.advance('1s');
  const refused = h.run('xl', ['remus', '-F', '-b', 'hd', 'backup']);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /^libxl: error: libxl_exec\.c:117:libxl_report_child_exitstatus: \/etc\/xen\/scripts\/block-drbd-probe \S+\/hd\.img \[\d+\] exited with error status 1\n/);
  assert.match(refused.stderr, /\nlibxl: error: libxl_checkpoint_device\.c:153:device_setup_iterate: Domain 0:device not handled by checkpoint \(device=vbd:0\/51712\)\n/);
  assert.match(refused.stderr, /libxl: error: libxl_remus\.c:134:remus_setup_done: Domain \d+:Remus: failed to setup device, rc -19\nRemus: Backup failed\? resuming domain at primary\.\n/);
  assert.doesNotMatch(refused.stderr, /Saving domain/);

  const r = xlBackground(h, ['-v', 'remus', '-F', '-b', '-d', '-i', '300', 'hd', 'backup']);
  await r.waitFor(/xc: info: Saving domain \d+/);
  h.advance('1s');
  await r.waitFor(/remus checkpoint 3:/);
  assert.doesNotMatch(r.stderr, /Saving to migration stream/, 'no receiver, no preamble');
  h.xlOk('destroy', 'hd');
  h.advance('1s');
  assert.equal(await r.exit, 0, r.stderr);
  assert.match(r.stderr, /Remus: Primary domain has been destroyed\.\nxenlab: remus summary: \d+ checkpoints, \d+ bytes, \d+ bytes per checkpoint after the first, pause per checkpoint avg [\d.]+ ms, max [\d.]+ ms\n/);
});
