// The installable package (issue 14, acceptance 6): `npm pack` ships dist/, the launchers and the
// man pages; `npm install -g --prefix` of the tarball gives working tools and pages there, with no
// build step and no devDependencies. Slow (an npm install from the npm cache): about a minute.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT, TestHost } from '../helpers/host.ts';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; bin: Record<string, string>; man: string[] };
const work = mkdtempSync(join(tmpdir(), 'xlpack-'));
const prefix = join(work, 'prefix');
const h = new TestHost();
let tarball = '';

function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd = work) {
  const r = spawnSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 180_000 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/**
 * better-sqlite3's install script (prebuild-install) looks for a prebuilt binary before it would
 * download one or compile SQLite: offer it the one this checkout built, under the name of a release
 * asset, so that the install needs neither the network nor a compiler's minutes.
 */
function localPrebuild(): string {
  const dir = dirname(createRequire(join(ROOT, 'package.json')).resolve('better-sqlite3/package.json'));
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
  const out = join(work, 'prebuilds');
  mkdirSync(out);
  sh('tar', ['czf', join(out, `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`),
    '-C', dir, 'build/Release/better_sqlite3.node']);
  return out;
}

before(() => {
  // prepack builds dist/ first, as a publish would.
  tarball = join(work, sh('npm', ['pack', '--pack-destination', work], { npm_config_loglevel: 'error' }, ROOT).trim().split('\n').pop()!);
  sh('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--allow-scripts=better-sqlite3', tarball],
    { npm_config_better_sqlite3_local_prebuilds: localPrebuild(), npm_config_loglevel: 'error' });
  h.env.PATH = `${join(prefix, 'bin')}:${process.env.PATH}`;
  h.env.MANPATH = join(prefix, 'share/man');
});
after(() => {
  h.sys('xenlabd', ['stop']);
  h.stop();
  rmSync(work, { recursive: true, force: true });
});

test('the tarball holds the bundles, the launchers and a real page for every name', () => {
  const files = sh('tar', ['tzf', tarball]).split('\n');
  for (const target of new Set(Object.values(pkg.bin))) assert.ok(files.includes(`package/${target}`), target);
  for (const page of pkg.man) {
    assert.ok(files.includes(`package/${page.replace(/^\.\//, '')}`), page);
    assert.doesNotMatch(sh('tar', ['xzOf', tarball, `package/${page.replace(/^\.\//, '')}`]), /^\.so /m, page);
  }
  assert.ok(!files.some(f => f.startsWith('package/src/') || f.startsWith('package/tests/')), 'no sources');
});

test('every tool is installed in the prefix and runs from the installed package', () => {
  for (const name of Object.keys(pkg.bin)) {
    const link = join(prefix, 'bin', name);
    assert.ok(existsSync(link), name);
    assert.match(readlinkSync(link), new RegExp(`lib/node_modules/${pkg.name}/`), name);
  }
  const started = h.sys('xenlabd', ['start', '--clock', 'virtual']);
  assert.equal(started.status, 0, started.stderr);
  // The daemon that answers is the installed one.
  const pid = readFileSync(join(h.home, 'xenlabd.pid'), 'utf8');
  assert.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), new RegExp(`^${process.execPath}\\0${prefix}/lib/node_modules/${pkg.name}/dist/xenlabd\\.js\\0run\\0`));
  const list = h.sys('xl', ['list']);
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /^Name +ID +Mem VCPUs\tState\tTime\(s\)\nDomain-0 +0 /);
  assert.deepEqual(h.sys('xm', ['list']), list);
  const ls = h.sys('xenstore-ls', ['/local/domain/0']);
  assert.equal(ls.status, 0, ls.stderr);
  assert.match(ls.stdout, /^name = "Domain-0"$/m);
  assert.equal(h.sys('xentop', ['-b', '-i', '1']).status, 0);
  assert.match(h.sys('xentrace_format', ['-h']).stdout + h.sys('xentrace_format', ['-h']).stderr, /^Usage: xentrace_format/m);
  assert.equal(h.sys('xenlabd', ['clock', 'advance', '1s']).stdout, '1.000000000\n');
});

test('man finds the installed pages, and they render', () => {
  // man-db names the page its link in share/man/man1 leads to: the package's own.
  const where = h.sys('man', ['-w', 'xenstore-ls']);
  assert.equal(where.stdout, `${prefix}/lib/node_modules/${pkg.name}/dist/man/xenstore-ls.1\n`, where.stderr);
  assert.equal(readlinkSync(join(prefix, 'share/man/man1/xenstore-ls.1')), `../../../lib/node_modules/${pkg.name}/dist/man/xenstore-ls.1`);
  for (const page of ['man1/xenstore-ls.1', 'man1/xm.1', 'man8/xenlabd.8']) {
    const r = h.sys('man', ['-l', join(prefix, 'share/man', page)]);
    assert.equal(r.status, 0, `${page}: ${r.stderr}`);
    assert.match(r.stdout, /^NAME\n/m, page);
    assert.match(r.stdout, /xenlab/, page);
  }
});
