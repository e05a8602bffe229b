// Command handlers against a fake daemon: what they ask for, what they print, how they fail
// (xl.md §2), and which checks happen before anything reaches the daemon.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runXl, ToolError } from './harness.ts';
import { parseMemSizeKb } from '../../../src/cli/xl/memory.ts';
import { fakeDomains } from './fake-domains.ts';

const host = {
  nrCpus: 8, nrNodes: 2,
  cpuTopology: Array.from({ length: 8 }, (_, i) => ({ core: i, socket: 0, node: i < 4 ? 0 : 1 })),
};

test('mem sizes: MiB by default, one unit letter, -1 is the error value', () => {
  assert.equal(parseMemSizeKb('512'), 512 * 1024);
  assert.equal(parseMemSizeKb('512m'), 512 * 1024);
  assert.equal(parseMemSizeKb('512M'), 512 * 1024);
  assert.equal(parseMemSizeKb('2g'), 2 * 1024 * 1024);
  assert.equal(parseMemSizeKb('1t'), 1024 ** 3);
  assert.equal(parseMemSizeKb('4096k'), 4096);
  assert.equal(parseMemSizeKb('1048576b'), 1024);
  assert.equal(parseMemSizeKb(''), 0);
  for (const bad of ['1.5g', '512MB', 'abc', 'x', '-1k', '12 ']) assert.equal(parseMemSizeKb(bad), null, bad);
});

test('mem-set: a bad size is refused after the domain is found, before any change', async () => {
  const r = await runXl(['mem-set', 'web', '1.5g'], { 'domain.resolve': () => ({ domid: 4, name: 'web' }) });
  assert.deepEqual([r.status, r.stderr], [1, 'invalid memory size: 1.5g\n']);
  assert.deepEqual(r.requests.map(q => q.type), ['domain.resolve']);
  const ok = await runXl(['mem-set', '4', '256'], { 'domain.memSet': () => ({}) });
  assert.deepEqual(ok.requests, [{ type: 'domain.memSet', args: { dom: '4', targetKb: 262144 } }]);
});

test('mem-max failure: libxl lines from the daemon, then xl quoting the size as typed', async () => {
  const r = await runXl(['mem-max', '4', '128'], {
    'domain.memMax': () => { throw new ToolError('EINVAL', 'libxl: error: x', 1); },
  });
  assert.deepEqual([r.status, r.stderr], [1, 'libxl: error: x\ncannot set domid 4 static max memory to : 128\n']);
});

test('daemon errors print their message and exit with their code; an unreachable daemon is 69', async () => {
  const r = await runXl(['pause', 'nosuch'], {
    'domain.pause': () => { throw new ToolError('EINVALDOM', 'nosuch is an invalid domain identifier (rc=-6)', 1); },
  });
  assert.deepEqual([r.status, r.stderr], [1, 'nosuch is an invalid domain identifier (rc=-6)\n']);
  const gone = await runXl(['list'], { 'domain.list': () => { throw new ToolError('EDAEMON', 'xenlabd is not running', 1); } });
  assert.deepEqual([gone.status, gone.stderr], [69, 'xenlabd is not running\n']);
});

test('list: one domain by name, more than one argument prints the help and exits 1', async () => {
  const one = await runXl(['list', 'web01'], { 'domain.list': (a: any) => fakeDomains.filter(d => a.doms.includes(d.name)) });
  assert.equal(one.stdout.split('\n').length, 3);
  const two = await runXl(['list', 'a', 'b']);
  assert.equal(two.status, 1);
  assert.match(two.stdout, /^Usage: xl \[-vtT\] list/);
});

test('domid and domname look up names and ids as xl does', async () => {
  const answers = { 'domain.list': () => fakeDomains };
  assert.deepEqual([(await runXl(['domid', 'web01'], answers)).stdout], ['1\n']);
  const noName = await runXl(['domid', '1'], answers);
  assert.deepEqual([noName.status, noName.stderr], [1, "Can't get domid of domain name '1', maybe this domain does not exist.\n"]);
  assert.equal((await runXl(['domname', '2'], answers)).stdout, 'db01\n');
  assert.equal((await runXl(['domname', '2abc'], answers)).stdout, 'db01\n');
  const bad = await runXl(['domname', 'abc'], answers);
  assert.deepEqual([bad.status, bad.stderr, bad.requests.length], [1, 'Invalid domain id.\n\n', 0]);
  const none = await runXl(['domname', '13'], answers);
  assert.deepEqual([none.status, none.stderr], [1, "Can't get domain name of domain id '13', maybe this domain does not exist.\n"]);
});

test('vcpu-set: growing a domain past the host\'s pCPUs and its online vCPUs is xl\'s own refusal, unless --ignore-host', async () => {
  const answers = { 'host.info': () => host, 'domain.list': () => fakeDomains, 'vcpu.set': () => ({}) };
  const over = await runXl(['vcpu-set', '1', String(host.nrCpus + 1)], answers);
  assert.deepEqual([over.status, over.stderr, over.requests.some(q => q.type === 'vcpu.set')],
    [1, `You are overcommmitting! You have ${host.nrCpus} physical CPUs and want ${host.nrCpus + 1} vCPUs! Aborting, use --ignore-host to continue\n`, false]);
  const ignored = await runXl(['vcpu-set', '-i', '1', String(host.nrCpus + 1)], answers);
  assert.deepEqual([ignored.status, ignored.requests.at(-1)], [0, { type: 'vcpu.set', args: { dom: '1', count: host.nrCpus + 1 } }]);
  // Domain 7 has 8 vCPUs online: on a 4-pCPU host, 6 is fewer than it has, so no overcommit.
  const small = { ...answers, 'host.info': () => ({ ...host, nrCpus: 4 }) };
  const fewer = await runXl(['vcpu-set', '7', '6'], small);
  assert.deepEqual([fewer.status, fewer.requests.at(-1)], [0, { type: 'vcpu.set', args: { dom: '7', count: 6 } }]);
  assert.equal((await runXl(['vcpu-set', '7', '9'], small)).status, 1);
});

test('vcpu-pin: vCPU and cpu-list syntax errors, -N prints the maps, nodes expand to their CPUs', async () => {
  const answers = { 'host.info': () => host, 'vcpu.pin': () => ({}) };
  const e = async (args: string[]) => { const r = await runXl(args, answers); return [r.status, r.stderr]; };
  assert.deepEqual(await e(['vcpu-pin', '1', 'x', '1']), [1, 'Error: Invalid argument x as VCPU.\n']);
  assert.deepEqual(await e(['vcpu-pin', '-f', '1', 'all', '1']), [1, "Error: --force and 'all' as VCPU not allowed.\n"]);
  assert.deepEqual(await e(['vcpu-pin', '1', '0', '^all']), [1, 'Can\'t combine "^" and "all".\n']);
  assert.deepEqual(await e(['vcpu-pin', '1', '0', '3-1']), [1, 'Invalid pcpu range: 3-1.\n']);
  assert.deepEqual(await e(['vcpu-pin', '1', '0', '1', 'node:x']), [1, 'Invalid pcpu range: x.\n']);
  const dry = async (...a: string[]) => (await runXl(['-N', 'vcpu-pin', '1', '0', ...a], answers)).stdout;
  assert.equal(await dry('1,3', '4-7'), 'cpumap: 1,3 4-7\n');
  assert.equal(await dry('-', '4-7'), 'cpumap: - 4-7\n');
  assert.equal(await dry('all'), 'cpumap: all\n');
  assert.equal(await dry('all,^node:1'), 'cpumap: 0-3\n');
  assert.equal(await dry('nodes:1,^5'), 'cpumap: 4,6-7\n');
  const set = await runXl(['vcpu-pin', '1', 'all', '0-1', '-'], answers);
  assert.equal(set.status, 0);
  assert.deepEqual(set.requests.at(-1), { type: 'vcpu.pin', args: { dom: '1', vcpu: 'all', hard: [0, 1], soft: null, force: false } });
});

test('sched-credit2: xl refuses option conflicts itself; the range checks are libxl\'s, made by the daemon, whose text xl prints', async () => {
  // What the toolstack answers (tests/e2e/xl-bad-input.test.ts has the real daemon's refusals).
  const weightRefused = new ToolError('EINVAL', 'libxl: error: libxl_sched.c:445:sched_credit2_domain_set: Domain 1:Cpu weight out of range, valid values are within range from 1 to 65535\nlibxl_domain_sched_params_set failed.', 1);
  const ratelimitRefused = new ToolError('EINVAL', 'libxl: error: libxl_sched.c:270:sched_ratelimit_check: Ratelimit out of range, valid range is from 100 to 500000\nlibxl_sched_credit2_params_set failed.', 1);
  const answers = {
    'sched.credit2.set': (a: { weight?: number }) => { if (a.weight === 0) throw weightRefused; return {}; },
    'sched.credit2.setPool': (a: { ratelimitUs: number }) => { if (a.ratelimitUs === 50) throw ratelimitRefused; return {}; },
  };
  const e = async (args: string[]) => { const r = await runXl(['sched-credit2', ...args], answers); return { r, sets: r.requests.filter(q => q.type.includes('set')).length }; };
  let x = await e(['-w', '300']);
  assert.deepEqual([x.r.status, x.r.stderr, x.r.requests.length], [1, 'Must specify a domain.\n', 0]);
  x = await e(['-p', 'Pool-0', '-d', '1']);
  assert.deepEqual([x.r.status, x.r.stderr], [1, 'Specifying a cpupool is not allowed with other options.\n']);
  x = await e(['-d', '1', '-w', '0']);
  assert.deepEqual([x.r.status, x.r.requests.at(-1)], [1, { type: 'sched.credit2.set', args: { dom: '1', weight: 0, cap: undefined } }]);
  assert.equal(x.r.stderr, weightRefused.message + '\n');
  x = await e(['-s', '-r', '50']);
  assert.deepEqual([x.r.status, x.r.requests.at(-1)], [1, { type: 'sched.credit2.setPool', args: { pool: undefined, ratelimitUs: 50 } }]);
  assert.equal(x.r.stderr, ratelimitRefused.message + '\n');
  x = await e(['-s', '-r', '0']);
  assert.deepEqual([x.r.status, x.sets], [0, 1]);
  x = await e(['-d', '1', '-w', '512', '-c', '150']);
  assert.deepEqual([x.r.status, x.r.requests.at(-1)], [0, { type: 'sched.credit2.set', args: { dom: '1', weight: 512, cap: 150 } }]);
});

test('shutdown: -a skips Domain-0; -w waits and logs each domain', async () => {
  const r = await runXl(['shutdown', '-a', '-w'], {
    'domain.list': () => fakeDomains.slice(0, 3), 'domain.shutdown': (a: any) => ({ domid: Number(a.dom) }),
    'domain.wait': () => [{ reached: true }],
  });
  assert.equal(r.status, 0);
  assert.equal(r.stderr, 'Shutting down domain 1\nShutting down domain 2\nWaiting for 2 domains\n'
    + 'Domain 1 has been shut down, reason code 0\nDomain 2 has been shut down, reason code 0\n');
  const reboot = await runXl(['reboot', '3'], { 'domain.shutdown': () => ({ domid: 3 }) });
  assert.deepEqual([reboot.stderr, reboot.requests[0].args.action], ['Rebooting domain 3\n', 'reboot']);
  const none = await runXl(['shutdown']);
  assert.deepEqual([none.status, none.stderr], [1, 'You must specify -a or a domain id.\n\n']);
});

test('console: bad -t and Domain-0 are refused', async () => {
  const t = await runXl(['console', '-t', 'foo', '1']);
  assert.deepEqual([t.status, t.stderr], [1, 'console type supported are: pv, serial, vuart\n']);
  const d0 = await runXl(['console', 'Domain-0'], { 'domain.resolve': () => ({ domid: 0, name: 'Domain-0' }) });
  assert.deepEqual([d0.status, d0.stderr], [22, "Can't specify Domain-0\n"]);
});

test('top runs the xentop beside xl and returns its status', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xl-top-'));
  writeFileSync(join(dir, 'xentop'), '#!/bin/sh\nexit 3\n');
  chmodSync(join(dir, 'xentop'), 0o755);
  assert.equal((await runXl(['top'], {}, dir)).status, 3);
});
