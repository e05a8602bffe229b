// xl create's parse and dry-run paths against the real xl: fixtures/create holds configs, the
// argument vectors and what the real binary printed for them (recorded by fixtures/gen-create.sh
// with the realxl oracle). A dry run never reaches the daemon.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runXl } from './harness.ts';

const dir = fileURLToPath(new URL('fixtures/create/', import.meta.url));
const cases = readdirSync(dir).filter(f => f.endsWith('.args')).map(f => f.replace(/\.args$/, '')).sort();

test('dry runs (create -n, -N create, -N block-attach, -N network-attach) print what the real xl prints', async () => {
  assert.ok(cases.length >= 10);
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    for (const c of cases) {
      const argv = readFileSync(`${c}.args`, 'utf8').split('\0').slice(0, -1);
      const r = await runXl(argv);
      const what = `${c}: xl ${argv.join(' ')}`;
      assert.equal(r.stdout, readFileSync(`${c}.stdout`, 'utf8'), what);
      assert.equal(r.stderr, readFileSync(`${c}.stderr`, 'utf8'), what);
      assert.equal(r.status, Number(readFileSync(`${c}.status`, 'utf8')), what);
      assert.deepEqual(r.requests, [], what);
    }
  } finally { process.chdir(cwd); }
});

test('create sends the parsed config, the workload extension and the config text to the daemon', async () => {
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const host = { nrCpus: 8, nrNodes: 1, cpuTopology: Array.from({ length: 8 }, (_, i) => ({ core: i, socket: 0, node: 0 })) };
    const r = await runXl(['create', '-p', 'workload.cfg', 'memory=256'], {
      'host.info': () => host, 'domain.create': () => ({ domid: 7, name: 'w' }),
    });
    assert.equal(r.status, 0);
    assert.equal(r.stderr, 'Parsing config from workload.cfg\n');
    assert.equal(r.stdout, '');
    const req = r.requests.find(q => q.type === 'domain.create')!.args;
    assert.equal(req.workload, 'cpu=70');
    assert.equal(req.paused, true);
    assert.equal(req.config.b_info.max_memkb, 262144);
    assert.equal(req.config.c_info.name, 'w');
    assert.ok(req.configText.endsWith('\nmemory=256\n'));
    assert.ok(req.configFile.endsWith('/fixtures/create/workload.cfg'));
  } finally { process.chdir(cwd); }
});

test('create -d prints the JSON on stderr and still creates; failures from the daemon keep their exit code', async () => {
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const host = { nrCpus: 8, nrNodes: 1, cpuTopology: Array.from({ length: 8 }, (_, i) => ({ core: i, socket: 0, node: 0 })) };
    const d = await runXl(['create', '-d', 'pvlinux.cfg'], { 'host.info': () => host, 'domain.create': () => ({ domid: 2, name: 'example.pvlinux' }) });
    assert.equal(d.status, 0);
    assert.equal(d.stderr, 'Parsing config from pvlinux.cfg\n' + readFileSync('case1.stdout', 'utf8'));
    const { ToolError } = await import('./harness.ts');
    const dup = await runXl(['create', '-q', 'pvlinux.cfg'], {
      'host.info': () => host, 'domain.create': () => { throw new ToolError('EEXIST', 'libxl: error: dup', 3); },
    });
    assert.deepEqual([dup.status, dup.stderr], [3, 'libxl: error: dup\n']);
  } finally { process.chdir(cwd); }
});
