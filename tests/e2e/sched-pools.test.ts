// A host booted with sched=credit (xenlabd start --sched credit) and split into an RTDS pool and
// a null pool (xl cpupool-create), with guests placed by pool=: xl sched-credit and xl sched-rtds
// with the real formats and errors, CPU shares checked against each scheduler's formulas over 10
// simulated seconds, the parameters kept across a daemon restart, the 'r' debug key per pool, and
// a trace taken by our xentrace from all three pools read by the real xenalyze --summary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { TestHost, haveBinary } from '../helpers/host.ts';
import { advanceIn, xlIn, xlInOk } from '../helpers/xl-in-process.ts';
import { daemonRequest, recordsOf, startXentrace, traceFile } from '../cli/xentrace/xentrace-run.ts';
import { runningSeconds } from '../helpers/xenalyze.ts';
import { TRC_CSCHED_SCHEDULE, TRC_RTDS_SCHEDULE, TRC_SNULL_SCHEDULE } from '../../src/hypervisor/trace-events.ts';

let h: TestHost;
const HEADER = 'Name                                ID Weight  Cap\n';
// Every xl run as a binary costs a Node start-up (most of this file's wall time): xl's main runs
// in this process (xl-in-process.ts), readings and the trace's pauses go to the control socket.
/** CPU seconds to the ns, from the daemon (xl vcpu-list rounds to 0.1 s). */
async function exactCpus(names: string[]): Promise<number[]> {
  const { vcpus } = await daemonRequest(h, 'vcpu.list', { doms: names });
  return names.map(n => vcpus.filter(v => v.name === n).reduce((s, v) => s + Number(v.cpuTimeNs) / 1e9, 0));
}

/** CPU seconds each guest got in one 10 s window, every pool running at once. */
const share = new Map<string, number>();
const GUESTS = ['w256', 'w512', 'capped', 'rt1', 'rt2', 'n1', 'n2', 'n3'];

before(async () => {
  h = new TestHost().start(['--clock', 'virtual', '--sched', 'credit']);
  await xlInOk(h, 'cpupool-cpu-remove', 'Pool-0', '4-7');
  await xlInOk(h, 'cpupool-create', 'name="one"', 'sched="credit"', 'cpus="4"');
  await xlInOk(h, 'cpupool-create', 'name="rt"', 'sched="rtds"', 'cpus="5"');
  await xlInOk(h, 'cpupool-create', 'name="nl"', 'sched="null"', 'cpus="6,7"');
  const guest = (name: string, body: string) => xlInOk(h, 'create', h.guestConfig(name, `vcpus = 1\nworkload = "cpu=100"\n${body}`));
  // credit shares a pool's credit among all its active vCPUs: weights decide on a pool of one pCPU
  // (pinned to one pCPU of a larger, idle pool, both would earn all they can burn).
  await guest('w256', 'pool = "one"\ncpu_weight = 256');
  await guest('w512', 'pool = "one"\ncpu_weight = 512');
  await guest('capped', 'cap = 50');
  await guest('rt1', 'pool = "rt"');
  await guest('rt2', 'pool = "rt"');
  for (const n of ['n1', 'n2', 'n3']) await guest(n, 'pool = "nl"');
  await xlInOk(h, 'sched-rtds', '-d', 'rt1', '-v', 'all', '-p', '10000', '-b', '2500', '-e', '0');
  await xlInOk(h, 'sched-rtds', '-d', 'rt2', '-v', '0', '-p', '20000', '-b', '10000', '-e', '0');
  await advanceIn(h, '5s');
  const t0 = await exactCpus(GUESTS);
  await advanceIn(h, '10s');
  (await exactCpus(GUESTS)).forEach((t, i) => share.set(GUESTS[i]!, t - t0[i]!));
});
after(() => h.stop());

test('credit: weights 256/512 on a one-pCPU pool share it 1:2 within 3%, cap 50 gives half a pCPU; xl sched-credit lists and sets', async () => {
  assert.match(await xlInOk(h, 'cpupool-list'), /^Pool-0 +4 +credit +y +2\none +1 +credit +y +2\nrt +1 +rtds +y +2\nnl +2 +null +y +3\n$/m);
  const [a, b, c] = ['w256', 'w512', 'capped'].map(n => share.get(n)!);
  assert.ok(Math.abs(a! + b! - 10) < 0.2, `pool one gave ${a! + b!}s`);
  assert.ok(Math.abs(b! / a! - 2) / 2 < 0.03, `ratio ${b! / a!} (${a}s vs ${b}s)`);
  assert.ok(Math.abs(c! - 5) < 0.25, `capped guest ran ${c}s`);
  const list = await xlInOk(h, 'sched-credit');
  assert.match(list, new RegExp(`^Cpupool Pool-0: tslice=30ms ratelimit=1000us migration-delay=0us\n${HEADER}Domain-0 +0 +256 +0\ncapped +\\d+ +256 +50\n` +
    `Cpupool one: tslice=30ms ratelimit=1000us migration-delay=0us\n${HEADER}w256 +\\d+ +256 +0\nw512 +\\d+ +512 +0\n$`));
  assert.equal((await xlInOk(h, 'sched-credit', '-p', 'one')).split('\n')[0], 'Cpupool one: tslice=30ms ratelimit=1000us migration-delay=0us');
  assert.doesNotMatch(list, /rt1|n1/);
  await xlInOk(h, 'sched-credit', '-d', 'w256', '-w', '1024', '-c', '20');
  assert.match(await xlInOk(h, 'sched-credit', '-d', 'w256'), new RegExp(`^${HEADER}w256 +\\d+ +1024 +20\\n$`));
  const bad = await xlIn(h, 'sched-credit', '-d', 'w256', '-w', '70000');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^libxl: error: libxl_sched\.c:238:sched_credit_domain_set: Domain \d+:Cpu weight out of range, valid values are within range from 1 to 65535\nlibxl_domain_sched_params_set failed\.\n$/);
  assert.equal((await xlIn(h, 'sched-credit', '-s', '-d', 'w256')).stderr, 'Specifying a cpupool or schedparam is not allowed with domain options.\n');
});

test('xl sched-credit -s: pool parameters, libxl\'s range checks, kept across a daemon restart', async () => {
  assert.equal(await xlInOk(h, 'sched-credit', '-s'), 'Cpupool Pool-0: tslice=30ms ratelimit=1000us migration-delay=0us\n');
  const r = await xlIn(h, 'sched-credit', '-s', '-t', '5', '-r', '6000');
  assert.deepEqual([r.status, r.stderr], [1, 'libxl: error: libxl_sched.c:321:libxl_sched_credit_params_set: Ratelimit cannot be greater than timeslice\nlibxl_sched_credit_params_set failed.\n']);
  assert.equal((await xlIn(h, 'sched-credit', '-s', '-t', '2000')).stderr,
    'libxl: error: libxl_sched.c:311:libxl_sched_credit_params_set: Time slice out of range, valid range is from 1 to 1000\nlibxl_sched_credit_params_set failed.\n');
  await xlInOk(h, 'sched-credit', '-s', '-t', '10', '-m', '100');
  await xlInOk(h, 'sched-credit', '-s', '-r', '500');
  // A pool of another scheduler has no credit parameters.
  const rt = await xlIn(h, 'sched-credit', '-s', '-p', 'rt');
  assert.deepEqual([rt.status, rt.stdout, rt.stderr], [0, 'Cpupool rt: [sched params unavailable]\n',
    'libxl: error: libxl_sched.c:287:libxl_sched_credit_params_get: getting Credit scheduler parameters: Invalid argument\n']);
  h.run('xenlabd', ['stop']);
  h.start();
  assert.equal(await xlInOk(h, 'sched-credit', '-s'), 'Cpupool Pool-0: tslice=10ms ratelimit=500us migration-delay=100us\n');
  assert.match(await xlInOk(h, 'sched-credit', '-d', 'w256'), /^w256 +\d+ +1024 +20$/m);
  assert.match(await xlInOk(h, 'sched-rtds', '-d', 'rt2', '-v', 'all'), /^rt2 +\d+ +0 +20000 +10000 +no$/m);
});

test('RTDS pool: xl sched-rtds lists and sets per-vCPU parameters; each guest gets its budget per period', async () => {
  // Per domain, Xen answers RTDS's defaults whatever its vCPUs have.
  const list = await xlInOk(h, 'sched-rtds');
  assert.match(list, /^Cpupool rt: sched=RTDS\nName +ID +Period +Budget +Extratime\nrt1 +\d+ +10000 +4000 +yes\nrt2 +\d+ +10000 +4000 +yes\n$/);
  assert.match(await xlInOk(h, 'sched-rtds', '-v', 'all'), /^Cpupool rt: sched=RTDS\nName +ID VCPU +Period +Budget +Extratime\nrt1 +\d+ +0 +10000 +2500 +no\nrt2 +\d+ +0 +20000 +10000 +no\n$/);
  const [a, b] = [share.get('rt1')!, share.get('rt2')!];
  // U = 0.25 + 0.5: each gets exactly its budget/period share, the pCPU idles the rest.
  assert.ok(Math.abs(a! - 2.5) < 0.01, `rt1 ${a}s`);
  assert.ok(Math.abs(b! - 5) < 0.02, `rt2 ${b}s`);
  // libxl stores what the domain's scheduler answers in the retrieved config.
  assert.match(await xlInOk(h, 'list', '-l', 'rt1'), /"sched_params": \{\s*"sched": "rtds",\s*"period": 10000,\s*"budget": 4000\s*\}/);
  assert.match(await xlInOk(h, 'list', '-l', 'n2'), /"sched_params": \{\s*"sched": "null"\s*\}/);
  const bad = await xlIn(h, 'sched-rtds', '-d', 'rt1', '-v', '0', '-p', '100', '-b', '200', '-e', '1');
  assert.deepEqual([bad.status, bad.stderr], [1,
    'libxl: error: libxl_sched.c:489:sched_rtds_validate_params: VCPU budget must be smaller than or equal to period, but 200 > 100\nlibxl_vcpu_sched_params_set failed.\n']);
  assert.equal((await xlIn(h, 'sched-rtds', '-d', 'rt1', '-v', '0', '-p', '100', '-b', '50')).stderr, 'Incorrect number of period, budget and extratime\n');
  assert.equal((await xlIn(h, 'sched-rtds', '-d', 'rt1', '-p', '100', '-b', '50', '-e', '1')).stderr, 'Must specify VCPU.\n');
  assert.equal((await xlIn(h, 'sched-rtds', '-d', 'rt1', '-v', '0', '-e', '3')).stderr, 'Invalid extratime.\n');
});

test('a domain in a pool of another scheduler: the real refusals', async () => {
  const r1 = await xlIn(h, 'sched-rtds', '-d', 'w256');
  assert.deepEqual([r1.status, r1.stdout, r1.stderr], [1, 'Name                                ID    Period    Budget  Extratime\n', 'libxl_domain_sched_params_get returned credit not rtds.\n']);
  const r2 = await xlIn(h, 'sched-credit', '-d', 'rt1');
  assert.deepEqual([r2.status, r2.stdout, r2.stderr], [1, HEADER, 'libxl_domain_sched_params_get returned rtds not credit.\n']);
  const id = (await daemonRequest(h, 'domain.resolve', { dom: 'n1' })).domid;
  const r3 = await xlIn(h, 'sched-credit', '-d', 'n1', '-w', '512');
  assert.deepEqual([r3.status, r3.stderr], [1, `libxl: error: libxl_sched.c:232:sched_credit_domain_set: Domain ${id}:Getting domain sched credit: Invalid argument\nlibxl_domain_sched_params_set failed.\n`]);
  const r4 = await xlIn(h, 'sched-rtds', '-d', 'n1', '-v', 'all');
  assert.equal(r4.stderr, `libxl: error: libxl_sched.c:964:libxl_vcpu_sched_params_get_all: Domain ${id}:per-VCPU parameter getting not supported for this scheduler\nlibxl_vcpu_sched_params_get_all failed.\n`);
  const r5 = await xlIn(h, 'sched-rtds', '-d', 'w512', '-v', '0', '-p', '10000', '-b', '2000', '-e', '1');
  assert.match(r5.stderr, /^libxl: error: libxl_sched\.c:653:sched_rtds_vcpu_set: Domain \d+:Setting vcpu sched rtds: Invalid argument\nlibxl_vcpu_sched_params_set failed\.\n$/);
});

test('null pool: one vCPU per pCPU; the third guest waits until a pCPU is freed', async () => {
  const got = ['n1', 'n2', 'n3'].map(n => share.get(n)!);
  assert.deepEqual(got.map(x => Math.round(x)), [10, 10, 0], `${got}`);
  await xlInOk(h, 'debug-keys', 'r');
  const dmesg = await xlInOk(h, 'dmesg');
  for (const line of ['Scheduler: SMP Credit Scheduler (credit)', 'Scheduler: SMP RTDS Scheduler (rtds)', 'Scheduler: null Scheduler (null)', 'Waitqueue: d']) {
    assert.ok(dmesg.includes(line), line);
  }
  await xlInOk(h, 'destroy', 'n1');
  const [c1] = await exactCpus(['n3']);
  await advanceIn(h, '1s');
  const [c2] = await exactCpus(['n3']);
  assert.ok(Math.abs(c2! - c1! - 1) < 0.01, `n3 ran ${c2! - c1!}s`);
});

test('our xentrace from the three pools: the real xenalyze --summary reads it without complaint and agrees on running time', { skip: !haveBinary('/usr/bin/xenalyze') }, async () => {
  const file = traceFile(h, 'pools.bin');
  const mhz = (await daemonRequest(h, 'host.info', {})).cpuKhz / 1000;
  const names = ['w256', 'w512', 'capped', 'rt1', 'rt2', 'n2', 'n3'];
  const doms = await daemonRequest(h, 'domain.list', { doms: names });
  const ids = names.map(n => doms.find(d => d.name === n)!.domid);
  const pause = (n: string, paused: boolean) => daemonRequest(h, paused ? 'domain.pause' : 'domain.unpause', { dom: n });
  const xt = await startXentrace(h, [file]);
  // A null pool's vCPU runs without a break: it must start running inside the trace to be seen.
  for (const n of ['n2', 'n3']) { await pause(n, true); await pause(n, false); }
  const t0 = await exactCpus(names);
  await advanceIn(h, '1s');
  // Running spans close at a runstate change: pausing the guests ends them inside the trace.
  for (const n of names) await pause(n, true);
  await advanceIn(h, '10ms');
  const t1 = await exactCpus(names);
  xt.proc.kill('SIGINT');
  assert.equal((await xt.exited).code, 0);
  for (const n of names) await pause(n, false);
  const events = new Set(recordsOf(file).map(r => r.event));
  for (const ev of [TRC_CSCHED_SCHEDULE, TRC_RTDS_SCHEDULE, TRC_SNULL_SCHEDULE]) assert.ok(events.has(ev), `0x${ev.toString(16)}`);
  const r = spawnSync('/usr/bin/xenalyze', ['--summary', `--cpu-hz=${mhz * 1e6}`, file], { encoding: 'utf8', maxBuffer: 1 << 30 });
  assert.equal(r.status, 0, r.stderr.slice(-2000));
  assert.deepEqual((r.stdout + r.stderr).split('\n').filter(l => /FATAL|Strange|ERROR/.test(l)), []);
  const seen = runningSeconds(r.stdout, mhz * 1e6);
  ids.forEach((d, i) => {
    const want = t1[i]! - t0[i]!;
    const got = seen.get(d) ?? 0;
    assert.ok(want > 0.2 && Math.abs(got - want) <= 0.01 * want, `${names[i]}: xenalyze ${got.toFixed(4)} s, xl vcpu-list ${want.toFixed(4)} s`);
  });
});
