// Migration faults (issue 6, acceptance 4): the receiver killed part-way through the stream, a
// target without enough memory, a target reporting a failed start. Each ends with xl's real
// messages; the guest keeps running on the source with its memory intact and nothing of it is
// left on the target. The source copy is destroyed only after the target reports success.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost, ROOT } from '../helpers/host.ts';
import { parseList, row } from '../helpers/xl-parse.ts';
import { guestCfg, xenPages, xlBackground } from './migrate-helpers.ts';

let a: TestHost, b: TestHost, small: TestHost;
before(() => {
  a = new TestHost().start(['--clock', 'virtual', '--memory', '8G']);
  b = new TestHost().start(['--clock', 'virtual', '--memory', '8G']);
  small = new TestHost().start(['--clock', 'virtual', '--memory', '512M', '--dom0-mem', '128M']);
});
after(() => { a.stop(); b.stop(); small.stop(); });

const names = (h: TestHost) => parseList(h.xlOk('list')).map(r => r.name);

/** A transport that passes the stream to the receiver and SIGKILLs it after `limit` bytes. */
function killerScript(): string {
  const p = join(a.home, 'kill-after.mjs');
  writeFileSync(p, `
import { spawn } from 'node:child_process';
const limit = Number(process.argv[2]);
const rx = spawn('sh', ['-c', 'exec ' + process.argv[3]], { stdio: ['pipe', 'inherit', 'inherit'] });
let seen = 0;
rx.stdin.on('error', () => {});
process.stdin.on('data', d => {
  if (seen + d.length >= limit) { rx.stdin.write(d.subarray(0, limit - seen)); rx.kill('SIGKILL'); process.exit(1); }
  seen += d.length;
  if (!rx.stdin.write(d)) { process.stdin.pause(); rx.stdin.once('drain', () => process.stdin.resume()); }
});
`);
  return p;
}

let streamBytes = 0;
test('measure the stream of the guest to move (a save file of it)', () => {
  a.xlOk('create', guestCfg(a, 'vm', { memory: 64 }));
  a.advance('5s');
  const file = join(a.home, 'vm.save');
  a.xlOk('save', '-c', 'vm', file);
  streamBytes = statSync(file).size;
  assert.ok(streamBytes > 64 << 20);
});

for (const pct of [10, 50, 99]) {
  test(`receiver killed at ${pct}% of the stream: the guest keeps running on the source, nothing on the target`, async () => {
    const before = xenPages(a, 'vm');
    const limit = Math.floor((streamBytes * pct) / 100);
    const rune = `exec ${process.execPath} ${killerScript()} ${limit} 'env XENLAB_HOME=${b.home} xl migrate-receive'`;
    const m = xlBackground(a, ['migrate', '-s', '', 'vm', rune]);
    await m.waitFor(/xc: info: Saving domain \d+/);
    a.advance('5s');
    assert.equal(await m.exit, 1, m.stderr);
    assert.match(m.stderr, /Migration failed, resuming at sender\.\n$/);
    assert.match(m.stderr, /migration transport process \[\d+\] exited with error status 1\n/);
    assert.doesNotMatch(m.stderr, /Migration successful/);
    const r = row(a.xlOk('list'), 'vm');
    assert.doesNotMatch(r.state, /[ps]/, 'running again on the source');
    assert.deepEqual(xenPages(a, 'vm'), before, 'memory intact');
    assert.deepEqual(names(b), ['Domain-0'], 'nothing left on the target');
  });
}

test('a target without enough memory refuses the guest; it stays on the source', async () => {
  a.xlOk('create', guestCfg(a, 'big', { memory: 512 }));
  a.advance('5s');
  const before = xenPages(a, 'big');
  const m = xlBackground(a, ['migrate', '-s', '', 'big', `XENLAB_HOME=${small.home} xl migrate-receive`]);
  await m.waitFor(/Saving to migration stream/);
  await m.waitFor(/migration target: Domain creation failed \(code -3\)\.\n/);
  a.advance('10s');
  assert.equal(await m.exit, 1, m.stderr);
  assert.match(m.stderr, /can't allocate low memory for domain: Out of memory/);
  assert.match(m.stderr, /Migration failed, resuming at sender\.\n$/);
  assert.doesNotMatch(row(a.xlOk('list'), 'big').state, /[ps]/);
  assert.deepEqual(xenPages(a, 'big'), before);
  assert.deepEqual(names(small), ['Domain-0']);
  a.xlOk('destroy', 'big');
});

test('the source is renamed --migratedaway before "go" and resumes under its name when the target fails to start', async () => {
  // A receiver that speaks the protocol, records the source's domain list after "go", then reports failure.
  const seen = join(a.home, 'list-after-go.txt');
  const p = join(a.home, 'fail-start.mjs');
  writeFileSync(p, `
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { StreamReader } from '${join(ROOT, 'src/formats/save-stream/index.ts')}';
const GO = 'domain is yours, you are cleared to unpause\\0';
process.stdout.write('xl migration receiver ready, send binary domain data.\\n');
const r = new StreamReader({ pageFragments: true, reuseBuffers: true });
let after = '';
process.stdin.on('data', d => {
  if (!r.done) { r.feed(d); r.records(); if (r.done) { after = r.remainder().toString('latin1'); process.stdout.write('domain received, ready to unpause\\0'); } }
  else after += d.toString('latin1');
  if (after.length >= GO.length) {
    writeFileSync('${seen}', spawnSync('${join(ROOT, 'bin/xl')}', ['list'], { env: { ...process.env, XENLAB_HOME: '${a.home}' }, encoding: 'utf8' }).stdout);
    process.stdout.write(Buffer.concat([Buffer.from('my copy unpause results are as follows\\0'), Buffer.from([3]), Buffer.from(GO, 'latin1')]));
    process.stdin.destroy();
  }
});
`);
  const m = xlBackground(a, ['migrate', '-s', '', 'vm', `exec ${process.execPath} --import tsx ${p}`]);
  await m.waitFor(/xc: info: Saving domain \d+/);
  a.advance('5s');
  assert.equal(await m.exit, 1, m.stderr);
  assert.ok(names(a).includes('vm'));
  assert.match(readFileSync(seen, 'utf8'), /^vm--migratedaway\s/m);
  assert.match(m.stderr, /migration sender: Giving target permission to start\.\nmigration sender: Target reports startup failure \(status code 3\)\.\nmigration sender: Trying to resume at our end\.\nmigration sender: Resumed OK\.\nMigration failed due to problems at target\.\n$/);
  assert.doesNotMatch(row(a.xlOk('list'), 'vm').state, /[ps]/);
  a.xlOk('destroy', 'vm');
});
