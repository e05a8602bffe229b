// CPU pools (issue 15, acceptance 1): a host split into Pool-0 and a second pool with xl's
// cpupool commands, guests created into a pool with pool=, a running guest moved with
// cpupool-migrate (its CPU time keeps growing, on the new pool's pCPUs), each refusal with the
// real texts and exit codes, and the pools surviving a daemon restart, kill -9 included.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { advanceIn, xlIn, xlInOk } from '../helpers/xl-in-process.ts';

const h = new TestHost().start(['--clock', 'virtual', '--cpus', '8']);
after(() => h.stop());

/** vCPU rows of xl vcpu-list: the pCPU and CPU time of each. */
async function vcpus(dom: string): Promise<{ cpu: number; time: number }[]> {
  return (await xlInOk(h, 'vcpu-list', dom)).trim().split('\n').slice(1).map(l => {
    const f = l.trim().split(/\s+/);
    return { cpu: Number(f[3]), time: Number(f[5]) };
  });
}
const cpuTime = async (dom: string) => (await vcpus(dom)).reduce((s, v) => s + v.time, 0);

async function expectFail(args: string[], status: number, stderr: string): Promise<void> {
  const r = await xlIn(h, ...args);
  assert.deepEqual([r.status, r.stderr], [status, stderr], `xl ${args.join(' ')}`);
}

test('cpupool-create from a file and from KEY=VALUE arguments, shown by cpupool-list', async () => {
  const r = await xlIn(h, 'cpupool-cpu-remove', 'Pool-0', '4-7');
  assert.deepEqual([r.status, r.stdout, r.stderr], [0, '', '']);
  assert.match(await xlInOk(h, 'info'), /^free_cpus\s+: 4$/m);
  const file = join(h.home, 'batch.cfg');
  writeFileSync(file, 'sched = "credit2"\ncpus = ["4", "5"]\n');
  assert.equal(await xlInOk(h, 'cpupool-create', file),
    `Using config file "${file}"\ncpupool name:   batch.cfg\nscheduler:      credit2\nnumber of cpus: 2\n`);
  assert.equal(await xlInOk(h, 'cpupool-rename', 'batch.cfg', 'batch'), '');
  assert.equal(await xlInOk(h, 'cpupool-create', 'name="spare"', 'cpus="6-7"'),
    'Using config file "command line"\ncpupool name:   spare\nscheduler:      credit2\nnumber of cpus: 2\n');
  assert.equal(await xlInOk(h, '-N', 'cpupool-create', 'name="dry"'),
    'Using config file "command line"\ncpupool name:   dry\nscheduler:      credit2\nnumber of cpus: 0\n');
  assert.equal(await xlInOk(h, 'cpupool-list'),
    'Name               CPUs   Sched     Active   Domain count\n' +
    'Pool-0               4   credit2       y          1\n' +
    'batch                2   credit2       y          0\n' +
    'spare                2   credit2       y          0\n');
  assert.equal(await xlInOk(h, 'cpupool-list', '-c'), 'Name               CPU list\nPool-0             0,1,2,3\nbatch              4,5\nspare              6,7\n');
  assert.equal(await xlInOk(h, 'cpupool-list', '-c', 'batch'), 'Name               CPU list\nbatch              4,5\n');
  assert.match(h.sys('xenstore-read', ['/local/pool/1/name']).stdout, /^batch$/m);
});

test('a guest created with pool= runs on its pool\'s pCPUs only', async () => {
  await xlInOk(h, 'create', h.guestConfig('web', 'vcpus = 2\npool = "batch"\nworkload = "cpu=100"'));
  await advanceIn(h, '5s');
  for (const v of await vcpus('web')) assert.ok([4, 5].includes(v.cpu), `web's vCPU on pCPU ${v.cpu}`);
  assert.match(await xlInOk(h, 'list', '-c'), /^web\s+\d+\s+256\s+2\s+\S+\s+[\d.]+\s+batch$/m);
  assert.match(await xlInOk(h, 'cpupool-list', 'batch'), /^batch\s+2\s+credit2\s+y\s+1$/m);
});

test('cpupool-migrate moves a running guest: its CPU time keeps growing on the new pool\'s pCPUs', async () => {
  await xlInOk(h, 'sched-credit2', '-d', 'web', '-w', '512');
  const before = await cpuTime('web');
  assert.equal(await xlInOk(h, 'cpupool-migrate', 'web', 'spare'), '');
  assert.ok(Math.abs(await cpuTime('web') - before) < 0.2, 'the CPU time moves with the guest');
  // sched_move_domain gives the domain the new pool's defaults.
  assert.match(await xlInOk(h, 'sched-credit2', '-d', 'web'), /^web\s+\d+\s+256\s+0$/m);
  await advanceIn(h, '2s');
  const rows = await vcpus('web');
  for (const v of rows) assert.ok([6, 7].includes(v.cpu), `web's vCPU on pCPU ${v.cpu}`);
  const gained = await cpuTime('web') - before;
  assert.ok(Math.abs(gained - 4) < 0.3, `web gained ${gained}s in 2s on two pCPUs`);
  assert.match(await xlInOk(h, 'list', '-c'), /^web\s.*\sspare$/m);
  assert.equal(await xlInOk(h, 'cpupool-list'),
    'Name               CPUs   Sched     Active   Domain count\n' +
    'Pool-0               4   credit2       y          1\n' +
    'batch                2   credit2       y          0\n' +
    'spare                2   credit2       y          1\n');
});

test('the refusals, in xl\'s and libxl\'s words with their exit codes', async () => {
  await expectFail(['cpupool-create', 'name="spare"'], 1, 'Pool name "spare" already exists\n');
  await expectFail(['cpupool-create', 'name="x"', 'sched="bfs"'], 1, 'Unknown scheduler\n');
  await expectFail(['cpupool-create', 'name="x"', 'cpus="3"'], 1, 'cpu 3 illegal or not free\n');
  await expectFail(['cpupool-create', 'name="x"', 'nodes=["0"]'], 1, 'no free cpu found\n');
  await expectFail(['cpupool-create', 'cpus="3"'], 1, 'Missing cpupool name!\n');
  await expectFail(['cpupool-create', 'name="x"', 'sched="arinc653"'], 1,
    'libxl: error: libxl_cpupool.c:157:libxl_cpupool_create: Could not create cpupool\nerror on creating cpupool\n');
  // A pCPU in use by another pool: reported, and xl still exits 0.
  await expectFail(['cpupool-cpu-add', 'batch', '6'], 0,
    'libxl: error: libxl_cpupool.c:302:libxl_cpupool_cpuadd: Error moving cpu 6 to cpupool: No such device\nsome cpus may not have been added to batch\n');
  const removeFailed = (cpu: number, pool: string, why: string) =>
    `libxl: error: libxl_cpupool.c:365:libxl_cpupool_cpuremove: Error removing cpu ${cpu} from cpupool: ${why}\n` +
    `Some cpus may have not or only partially been removed from '${pool}'.\nIf a cpu can't be added to another cpupool, add it to '${pool}' again and retry.\n`;
  // The last pCPU of Pool-0 (pCPU 0 never leaves it) and of a pool with a domain.
  await xlInOk(h, 'cpupool-cpu-remove', 'Pool-0', '1-3');
  await expectFail(['cpupool-cpu-remove', 'Pool-0', '0'], 0, removeFailed(0, 'Pool-0', 'Invalid argument'));
  await xlInOk(h, 'cpupool-cpu-remove', 'spare', '7');
  await expectFail(['cpupool-cpu-remove', 'spare', '6'], 0, removeFailed(6, 'spare', 'Device or resource busy'));
  await expectFail(['cpupool-cpu-remove', 'spare', '5'], 0, removeFailed(5, 'spare', 'Cannot assign requested address'));
  assert.equal(await xlInOk(h, 'cpupool-list', '-c'), 'Name               CPU list\nPool-0             0\nbatch              4,5\nspare              6\n');
  await xlInOk(h, 'cpupool-cpu-add', 'Pool-0', '1-3');
  await xlInOk(h, 'cpupool-cpu-add', 'spare', '7');
  // A pool with domains is not destroyed.
  await expectFail(['cpupool-destroy', 'spare'], 1, "Can't destroy cpupool 'spare'\n");
  await expectFail(['cpupool-destroy', 'nosuch'], 1, "unknown cpupool 'nosuch'\n");
  await expectFail(['cpupool-migrate', 'nosuch', 'batch'], 1, "unknown domain 'nosuch'\n");
  await expectFail(['cpupool-migrate', 'web', 'nosuch'], 1, "unknown cpupool 'nosuch'\n");
  await expectFail(['cpupool-migrate', '0', 'batch'], 1, 'libxl: error: libxl_cpupool.c:437:libxl_cpupool_movedomain: Error moving domain to cpupool\n');
  await expectFail(['cpupool-numa-split'], 1, 'splitting not possible, already cpupools in use\n');
  // A pool that does not exist, or has no pCPUs, takes no domain.
  const lost = h.guestConfig('lost', 'pool = "nosuch"');
  await expectFail(['create', lost], 6, `Parsing config from ${lost}\nlibxl: error: libxl_create.c:1132:libxl__domain_config_setdefault: Illegal pool specified: nosuch\n`);
  await xlInOk(h, 'cpupool-create', 'name="empty"');
  const stray = h.guestConfig('stray', 'pool = "empty"');
  await expectFail(['create', stray], 3, `Parsing config from ${stray}\n` +
    'libxl: error: libxl_create.c:709:libxl__domain_make: domain creation fail: No such device\nlibxl: error: libxl_create.c:1294:initiate_domain_create: cannot make domain: -3\n');
  const webId = (await xlInOk(h, 'domid', 'web')).trim();
  await expectFail(['cpupool-migrate', 'web', 'empty'], 1, `libxl: error: libxl_cpupool.c:437:libxl_cpupool_movedomain: Domain ${webId}:Error moving domain to cpupool\n`);
  assert.equal(await xlInOk(h, 'cpupool-destroy', 'empty'), '');
  assert.doesNotMatch(await xlInOk(h, 'list'), /lost|stray/);
});

test('pools and their domains survive a daemon restart and a kill -9', async () => {
  const list = await xlInOk(h, 'cpupool-list', '-c');
  h.run('xenlabd', ['stop']);
  h.start();
  assert.equal(await xlInOk(h, 'cpupool-list', '-c'), list);
  assert.match(await xlInOk(h, 'list', '-c'), /^web\s.*\sspare$/m);
  // A change made just before a crash is there after it.
  await xlInOk(h, 'cpupool-rename', 'batch', 'nightly');
  const pid = Number(readFileSync(join(h.home, 'xenlabd.pid'), 'utf8'));
  process.kill(pid, 'SIGKILL');
  const dead = () => { try { return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] === 'Z'; } catch { return true; } };
  for (const end = Date.now() + 10_000; !dead();) if (Date.now() > end) throw new Error(`xenlabd ${pid} survived SIGKILL`);
  h.start();
  assert.equal(await xlInOk(h, 'cpupool-list', '-c'), list.replace('batch  ', 'nightly'));
  const before = await cpuTime('web');
  await advanceIn(h, '1s');
  for (const v of await vcpus('web')) assert.ok([6, 7].includes(v.cpu), `web's vCPU on pCPU ${v.cpu} after the restart`);
  assert.ok(await cpuTime('web') - before > 1.5, 'web still runs in its pool');
  // Emptied, a pool goes; its pCPUs are free again.
  await xlInOk(h, 'cpupool-migrate', 'web', 'Pool-0');
  await xlInOk(h, 'cpupool-cpu-remove', 'nightly', '4,5');
  assert.equal(await xlInOk(h, 'cpupool-destroy', 'nightly'), '');
  assert.equal(await xlInOk(h, 'cpupool-list', '-c'), 'Name               CPU list\nPool-0             0,1,2,3\nspare              6,7\n');
});

test("xenlabd start --sched names Pool-0's scheduler as Xen's sched= does, and refuses an unknown one", async () => {
  const other = new TestHost();
  try {
    const bad = other.run('xenlabd', ['start', '--clock', 'virtual', '--sched', 'bfs']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^xenlabd: invalid --sched bfs \(.*credit2.*\)$/m);
    other.start(['--clock', 'virtual', '--cpus', '32', '--sched', 'credit2']);
    const info = other.run('xl', ['info']).stdout;
    assert.match(info, /^xen_scheduler\s+: credit2$/m);
    assert.match(info, /^xen_commandline\s+: .* sched=credit2$/m);
    const dmesg = other.run('xl', ['dmesg']).stdout;
    assert.match(dmesg, /^\(XEN\) Command line: .* sched=credit2\n/m);
    assert.match(dmesg, /^\(XEN\) Using scheduler: SMP Credit Scheduler rev2 \(credit2\)\n\(XEN\) Initializing Credit2 scheduler\n/m);
    assert.match(other.run('xl', ['cpupool-list']).stdout, /^Pool-0 +32 +credit2 +y +1$/m);
    // Two sockets, one NUMA node each: a pool per node.
    assert.deepEqual(other.run('xl', ['cpupool-numa-split']), { status: 0, stdout: '', stderr: '' });
    assert.equal(other.run('xl', ['cpupool-list']).stdout,
      'Name               CPUs   Sched     Active   Domain count\n' +
      'Pool-node0          16   credit2       y          1\n' +
      'Pool-node1          16   credit2       y          0\n');
    assert.equal(other.run('xl', ['cpupool-list', '-c', 'Pool-node1']).stdout, 'Name               CPU list\nPool-node1         16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n');
  } finally { other.stop(); }
});
