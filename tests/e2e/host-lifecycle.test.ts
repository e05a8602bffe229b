// Domain lifecycle through xl against a real daemon: the shipped examples and /etc/xen's
// xlexample files, xl list's real format, pause, rename, shutdown and reboot with their
// on_* actions (issue 2, acceptance 2 and the lifecycle commands).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync, existsSync, openSync, ftruncateSync, closeSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost, ROOT } from '../helpers/host.ts';
import { parseList, row } from '../helpers/xl-parse.ts';
import { until } from '../helpers/wait.ts';

let h: TestHost;
before(() => { h = new TestHost().start(['--clock', 'virtual', '--memory', '32G']); });
after(() => h.stop());

/** Wait (in real time, for another process) until the toolstack has written a shutdown request. */
const requested = (domid: string): Promise<void> =>
  until(() => h.sys('xenstore-read', [`/local/domain/${domid}/control/shutdown`]).stdout.trim() !== '', 'the shutdown request never arrived');

const cfg = (name: string, body = ''): string => h.guestConfig(name, body);

test('every file in examples/ creates and lists in the real format', () => {
  mkdirSync(join(ROOT, 'images'), { recursive: true });
  const img = join(ROOT, 'images/web.img');
  if (!existsSync(img)) { const fd = openSync(img, 'w'); ftruncateSync(fd, 2 ** 31); closeSync(fd); }
  const files = readdirSync(join(ROOT, 'examples')).filter(f => f.endsWith('.cfg'));
  assert.ok(files.length >= 3);
  for (const f of files) {
    const r = h.xl('create', join('examples', f));
    assert.equal(r.status, 0, `${f}: ${r.stderr}`);
    assert.equal(r.stderr, `Parsing config from ${join('examples', f)}\n`);
  }
  h.advance('3s');
  const out = h.xlOk('list');
  const lines = out.split('\n');
  assert.equal(lines[0], 'Name                                        ID   Mem VCPUs\tState\tTime(s)');
  for (const l of lines.slice(1).filter(Boolean)) assert.match(l, /^\S.{39} [ \d]{5} [ \d]{5} [ \d]{5}     [r-][b-][p-][s-][-rscwS?][d-]  [ \d]{5}\d\.\d$/);
  for (const name of ['demo', 'web', 'db']) assert.ok(parseList(out).some(r => r.name === name), `${name} listed`);
  for (const name of ['demo', 'web', 'db']) h.xlOk('destroy', name);
});

test("/etc/xen's xlexample files create with their disks pointed at files that exist", { skip: existsSync('/etc/xen/xlexample.pvlinux') ? false : 'xen-utils-common not installed' }, () => {
  const img = join(h.home, 'guest-volume.img');
  const fd = openSync(img, 'w'); ftruncateSync(fd, 2 ** 30); closeSync(fd);
  for (const f of readdirSync('/etc/xen').filter(x => x.startsWith('xlexample.'))) {
    const text = readFileSync(join('/etc/xen', f), 'utf8').replace(/\/dev\/[\w/.-]*guest-volume/g, img);
    const p = join(h.home, f);
    writeFileSync(p, text);
    const r = h.xl('create', p);
    assert.equal(r.status, 0, `${f}: ${r.stderr}`);
  }
  const out = h.xlOk('list');
  for (const n of ['example.hvm', 'example.pvlinux', 'example.pvhlinux']) assert.ok(parseList(out).some(r => r.name === n));
  assert.equal(row(out, 'example.pvhlinux').vcpus, 4);
  assert.equal(row(out, 'example.pvlinux').mem, 128);
  for (const n of ['example.hvm', 'example.pvlinux', 'example.pvhlinux']) h.xlOk('destroy', n);
});

test('create -p leaves the domain paused; unpause starts its boot; pause counts', () => {
  h.xlOk('create', '-p', cfg('p1', 'workload = "cpu=50"'));
  assert.equal(row(h.xlOk('list'), 'p1').state, '--p---');
  h.advance('2s');
  assert.equal(row(h.xlOk('list'), 'p1').time, 0);
  h.xlOk('unpause', 'p1');
  h.advance('4s');
  const r = row(h.xlOk('list'), 'p1');
  assert.ok(r.time > 0);
  assert.notEqual(r.state[2], 'p');
  h.xlOk('pause', 'p1');
  const t = row(h.xlOk('list'), 'p1').time;
  h.advance('2s');
  assert.equal(row(h.xlOk('list'), 'p1').time, t, 'a paused domain gets no CPU');
  assert.equal(row(h.xlOk('list'), 'p1').state[2], 'p');
  h.xlOk('destroy', 'p1');
});

test('domids increase and are never reused; rename, domid and domname agree', () => {
  h.xlOk('create', cfg('a1', ''));
  const a = Number(h.xlOk('domid', 'a1'));
  h.xlOk('destroy', 'a1');
  h.xlOk('create', cfg('a2', ''));
  const b = Number(h.xlOk('domid', 'a2'));
  assert.ok(b > a);
  h.xlOk('rename', 'a2', 'a3');
  assert.equal(h.xlOk('domname', String(b)), 'a3\n');
  assert.equal(h.sys('xenstore-read', [`/local/domain/${b}/name`]).stdout, 'a3\n');
  const dup = h.xl('create', cfg('a3', ''));
  assert.equal(dup.status, 3);
  assert.match(dup.stderr, /Domain with name "a3" already exists/);
  h.xlOk('destroy', 'a3');
});

test('shutdown -w: the guest acknowledges, powers off over simulated time, on_poweroff=destroy removes it', async () => {
  h.xlOk('create', cfg('s1', ''));
  h.advance('3s');
  const id = h.xlOk('domid', 's1').trim();
  const p = h.spawn('xl', ['shutdown', '-w', 's1']);
  let err = '';
  p.stderr!.on('data', d => err += d);
  const done = new Promise<number>(r => p.on('close', c => r(c ?? -1)));
  // The guest acknowledges at once and starts powering off: wait for that on its console log.
  const log = join(h.home, 'logs/console/guest-s1.log');
  await until(() => readFileSync(log, 'utf8').includes('Reached target Power-Off'), 'the guest never acknowledged');
  assert.ok(parseList(h.xlOk('list')).some(r => r.name === 's1'), 'still there until time passes');
  h.advance('2s');
  assert.equal(await done, 0, err);
  assert.match(err, new RegExp(`Shutting down domain ${id}`));
  assert.ok(!parseList(h.xlOk('list')).some(r => r.name === 's1'));
});

test('on_poweroff=preserve keeps the domain shut down; on_reboot=restart gives a new domid', () => {
  h.xlOk('create', cfg('keep', 'on_poweroff = "preserve"'));
  h.xlOk('create', cfg('rb', 'on_reboot = "restart"'));
  h.advance('3s');
  const old = Number(h.xlOk('domid', 'rb'));
  h.xlOk('shutdown', 'keep');
  h.xlOk('reboot', 'rb');
  h.advance('2s');
  const out = h.xlOk('list');
  assert.equal(row(out, 'keep').state, '---s--');
  const nid = row(out, 'rb').id;
  assert.ok(nid > old, `rebooted as a new domain (${old} -> ${nid})`);
  h.xlOk('destroy', 'keep');
  h.xlOk('destroy', 'rb');
});

test('a paused PV guest cannot acknowledge: shutdown fails after the 60 s timeout', async () => {
  h.xlOk('create', cfg('stuck', ''));
  h.advance('3s');
  h.xlOk('pause', 'stuck');
  const p = h.spawn('xl', ['shutdown', 'stuck']);
  let err = '';
  p.stderr!.on('data', d => err += d);
  const done = new Promise<number>(r => p.on('close', c => r(c ?? -1)));
  await requested(h.xlOk('domid', 'stuck').trim());
  h.advance('61s');
  assert.equal(await done, 1);
  assert.match(err, /guest didn't acknowledge control request: -9/);
  assert.match(err, /shutdown failed \(rc=-9\)/);
  h.xlOk('destroy', 'stuck');
});
