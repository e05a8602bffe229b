// The README's example blocks, run as a new user runs them: the quick start (`npm start`), then
// every line of the ```sh blocks of "Tracing" and "Save, restore and migration", in order,
// against one host (issue 12, item 17). Only timing is adapted: the hosts run the virtual clock,
// so where a real-clock user just waits (the guest booting, `xentrace -T`, `wait`, `xl migrate`)
// the test advances the clocks, and `& sleep 1` becomes "until xentrace is attached". Paths under
// /tmp/ go to a scratch directory of the test's own.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, TestHost, haveBinary } from '../helpers/host.ts';
import { startXentrace, type Running } from '../cli/xentrace/xentrace-run.ts';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The command lines of a section's ```sh blocks (blank and comment-only lines dropped). */
function shLines(heading: string): string[] {
  const start = README.indexOf(`\n## ${heading}\n`);
  assert.ok(start >= 0, `README has no section "${heading}"`);
  const end = README.indexOf('\n## ', start + 1);
  const body = README.slice(start, end < 0 ? undefined : end);
  return [...body.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap(m => m[1]!.split('\n'))
    .filter(l => l.trim() !== '' && !l.trimStart().startsWith('#'));
}

const skip = ['/usr/bin/xenalyze', '/usr/lib/xen-4.17/bin/verify-stream-v2'].find(b => !haveBinary(b));

const h = new TestHost('readme');
const scratch = join(h.home, 'tmp');
const env = { ...h.env, PATH: `${BIN}:${process.env.PATH}` };
/** XENLAB_HOME of every host started so far (the test's, then those the README starts). */
const homes = [h.home];
const background: Running[] = [];
after(() => {
  for (const home of homes.slice(1)) spawnSync(process.execPath, [join(BIN, 'xenlabd'), 'stop'], { env: { ...env, XENLAB_HOME: home } });
  h.stop();
});

const adapt = (line: string): string => line.replaceAll('/tmp/', `${scratch}/`)
  .replace(/\bxenlabd start\b/, 'xenlabd start --clock virtual');
const sh = (line: string): ChildProcess => spawn('sh', ['-c', line], { env, cwd: ROOT });

function advanceAll(): void {
  for (const home of homes) {
    const r = spawnSync(process.execPath, [join(BIN, 'xenlabd'), 'clock', 'advance', '5s'], { env: { ...env, XENLAB_HOME: home }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }
}

/** Advance every host's clock, 5 s at a time, until these processes have exited. */
async function advanceUntilExit(runs: Running[]): Promise<{ code: number | null; stdout: string; stderr: string }[]> {
  let done = false;
  const all = Promise.all(runs.map(r => r.exited)).then(rs => { done = true; return rs; });
  while (!done) { advanceAll(); await new Promise(r => setImmediate(r)); }
  return all;
}

/** A process that does not wait on the clock, as a Running. */
function running(proc: ChildProcess): Running {
  let stdout = '', stderr = '';
  proc.stdout!.on('data', d => { stdout += d; });
  proc.stderr!.on('data', d => { stderr += d; });
  return { proc, exited: new Promise(r => proc.on('exit', code => r({ code, stdout, stderr }))) };
}

/** Runs one README line as the user would; returns its stdout. */
async function runLine(raw: string, line = adapt(raw)): Promise<string> {
  const bg = /^(.*?) & sleep \d+\s*(#.*)?$/.exec(line);
  if (bg) {
    background.push(/^xentrace\b/.test(bg[1]!) ? await startXentrace(h, [], () => sh(bg[1]!)) : running(sh(bg[1]!)));
    return '';
  }
  const wait = /^wait;\s*(.*)$/.exec(line);
  if (wait) {
    for (const r of await advanceUntilExit(background.splice(0))) assert.equal(r.code, 0, `${raw}: a background job failed: ${r.stderr}`);
    return runLine(raw, wait[1]!);
  }
  if (/^xentrace\b.* -T /.test(line) || /^xl migrate\b/.test(line)) {
    const run = /^xentrace\b/.test(line) ? await startXentrace(h, [], () => sh(line)) : running(sh(line));
    const [r] = await advanceUntilExit([run]);
    assert.equal(r!.code, 0, `${raw}\n${r!.stderr}`);
    return r!.stdout;
  }
  const r = spawnSync('sh', ['-c', line], { env, cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, `${raw}\n${r.stderr}`);
  const home = /^XENLAB_HOME=(\S+) xenlabd start\b/.exec(line);
  if (home) homes.push(home[1]!);
  return r.stdout;
}

test('README: quick start, Tracing and Save, restore and migration, followed literally in order', { skip: skip && `${skip} is not installed` }, async () => {
  h.start();
  mkdirSync(scratch);
  // `npm start` is `npm run build && node scripts/demo.mjs`; the build is done (npm test did it).
  const start = spawnSync(process.execPath, ['scripts/demo.mjs'], { env, cwd: ROOT, encoding: 'utf8' });
  assert.equal(start.status, 0, start.stderr);
  assert.match(start.stdout, /^demo +1 +512 +2 /m);
  h.advance('10s'); // what passes while a user reads on: the guest boots

  const outputs = new Map<string, string>();
  for (const line of [...shLines('Tracing'), ...shLines('Save, restore and migration')]) outputs.set(line, await runLine(line));

  const grep = [...outputs].find(([l]) => l.includes('grep domain_create'))![1];
  const demo2 = h.xlOk('domid', 'demo2').trim();
  assert.match(grep, new RegExp(`domain_create +\\[ dom = 0x${demo2.padStart(8, '0')} \\]`));
  const xenalyze = [...outputs].find(([l]) => l.startsWith('xenalyze'))![1];
  assert.match(xenalyze, /Total time: 1\d\.\d\d seconds/);
  // The guest moved: gone from this host, running on the README's second one.
  assert.notEqual(h.xl('domid', 'demo').status, 0);
  const b = spawnSync(process.execPath, [join(BIN, 'xl'), 'list', 'demo'], { env: { ...env, XENLAB_HOME: homes[1] }, encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
  assert.match(b.stdout, /^demo +\d+ +512 /m);
});
