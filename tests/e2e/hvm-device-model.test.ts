// An HVM guest's firmware must suit its device model, as libxl 4.17 checks in
// libxl__domain_build_info_setdefault (issue 12): qemu-xen, the default, refuses bios="rombios";
// qemu-xen-traditional requires it. Debian's 4.17 has no qemu-xen-traditional, so a guest that
// asks for it fails where libxl spawns qemu-dm. A dry run (`xl -N create`) accepts all of these,
// as the real xl does: the checks belong to the create.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT, TestHost } from '../helpers/host.ts';
import { parseList } from '../helpers/xl-parse.ts';

const REALXL = join(ROOT, '../shared/tools/realxl/realxl');
const SETDEFAULT = 'libxl: error: libxl_create.c:1239:libxl__domain_config_setdefault: Unable to set domain build info defaults\n';

let h: TestHost;
before(() => { h = new TestHost().start(); });
after(() => h.stop());

const hvm = (name: string, body: string) => h.guestConfig(name, `type = "hvm"\n${body}`);

test('bios="rombios" with the default qemu-xen is refused before any domain is made (exit 6)', () => {
  const cfg = hvm('rom', 'bios = "rombios"');
  const r = h.xl('create', cfg);
  assert.equal(r.status, 6);
  assert.equal(r.stderr, `Parsing config from ${cfg}\n` +
    'libxl: error: libxl_create.c:159:libxl__domain_build_info_setdefault: qemu-xen does not support bios=rombios.\n' + SETDEFAULT);
  const seabiosTrad = hvm('sea', 'bios = "seabios"\ndevice_model_version = "qemu-xen-traditional"');
  const t = h.xl('create', seabiosTrad);
  assert.equal(t.status, 6);
  assert.equal(t.stderr, `Parsing config from ${seabiosTrad}\n` +
    'libxl: error: libxl_create.c:153:libxl__domain_build_info_setdefault: qemu-xen-traditional requires bios=rombios.\n' + SETDEFAULT);
  assert.deepEqual(parseList(h.xlOk('list')).map(d => d.name), ['Domain-0']);
});

test('a create refused by libxl__domain_config_setdefault takes no domid: the next domain gets the one it would have had', () => {
  assert.equal(h.xl('create', hvm('rom2', 'bios = "rombios"')).status, 6);
  const pool = h.xl('create', h.guestConfig('nopool', 'pool = "nosuch"'));
  assert.equal(pool.status, 6);
  assert.match(pool.stderr, /Illegal pool specified: nosuch\n$/);
  h.xlOk('create', h.guestConfig('first'));
  assert.equal(h.xlOk('domid', 'first').trim(), '1', 'no domid was used by the refused creates');
  h.xlOk('destroy', 'first');
});

test('qemu-xen-traditional (ROMBIOS, its default) fails where libxl spawns qemu-dm, which Debian does not ship (exit 3)', () => {
  const cfg = hvm('trad', 'device_model_version = "qemu-xen-traditional"');
  const r = h.xl('create', cfg);
  assert.equal(r.status, 3);
  const m = /Domain (\d+):device model \/usr\/lib\/xen-4\.17\/bin\/qemu-dm/.exec(r.stderr);
  assert.ok(m, r.stderr);
  const d = m[1];
  assert.equal(r.stderr, `Parsing config from ${cfg}\n` +
    `libxl: error: libxl_dm.c:2909:libxl__spawn_local_dm: Domain ${d}:device model /usr/lib/xen-4.17/bin/qemu-dm is not executable: No such file or directory\n` +
    `libxl: error: libxl_dm.c:3158:device_model_spawn_outcome: Domain ${d}:(null): spawn failed (rc=-3)\n` +
    `libxl: error: libxl_create.c:1894:domcreate_devmodel_started: Domain ${d}:device model did not start: -3\n`);
  assert.deepEqual(parseList(h.xlOk('list')).map(x => x.name), ['Domain-0'], 'the half-built domain is gone');
});

test('SeaBIOS and OVMF with qemu-xen still boot', () => {
  h.xlOk('create', hvm('sea2', 'bios = "seabios"'));
  h.xlOk('create', hvm('efi', 'bios = "ovmf"'));
  assert.deepEqual(parseList(h.xlOk('list')).map(x => x.name), ['Domain-0', 'sea2', 'efi']);
});

test('xl -N create accepts bios="rombios" and prints it, as the real xl does', { skip: !existsSync(REALXL) && `${REALXL} not available` }, () => {
  const cfg = hvm('dry', 'bios = "rombios"');
  const norm = (s: string) => s.replace(/"uuid": "[^"]*"/, '"uuid": ""');
  const real = spawnSync(REALXL, ['-N', 'create', cfg], { encoding: 'utf8' });
  const ours = h.xl('-N', 'create', cfg);
  assert.equal(ours.status, 0, ours.stderr);
  assert.deepEqual({ status: ours.status, stdout: norm(ours.stdout), stderr: ours.stderr }, { status: real.status, stdout: norm(real.stdout), stderr: real.stderr });
});
