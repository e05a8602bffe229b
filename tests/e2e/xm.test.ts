// xm for old scripts (issue 14): the commands xl kept compatible run through xl with xl's output
// and exit status; the xm commands with no xl equivalent fail with one "Error:" line and exit 1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { parseList, row } from '../helpers/xl-parse.ts';

let h: TestHost;
before(() => { h = new TestHost().start(); });
after(() => h.stop());

const xm = (...args: string[]) => h.run('xm', args);

test('xm create, list, vcpu-list, domid, uptime and info print what xl prints', () => {
  const created = xm('create', h.guestConfig('old'));
  assert.equal(created.status, 0, created.stderr);
  h.advance('3s');
  for (const args of [['list'], ['list', 'old'], ['vcpu-list', 'old'], ['domid', 'old'], ['uptime'], ['info'], ['li']]) {
    const viaXm = xm(...args);
    const viaXl = h.xl(...args);
    assert.equal(viaXm.status, 0, `xm ${args.join(' ')}: ${viaXm.stderr}`);
    assert.deepEqual(viaXm, viaXl, args.join(' '));
  }
  assert.equal(row(xm('list').stdout, 'old').state, '-b----');
});

test('xm changes domains as xl sees them: pause, unpause, mem-set, vcpu-set, rename, shutdown -R, destroy', () => {
  h.xlOk('create', h.guestConfig('ch', 'maxmem = 512\nvcpus = 1\nmaxvcpus = 2'));
  h.advance('3s');
  assert.equal(xm('pause', 'ch').status, 0);
  assert.equal(row(h.xlOk('list'), 'ch').state, '--p---');
  assert.equal(xm('unpause', 'ch').status, 0);
  assert.equal(xm('mem-set', 'ch', '384').status, 0);
  assert.equal(xm('vcpu-set', 'ch', '2').status, 0);
  h.advance('5s');
  const r = row(h.xlOk('list'), 'ch');
  assert.deepEqual([r.mem, r.vcpus, r.state], [384, 2, '-b----']);
  // xm's deprecated names still run, after xm's note.
  const balloon = xm('balloon', 'ch', '320');
  assert.deepEqual([balloon.status, balloon.stderr], [0, 'Command balloon is deprecated.  Please use xm mem-set instead.\n']);
  assert.equal(xm('rename', 'ch', 'ch2').status, 0);
  const id = row(h.xlOk('list'), 'ch2').id;
  // xm shutdown -R is a reboot: xl reboot's message, and the domain comes back under a new id.
  const reboot = xm('shutdown', '-R', 'ch2');
  assert.deepEqual([reboot.status, reboot.stderr], [0, `Rebooting domain ${id}\n`]);
  h.advance('10s');
  assert.notEqual(row(h.xlOk('list'), 'ch2').id, id);
  assert.equal(xm('destroy', 'ch2').status, 0);
  assert.ok(!parseList(h.xlOk('list')).some(d => d.name === 'ch2'));
});

test('xm block-attach takes its backend domain as the fifth word', () => {
  const img = join(h.home, 'data.img');
  writeFileSync(img, Buffer.alloc(1 << 20));
  h.xlOk('create', h.guestConfig('blk'));
  h.advance('3s');
  const r = xm('block-attach', 'blk', `file:${img}`, 'xvdb', 'w', 'Domain-0');
  assert.equal(r.status, 0, r.stderr);
  assert.match(h.xlOk('block-list', 'blk'), /^51728 +0 +/m);
  assert.deepEqual(xm('block-list', 'blk'), h.xl('block-list', 'blk'));
  h.xlOk('destroy', 'blk');
});

test('xl\'s errors come through as xl gives them', () => {
  assert.deepEqual(xm('destroy', 'nosuch'), h.xl('destroy', 'nosuch'));
  assert.deepEqual(xm('vcpu-pin'), h.xl('vcpu-pin'));
});

test('the xm commands and options xl has no equivalent for fail with one Error line, exit 1, and change nothing', () => {
  const cfg = h.guestConfig('never');
  const before = h.xlOk('list');
  for (const [args, what] of [
    [['new', cfg], 'xm new'], [['start', 'never'], 'xm start'], [['delete', 'never'], 'xm delete'],
    [['suspend', 'Domain-0'], 'xm suspend'],
    [['list', '--long'], 'xm list --long'], [['list', '-l', 'Domain-0'], 'xm list --long'], [['list', '--state=running'], 'xm list --state'],
    [['block-list', '0', '--long'], 'xm block-list --long'], [['sched-sedf', '0'], 'xm sched-sedf'],
    [['migrate', '-p', '8002', 'Domain-0', 'elsewhere'], 'xm migrate --port'], [['tmem-list'], 'xm tmem-list'],
  ] as const) {
    const r = xm(...args);
    assert.equal(r.status, 1, args.join(' '));
    assert.equal(r.stdout, '', args.join(' '));
    assert.match(r.stderr, new RegExp(`^Error: ${what} has no xl equivalent: [^\\n]+\\.\\n$`), args.join(' '));
  }
  assert.equal(h.xlOk('list'), before);
});

test('xm help lists every command and what it runs as; bad usage says so', () => {
  const help = xm('help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: xm <subcommand> \[args\]/);
  assert.match(help.stdout, /^ list +xl list$/m);
  assert.match(help.stdout, /^ pci-list-assignable-devices +xl pci-assignable-list$/m);
  assert.match(help.stdout, /^ new +no xl equivalent$/m);
  const bare = xm();
  assert.deepEqual([bare.status, bare.stdout], [1, help.stdout]);
  const unknown = xm('frobnicate');
  assert.deepEqual([unknown.status, unknown.stderr], [1, 'Error: Subcommand frobnicate not found!\n']);
});
