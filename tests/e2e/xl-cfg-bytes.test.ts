// The bytes of an xl.cfg reach xenstore, xl's output and the guest as they are (issue 12, item 8):
// real xl copies a config file's bytes, UTF-8 or not, and so must we — from the file (and xl's
// arguments) through the control socket and the daemon's database to xenstore, `xl list`,
// `xl domid`, `xl list -l` and the guest's console.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { ROOT, BIN, TestHost, haveBinary } from '../helpers/host.ts';
import { latin1, runBytes } from '../helpers/byte-args.ts';

const REALXL = join(ROOT, '../shared/tools/realxl/realxl');

let h: TestHost;
before(() => { h = new TestHost().start(['--clock', 'virtual']); });
after(() => h.stop());

/** A config file in the host's home; `body` is latin1 (one character per byte). */
function cfg(file: string, body: string): string {
  const kernel = join(h.home, 'vmlinuz');
  writeFileSync(kernel, '');
  const p = join(h.home, file);
  writeFileSync(p, latin1(`kernel = "${kernel}"\nmemory = 256\n${body}`));
  return p;
}

const xl = (...args: (string | Buffer)[]) => runBytes(process.execPath, [join(BIN, 'xl'), ...args], { env: h.env });

/** UTF-8 (é, a 4-byte character) and bytes that are not UTF-8 (é as 0xe9, 0xff, a cut sequence). */
const UTF8 = 'name = "s\xc3\xa9rvr"\nextra = "caf\xc3\xa9 \xf0\x9f\x98\x80 x"\n';
const LATIN = 'name = "s\xe9rvr"\nextra = "caf\xe9 \xff cut \xe2\x82"\n';

test('xl create -n prints the config file\'s bytes as the real xl does', async t => {
  if (!existsSync(REALXL)) { t.skip(`${REALXL} not available`); return; }
  const withoutUuid = (s: string) => s.replace(/"uuid": "[^"]*"/, '"uuid": ""');
  const cases: (string | Buffer)[][] = [
    ['create', '-n', cfg('u.cfg', UTF8)],
    ['create', '-n', cfg('l.cfg', LATIN)],
    ['create', '-n', cfg('l.cfg', LATIN), latin1('extra="\xe9t\xe9 \xc3\xa9"'), latin1('name="n\xe9"')],
  ];
  for (const args of cases) {
    const real = runBytes(REALXL, args);
    const ours = xl(...args);
    assert.equal(real.status, 0, real.stderr);
    assert.equal(withoutUuid(ours.stdout), withoutUuid(real.stdout));
    assert.equal(ours.stderr, real.stderr);
    assert.equal(ours.status, real.status);
  }
});

test('a guest\'s name and extra= keep their bytes: xenstore, xl list, domid, list -l, console, a daemon restart', async () => {
  assert.equal(xl('create', '-q', cfg('u.cfg', UTF8)).status, 0);
  assert.equal(xl('create', '-q', cfg('l.cfg', LATIN)).status, 0);
  const names = ['s\xc3\xa9rvr', 's\xe9rvr'];
  const cmdlines = ['caf\xc3\xa9 \xf0\x9f\x98\x80 x', 'caf\xe9 \xff cut \xe2\x82'];
  const xsRead = (path: string) => runBytes(haveBinary('xenstore-read') ? '/usr/bin/xenstore-read' : join(BIN, 'xenstore-read'), ['-R', path], { env: h.env });
  const check = () => {
    const list = xl('list').stdout;
    for (const [i, domid] of [1, 2].entries()) {
      assert.equal(xsRead(`/local/domain/${domid}/name`).stdout, names[i]);
      const vm = xsRead(`/local/domain/${domid}/vm`).stdout;
      assert.equal(xsRead(`${vm}/name`).stdout, names[i]);
      assert.equal(xsRead(`${vm}/image/cmdline`).stdout, cmdlines[i]);
      // printf's %-40s counts bytes
      assert.ok(list.includes(`\n${names[i].padEnd(40)} ${String(domid).padStart(5)} `), list);
      assert.deepEqual(xl('domid', latin1(names[i])), { status: 0, stdout: `${domid}\n`, stderr: '' });
      const long = xl('list', '-l', latin1(names[i])).stdout;
      assert.ok(long.includes(`"name": "${names[i]}"`), long);
      assert.ok(long.includes(`"cmdline": "${cmdlines[i]}"`), long);
    }
  };
  check();
  h.advance('5s');
  // The console carries the name's bytes (the guest's hostname, its login prompt).
  const con = h.spawn('xl', ['console', '2']);
  let seen = Buffer.alloc(0);
  await new Promise<void>(resolve => con.stdout!.on('data', (d: Buffer) => {
    seen = Buffer.concat([seen, d]);
    if (seen.includes(latin1(`${names[1]} login: `))) resolve();
  }));
  assert.ok(seen.includes(latin1(`Hostname set to <${names[1]}>.`)));
  con.stdin!.write(Buffer.of(0x1d));
  await once(con, 'exit');
  assert.ok(readFileSync(join(h.home, 'logs/console', `guest-${Buffer.from(names[0], 'latin1').toString()}.log`)).includes(latin1(`<${names[0]}>`)));
  // The database keeps them as bytes too.
  assert.equal(h.run('xenlabd', ['stop']).status, 0);
  h.start();
  check();
});

test('the save file holds the config\'s bytes, as real xl writes them, and restore brings the name back', () => {
  const file = join(h.home, 'l.save');
  assert.equal(xl('save', latin1('s\xe9rvr'), file).status, 0);
  assert.ok(readFileSync(file).includes(latin1('"name": "s\xe9rvr"')));
  assert.equal(xl('restore', file).status, 0);
  assert.match(xl('domid', latin1('s\xe9rvr')).stdout, /^\d+\n$/);
});
