// One pool per scheduler (issue 15, acceptance 1): Pool-0 on credit2 and pools on credit, RTDS and
// null, each pool's scheduler its own instance: guests created into each with pool=, each running
// on its pool's pCPUs, a running guest moved between pools of different schedulers, the 'r' key
// dumping every pool with its own scheduler, credit2's commands refused on the other pools as
// Xen refuses them, and the pools with their schedulers back after a daemon restart.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestHost } from '../helpers/host.ts';
import { advanceIn, xlIn, xlInOk } from '../helpers/xl-in-process.ts';

const h = new TestHost().start(['--clock', 'virtual', '--cpus', '8']);
after(() => h.stop());

const POOLS = [['cr', 'credit', '2-3'], ['rt', 'rtds', '4-5'], ['nl', 'null', '6-7']] as const;

async function vcpus(dom: string): Promise<{ cpu: number; time: number }[]> {
  return (await xlInOk(h, 'vcpu-list', dom)).trim().split('\n').slice(1).map(l => {
    const f = l.trim().split(/\s+/);
    return { cpu: Number(f[3]), time: Number(f[5]) };
  });
}

const inRange = (cpu: number, range: string) => { const [a, b] = range.split('-').map(Number); return cpu >= a! && cpu <= b!; };

test('a pool per scheduler, a guest in each, each on its own pCPUs', async () => {
  await xlInOk(h, 'cpupool-cpu-remove', 'Pool-0', '2-7');
  for (const [name, sched, cpus] of POOLS) await xlInOk(h, 'cpupool-create', `name="${name}"`, `sched="${sched}"`, `cpus="${cpus}"`);
  // Each new pool's scheduler initialises as at boot.
  const dmesg = await xlInOk(h, 'dmesg');
  assert.match(dmesg, /^\(XEN\) Initializing RTDS scheduler\n\(XEN\) WARNING: This is experimental software in development.\n\(XEN\) Use at your own risk.\n/m);
  assert.match(dmesg, /^\(XEN\) Initializing null scheduler\n/m);
  for (const [name] of POOLS) await xlInOk(h, 'create', h.guestConfig(`g${name}`, `vcpus = 1\npool = "${name}"\nworkload = "cpu=100"`));
  assert.equal(await xlInOk(h, 'cpupool-list'),
    'Name               CPUs   Sched     Active   Domain count\n' +
    'Pool-0               2   credit2       y          1\n' +
    'cr                   2    credit       y          1\n' +
    'rt                   2      rtds       y          1\n' +
    'nl                   2      null       y          1\n');
  assert.equal(await xlInOk(h, 'cpupool-list', '-c'), 'Name               CPU list\nPool-0             0,1\ncr                 2,3\nrt                 4,5\nnl                 6,7\n');
  await advanceIn(h, '5s');
  for (const [name, , cpus] of POOLS) {
    const [v] = await vcpus(`g${name}`);
    assert.ok(inRange(v!.cpu, cpus), `g${name} on pCPU ${v!.cpu}`);
    assert.ok(v!.time > 2, `g${name} ran ${v!.time}s`);
  }
  await xlInOk(h, 'debug-keys', 'r');
  const dump = await xlInOk(h, 'dmesg');
  for (const [id, title] of [[0, 'SMP Credit Scheduler rev2 (credit2)'], [1, 'SMP Credit Scheduler (credit)'], [2, 'SMP RTDS Scheduler (rtds)'], [3, 'null Scheduler (null)']] as const) {
    assert.match(dump, new RegExp(`^\\(XEN\\) Cpupool ${id}:\\n\\(XEN\\) Cpus: .*\\n\\(XEN\\) Scheduling granularity: cpu, 1 CPU per sched-resource\\n\\(XEN\\) Scheduler: ${title.replace(/[()]/g, '\\$&')}\\n`, 'm'));
  }
});

test('cpupool-migrate moves a running guest from a credit pool to an RTDS pool', async () => {
  const before = (await vcpus('gcr'))[0]!.time;
  await xlInOk(h, 'cpupool-migrate', 'gcr', 'rt');
  await advanceIn(h, '2s');
  const [v] = await vcpus('gcr');
  assert.ok(inRange(v!.cpu, '4-5'), `gcr on pCPU ${v!.cpu}`);
  assert.ok(v!.time - before > 0.5, `gcr ran ${v!.time - before}s in 2s in the RTDS pool`);
  assert.match(await xlInOk(h, 'list', '-c'), /^gcr\s.*\srt$/m);
  assert.match(await xlInOk(h, 'cpupool-list', 'rt'), /^rt\s+2\s+rtds\s+y\s+2$/m);
});

test('credit2 commands on pools of other schedulers fail as on Xen', async () => {
  const get = await xlIn(h, 'sched-credit2', '-s', '-p', 'rt');
  assert.deepEqual(get, {
    status: 0, stdout: 'Cpupool rt: [sched params unavailable]\n',
    stderr: 'libxl: error: libxl_sched.c:362:libxl_sched_credit2_params_get: getting Credit2 scheduler parameters: Invalid argument\nlibxl_sched_credit2_params_get failed.\n',
  });
  assert.deepEqual(await xlIn(h, 'sched-credit2', '-s', '-r', '2000', '-p', 'nl'), {
    status: 1, stdout: '',
    stderr: 'libxl: error: libxl_sched.c:389:libxl_sched_credit2_params_set: Setting Credit2 scheduler parameters: Invalid argument\nlibxl_sched_credit2_params_set failed.\n',
  });
  assert.deepEqual(await xlIn(h, 'sched-credit2', '-d', 'gnl'), {
    status: 1, stdout: 'Name                                ID Weight  Cap\n', stderr: 'libxl_domain_sched_params_get returned null not credit2.\n',
  });
  const set = await xlIn(h, 'sched-credit2', '-d', 'grt', '-w', '512');
  assert.equal(set.status, 1);
  assert.equal(set.stderr, 'libxl: error: libxl_sched.c:439:sched_credit2_domain_set: Domain 2:Getting domain sched credit2: Invalid argument\nlibxl_domain_sched_params_set failed.\n');
  // The listing walks credit2's pools only.
  assert.equal(await xlInOk(h, 'sched-credit2'), 'Cpupool Pool-0: ratelimit=1000us\nName                                ID Weight  Cap\nDomain-0                             0    256    0\n');
});

test('the pools keep their schedulers and domains across a daemon restart', async () => {
  const list = await xlInOk(h, 'cpupool-list');
  h.run('xenlabd', ['stop']);
  h.start();
  assert.equal(await xlInOk(h, 'cpupool-list'), list);
  const before = (await vcpus('gnl'))[0]!.time;
  await advanceIn(h, '1s');
  const [v] = await vcpus('gnl');
  assert.ok(inRange(v!.cpu, '6-7') && v!.time - before > 0.9, `gnl on pCPU ${v!.cpu} ran ${v!.time - before}s of 1s`);
});
