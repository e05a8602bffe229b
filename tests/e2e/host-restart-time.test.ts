// While the daemon is down the host stands still: after `xenlabd stop; xenlabd start` or a
// kill -9 and recovery, every domain's CPU time and uptime continue from where they were —
// Domain-0's too — and grow no faster than the host's clock (issue 12, item 1).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { parseList } from '../helpers/xl-parse.ts';

const hosts: TestHost[] = [];
after(() => { for (const h of hosts) h.stop(); });

function newHost(clock: 'real' | 'virtual'): TestHost {
  const h = new TestHost().start(['--clock', clock]);
  hosts.push(h);
  h.xlOk('create', h.guestConfig('db', 'workload = "cpu=100"'));
  return h;
}

/** Time(s) of each domain, by name. */
function times(h: TestHost): Record<string, number> {
  return Object.fromEntries(parseList(h.xlOk('list')).map(r => [r.name, r.time]));
}

/** xl uptime's rows (name and uptime), by name. */
function uptimes(h: TestHost): Record<string, string> {
  return Object.fromEntries(h.xlOk('uptime').trim().split('\n').slice(1).map(l => {
    const f = l.trim().split(/\s+/);
    return [f[0]!, f[2]!];
  }));
}

function clockSec(h: TestHost): number {
  return Number(h.run('xenlabd', ['clock']).stdout.trim().split(' ')[1]);
}

function killDaemon(h: TestHost): void {
  const pid = Number(readFileSync(join(h.home, 'xenlabd.pid'), 'utf8'));
  process.kill(pid, 'SIGKILL');
  // The lock goes with the process: wait (10 s at most) until it is dead, or a zombie, before
  // starting the next daemon.
  const dead = (): boolean => {
    try { return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] === 'Z'; } catch { return true; }
  };
  for (const end = Date.now() + 10_000; !dead();) if (Date.now() > end) throw new Error(`xenlabd ${pid} survived SIGKILL`);
}

test('virtual clock: stop/start and kill -9 keep CPU times and uptimes, Domain-0 included', () => {
  const h = newHost('virtual');
  h.advance('100s');
  const before = times(h), up = uptimes(h);
  assert.ok(before['Domain-0']! > 0 && before.db! > 90, JSON.stringify(before));
  assert.deepEqual(up, { 'Domain-0': '0:01:40', db: '0:01:40' });

  h.run('xenlabd', ['stop']);
  h.start();
  assert.deepEqual(times(h), before, 'CPU times continue after stop/start');
  assert.deepEqual(uptimes(h), up, 'uptimes continue after stop/start');
  // One more second of a CPU-bound guest is one more second of CPU time, not the host's history again.
  h.advance('1s');
  const later = times(h);
  assert.ok(Math.abs(later.db! - before.db! - 1) < 0.15, `db: ${before.db} -> ${later.db}`);
  assert.ok(later['Domain-0']! - before['Domain-0']! < 0.2, `Domain-0: ${before['Domain-0']} -> ${later['Domain-0']}`);

  killDaemon(h);
  h.start();
  assert.deepEqual(times(h), later, 'CPU times continue after kill -9');
  assert.deepEqual(uptimes(h), { 'Domain-0': '0:01:41', db: '0:01:41' });
});

test('real clock: a restart adds no CPU time beyond what the host clock lets run', async () => {
  const h = newHost('real');
  // On the real clock only real time runs the guest: let it build up a history to re-count.
  await new Promise(r => setTimeout(r, 1000));
  const c1 = clockSec(h), t1 = times(h);
  h.run('xenlabd', ['stop']);
  h.start(['--clock', 'real']);
  const t2 = times(h), c2 = clockSec(h);
  assert.ok(c1 > 1, `the host ran ${c1}s`);
  // A 1-vCPU guest gets at most the host time that passed between the two reads (list rounds to 0.1).
  for (const name of ['db', 'Domain-0']) {
    assert.ok(t2[name]! >= t1[name]!, `${name} went back: ${t1[name]} -> ${t2[name]}`);
    assert.ok(t2[name]! - t1[name]! <= (c2 - c1) * (name === 'db' ? 1 : 4) + 0.1, `${name}: ${t1[name]} -> ${t2[name]} while the host clock moved ${c2 - c1}s`);
  }
});

/** Each domain's State in xl list, each vCPU's in xl vcpu-list and each domain's in xentop: what an administrator sees. */
function runstates(h: TestHost): { list: string[]; vcpus: string[]; xentop: string[] } {
  const rows = (out: string) => out.trim().split('\n').slice(1).map(l => l.trim().split(/\s+/));
  return {
    list: parseList(h.xlOk('list')).map(r => `${r.name} ${r.state}`),
    vcpus: rows(h.xlOk('vcpu-list')).map(f => `${f[0]} ${f[2]} ${f[4]}`),
    xentop: rows(h.run('xentop', ['-b', '-i', '1']).stdout).map(f => `${f[0]} ${f[1]}`),
  };
}

test('virtual clock: right after stop/start and kill -9 every vCPU is running, blocked or paused as before', () => {
  const h = new TestHost().start(['--clock', 'virtual']);
  hosts.push(h);
  // A credit pool too: credit2 and the schedulers on the shared core each bring their vCPUs back.
  h.xlOk('cpupool-cpu-remove', 'Pool-0', '6-7');
  h.xlOk('cpupool-create', 'name="cp"', 'sched="credit"', 'cpus="6-7"');
  h.xlOk('create', h.guestConfig('busy', 'vcpus = 2\nworkload = "cpu=100"'));
  h.xlOk('create', h.guestConfig('idle', ''));
  h.xlOk('create', h.guestConfig('held', 'workload = "cpu=100"'));
  h.xlOk('create', h.guestConfig('credit', 'pool = "cp"\nworkload = "cpu=100"'));
  h.xlOk('create', h.guestConfig('nap', 'pool = "cp"'));
  h.advance('30s');
  h.xlOk('pause', 'held');
  // The paused guest's vCPU leaves its pCPU at the next reschedule.
  h.advance('1ms');
  const before = runstates(h);
  const state = (name: string) => before.list.find(l => l.startsWith(`${name} `));
  assert.deepEqual(['busy', 'idle', 'held', 'credit', 'nap'].map(state), ['busy r-----', 'idle -b----', 'held --p---', 'credit r-----', 'nap -b----']);
  assert.ok(before.vcpus.includes('held 0 ---') && before.xentop.includes('held ----p-'), JSON.stringify(before));

  h.run('xenlabd', ['stop']);
  h.start();
  assert.deepEqual(runstates(h), before, 'after stop/start, before the clock moves');
  killDaemon(h);
  h.start();
  assert.deepEqual(runstates(h), before, 'after kill -9, before the clock moves');
});
