// Issue 11 items 2 and 8: domain names are not paths, and a name too long for xenstore fails the
// way libxl fails it without harming the host.
// libxl accepts any name ('/' and '..' included; only uniqueness and the xenstore write limit
// matter), so such names are created and renamed to as on a real host, but the console log stays a
// single file inside logs/console. A name too long for `<dompath>/name` gets libxl's error, and the
// daemon keeps serving: nothing of the failed domain remains, in memory, xenstore or the database.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { parseList, row } from '../helpers/xl-parse.ts';

let parent: string;
let h: TestHost;
before(() => {
  // The home lives in a directory of its own, so anything written beside it can be seen.
  parent = mkdtempSync('/tmp/xln-');
  const tmp = process.env.TMPDIR;
  process.env.TMPDIR = parent;
  try { h = new TestHost().start(); } finally { if (tmp === undefined) delete process.env.TMPDIR; else process.env.TMPDIR = tmp; }
});
after(() => { h.stop(); rmSync(parent, { recursive: true, force: true }); });

/** Every file under `dir`, relative to it. */
function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter(e => e.isFile())
    .map(e => relative(dir, join(e.parentPath, e.name))).sort();
}

function cfg(file: string, name: string, extra = ''): string {
  const p = join(h.home, file);
  writeFileSync(p, `name = "${name}"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 64\n${extra}`);
  return p;
}

/** The domains listed, by id and name (CPU times and states move on). */
const domains = () => parseList(h.xlOk('list')).map(r => `${r.id} ${r.name}`);
const xsRead = (path: string) => h.sys('xenstore-read', [path]);

test('names holding ../ are accepted as libxl does, and console logs stay inside logs/console', () => {
  const issue = h.xl('create', cfg('issue.cfg', '../../x/t1'));
  assert.deepEqual([issue.status, issue.stderr], [0, `Parsing config from ${join(h.home, 'issue.cfg')}\n`]);
  // before the fix this one wrote <parent>/t1.log (logs/console/guest-x/../../../../t1.log)
  h.xlOk('create', cfg('esc.cfg', 'x/../../../../t1'));
  h.xlOk('create', cfg('plain.cfg', 'plain'));
  const renamed = h.xl('rename', 'plain', 'y/../../../../t2');
  assert.deepEqual([renamed.status, renamed.stdout, renamed.stderr], [0, '', '']);
  h.advance('5s'); // the guests boot and write to their consoles

  const list = parseList(h.xlOk('list')).slice(1);
  assert.deepEqual(list.map(r => r.name), ['../../x/t1', 'x/../../../../t1', 'y/../../../../t2']);
  assert.equal(xsRead(`/local/domain/${list[2]!.id}/name`).stdout, 'y/../../../../t2\n');
  assert.deepEqual(files(parent).filter(f => !f.startsWith(relative(parent, h.home))), []);
  const logs = files(join(h.home, 'logs'));
  assert.deepEqual(logs.filter(f => f.startsWith('console/')), [
    'console/guest-..%2F..%2Fx%2Ft1.log', 'console/guest-x%2F..%2F..%2F..%2F..%2Ft1.log', 'console/guest-y%2F..%2F..%2F..%2F..%2Ft2.log',
  ]);
  assert.match(readFileSync(join(h.home, 'logs/console/guest-x%2F..%2F..%2F..%2F..%2Ft1.log'), 'utf8'), /Linux version/);
  for (const r of list) h.xlOk('destroy', String(r.id));
});

test('a 5,000-character name: libxl\'s xenstore write error, exit 3, nothing left, the daemon keeps serving', () => {
  const listed = domains();
  const long = 'a'.repeat(5000);
  const file = cfg('long.cfg', long);
  const r = h.xl('create', file);
  const domid = Number(/Domain (\d+):Failed/.exec(r.stderr)?.[1]);
  assert.equal(r.status, 3);
  assert.equal(r.stderr, `Parsing config from ${file}\n` +
    `libxl: error: libxl_domain.c:107:libxl__domain_rename: Domain ${domid}:Failed to write new name \`${long}' for domain previously named \`(null)'\n` +
    `libxl: error: libxl_create.c:1294:initiate_domain_create: Domain ${domid}:cannot make domain: -3\n`);
  assert.deepEqual(domains(), listed);
  assert.equal(h.sys('xenstore-exists', [`/local/domain/${domid}`]).status, 1);
  assert.equal(h.sys('xenstore-exists', [`/libxl/${domid}`]).status, 1);

  // The toolstack's xenstore connection still works: another create, a rename, a destroy.
  h.xlOk('create', cfg('next.cfg', 'next'));
  h.xlOk('rename', 'next', 'next2');
  assert.equal(xsRead(`/local/domain/${row(h.xlOk('list'), 'next2').id}/name`).stdout, 'next2\n');
  h.xlOk('destroy', 'next2');

  // Nothing was persisted: the daemon restarts, listens and lists the same domains.
  assert.equal(h.run('xenlabd', ['stop']).status, 0);
  h.start();
  assert.deepEqual(domains(), listed);
  assert.deepEqual(h.sys('xenstore-list', ['/vm']).stdout, '');
});

test('rename to a name too long for xenstore fails as libxl does; the name is unchanged', () => {
  h.xlOk('create', cfg('r.cfg', 'r1'));
  const id = row(h.xlOk('list'), 'r1').id;
  const uuid = xsRead(`/local/domain/${id}/vm`).stdout.trim().slice('/vm/'.length);
  const tooLong = 'b'.repeat(5000);
  const a = h.xl('rename', 'r1', tooLong);
  assert.deepEqual([a.status, a.stderr], [1,
    `libxl: error: libxl_domain.c:107:libxl__domain_rename: Domain ${id}:Failed to write new name \`${tooLong}' for domain previously named \`r1'\n` +
    `Can't rename domain 'r1'.\n`]);
  // fits <dompath>/name but not /vm/<uuid>/name, which libxl_domain_rename writes checked
  const vmTooLong = 'c'.repeat(4060);
  const b = h.xl('rename', 'r1', vmTooLong);
  assert.deepEqual([b.status, b.stderr], [1,
    `libxl: error: libxl_xshelp.c:230:libxl__xs_write_checked: xenstore write failed: \`/vm/${uuid}/name' = \`${vmTooLong}': Argument list too long\n` +
    `Can't rename domain 'r1'.\n`]);
  assert.equal(row(h.xlOk('list'), 'r1').id, id);
  assert.equal(xsRead(`/local/domain/${id}/name`).stdout, 'r1\n');
  assert.equal(xsRead(`/vm/${uuid}/name`).stdout, 'r1\n');

  // At creation libxl does not check the /vm/<uuid>/name write: such a name is created without it.
  h.xlOk('create', cfg('vm.cfg', vmTooLong));
  const vid = row(h.xlOk('list'), vmTooLong).id;
  assert.equal(xsRead(`/local/domain/${vid}/name`).stdout, `${vmTooLong}\n`);
  const vuuid = xsRead(`/local/domain/${vid}/vm`).stdout.trim();
  assert.equal(h.sys('xenstore-exists', [`${vuuid}/name`]).status, 1);
  h.xlOk('destroy', vmTooLong);
  h.xlOk('destroy', 'r1');
});

test('rename-restart: the old domain keeps a stamped name; when that name is too long it stays as it is', () => {
  const listed = domains();
  const long = 'd'.repeat(4070); // fits <dompath>/name; with the 15-character stamp it does not
  for (const [file, name] of [['rr.cfg', 'rr'], ['rrlong.cfg', long]] as const) h.xlOk('create', cfg(file, name, 'on_reboot = "rename-restart"\n'));
  h.advance('5s');
  const booted = h.xlOk('list'), rr = row(booted, 'rr').id, rrLong = row(booted, long).id;
  h.xlOk('reboot', 'rr');
  h.xlOk('reboot', long);
  h.advance('5s');
  const now = parseList(h.xlOk('list'));
  const kept = now.find(r => r.id === rr)!;
  assert.match(kept.name, /^rr-\d{8}T\d{4}Z$/);
  assert.ok(now.some(r => r.name === 'rr' && r.id !== rr), 'a new rr was started');
  // xl's preserve_domain failed: the domain is left in place, under its name, and not restarted
  assert.deepEqual(now.filter(r => r.name === long).map(r => [r.id, r.state[3]]), [[rrLong, 's']]);
  assert.match(readFileSync(join(h.home, 'logs/xenlabd.log'), 'utf8'), /libxl__domain_rename: Domain \d+:Failed to write new name `d{4070}-\d{8}T\d{4}Z' for domain previously named `d{4070}'/);
  for (const r of now) if (r.id !== 0 && !listed.includes(`${r.id} ${r.name}`)) h.xlOk('destroy', String(r.id));
  assert.deepEqual(domains(), listed);
});
