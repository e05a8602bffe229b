// xenpm against a real daemon on the virtual clock (issue 15, acceptance 3): an idle and a loaded
// pCPU's C-state and P-state residencies add up to the simulated uptime; a governor change sets
// the frequency the model runs at and the CPU time a fixed amount of work takes; errors and
// exit statuses are xenpm's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { TestHost } from '../helpers/host.ts';
import { vcpuSeconds } from '../helpers/xl-parse.ts';
import { recordsOf, startXentrace } from '../cli/xentrace/xentrace-run.ts';
import { TRC_PM_FREQ_CHANGE, TRC_PM_IDLE_ENTRY, TRC_PM_IDLE_EXIT } from '../../src/hypervisor/trace-events.ts';

let h: TestHost;
before(() => {
  // A spinning guest on pCPU 5 and a guest doing fixed work (20 % at full speed) on pCPU 4.
  h = new TestHost().start().createGuests({ busy: 'vcpus = 1\ncpus = "5"\nworkload = "cpu=100"', work: 'vcpus = 1\ncpus = "4"\nworkload = "cpu=20"' }, '10s');
});
after(() => h.stop());

const xenpm = (...args: string[]) => h.run('xenpm', args);
const uptimeMs = (): number => Math.round(Number(h.run('xenlabd', ['clock']).stdout.split(' ')[1]) * 1000);
/** The millisecond residencies of a get-cpuidle-states or get-cpufreq-states block. */
const residencies = (out: string): number[] => [...out.matchAll(/residency +\[ *(\d+) ms\]/g)].map(m => Number(m[1]));
const sum = (a: number[]): number => a.reduce((x, y) => x + y, 0);
const workSeconds = (): number => vcpuSeconds(h.xlOk('vcpu-list', 'work'));

test('an idle and a loaded pCPU: C-state and P-state residencies add up to the elapsed time', () => {
  const up = uptimeMs();
  for (const cpu of ['2', '5']) {
    const cx = xenpm('get-cpuidle-states', cpu);
    assert.equal(cx.status, 0, cx.stderr);
    assert.match(cx.stdout, new RegExp(`^All C-states allowed\\n\\ncpu id               : ${cpu}\\ntotal C-states       : 4\\nidle time\\(ms\\)        : \\d+\\n`));
    const c = residencies(cx.stdout), p = residencies(xenpm('get-cpufreq-states', cpu).stdout);
    assert.equal(c.length, 4);
    assert.equal(p.length, 10);
    // Each line is truncated to whole milliseconds: the sums fall short by less than one per line.
    assert.ok(sum(c) <= up && sum(c) > up - c.length, `C-states of pCPU ${cpu}: ${c} vs ${up}`);
    assert.ok(sum(p) <= up && sum(p) > up - p.length, `P-states of pCPU ${cpu}: ${p} vs ${up}`);
    const idle = Number(/idle time\(ms\) +: (\d+)/.exec(cx.stdout)![1]);
    assert.ok(Math.abs(idle - sum(c.slice(1))) < 3);
  }
  const idle = residencies(xenpm('get-cpuidle-states', '2').stdout), busy = residencies(xenpm('get-cpuidle-states', '5').stdout);
  assert.ok(idle[3]! > 0.9 * up, `the idle pCPU sleeps in C3: ${idle}`);
  // The loaded pCPU has been in C0 since its guest booted (about a second after creation).
  assert.ok(busy[0]! > up - 1500, `the loaded pCPU stays in C0: ${busy}`);
});

test("debug key 'c' prints each pCPU's ACPI C-states as Xen's dump_cx does: residencies add up to the uptime, '*' on one state (C0 on the loaded pCPU)", () => {
  h.xlOk('dmesg', '-c');
  h.xlOk('debug-keys', 'c');
  const up = uptimeMs(), dump = h.xlOk('dmesg');
  assert.match(dump, /\(XEN\) 'c' pressed -> printing ACPI Cx structures\n\(XEN\) max state: unlimited\n\(XEN\) ==cpu0==\n/);
  for (const [cpu, current] of [['2', 'idle'], ['5', 'C0']] as const) {
    const block = new RegExp(`==cpu${cpu}==\\n((?:.*\\n){6})`).exec(dump)![1]!;
    const lines = block.split('\n').slice(0, 4);
    assert.match(lines[0]!, /^\(XEN\)    [ *]C1:\ttype\[C1\] latency\[  1\] usage\[ *\d+\] method\[  FFH\] duration\[\d+\]$/);
    assert.match(lines[3]!, /^\(XEN\)    [ *]C0:\tusage\[ *\d+\] duration\[\d+\]$/);
    const ns = lines.map(l => Number(/duration\[(\d+)\]/.exec(l)![1]));
    assert.ok(Math.abs(ns.reduce((a, b) => a + b, 0) / 1e6 - up) <= 1, `pCPU ${cpu}: ${ns} vs ${up} ms`);
    assert.equal(lines.filter(l => l.includes('*C')).length, 1, block);
    if (current === 'C0') assert.ok(lines[3]!.includes('*C0:'), `the loaded pCPU ${cpu} is in C0: ${block}`);
  }
});

test('a governor change sets the frequency and the CPU time a fixed amount of work takes', () => {
  const over10s = (): number => { const t = workSeconds(); h.advance('10s'); return workSeconds() - t; };
  // performance (the boot default): P0 with turbo, the speed the workload was sized at.
  assert.match(xenpm('get-cpufreq-para', '4').stdout, /current_governor     : performance\n/);
  assert.ok(Math.abs(over10s() - 2.0) < 0.15);

  let r = xenpm('set-scaling-governor', '4', 'powersave');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout + r.stderr, '');
  const para = xenpm('get-cpufreq-para', '4').stdout;
  assert.match(para, /current_governor     : powersave\n/);
  assert.match(para, /scaling_avail_freq   : 2395000 2394000 2200000 2000000 1800000 1600000 1400000 1200000 1000000 \*800000\n/);
  assert.match(para, /scaling frequency    : max \[2395000\] min \[800000\] cur \[800000\]\n/);
  assert.match(xenpm('get-cpufreq-states', '4').stdout, /current frequency    : 800 MHz\n(.*\n)*\*P9        \[ 800 MHz\]: transition \[ +1\]/);
  // The same work at 800 MHz instead of 3192 MHz (turbo) takes four times the CPU.
  assert.ok(Math.abs(over10s() - 2.0 * 3192 / 800) < 0.3);

  r = xenpm('set-scaling-governor', '4', 'userspace');
  assert.equal(r.status, 0, r.stderr);
  r = xenpm('set-scaling-speed', '4', '1600000');
  assert.equal(r.status, 0, r.stderr);
  assert.match(xenpm('get-cpufreq-para', '4').stdout, /  userspace specific :\n    scaling_setspeed : 1600000\n/);
  assert.ok(Math.abs(over10s() - 2.0 * 3192 / 1600) < 0.2);
});

test('start N: statistics over N simulated seconds', async () => {
  const child = h.spawn('xenpm', ['start', '2']);
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d; });
  while (!stdout.includes('Start sampling')) await once(child.stdout, 'data');
  h.advance('2s');
  await once(child, 'close'); // not 'exit': the statistics it printed last may still be unread
  assert.match(stdout, /^Timeout set to 2 seconds\nStart sampling, waiting for CTRL-C or SIGINT or SIGALARM signal \.\.\.\nElapsed time \(ms\): 2000\n/);
  // The spinning pCPU: all of it in C0 and in P0.
  assert.match(stdout, /\nCPU5:\tResidency\(ms\)\t\tAvg Res\(ms\)\n  C0\t2000\t\(100\.00%\)\t2000\.00\n(.*\n){3}\n  P0\t2000\t\(100\.00%\)\n(.*\n){9}  Avg freq\t3193333\tKHz\n/);
  assert.match(stdout, /\nSocket 0\n\t Core 0 CPU 0\n/);
});

test('set-max-cstate limits the C-states idle time goes to', () => {
  let r = xenpm('set-max-cstate', '1');
  assert.equal(r.stdout, 'max C-state set to C1\nmax C-substate set to unlimited succeeded\n');
  const before = residencies(xenpm('get-cpuidle-states', '2').stdout);
  h.advance('1s');
  const out = xenpm('get-cpuidle-states', '2').stdout;
  assert.match(out, /^Max possible C-state: C1\n\n/);
  const after = residencies(out);
  assert.ok(after[1]! - before[1]! > 900, `C1 took the idle time: ${before} → ${after}`);
  assert.equal(after[3], before[3]);
  r = xenpm('set-max-cstate', 'unlimited');
  assert.equal(r.stdout, 'max C-state set to unlimited\n');
  assert.match(xenpm('get-cpuidle-states', '2').stdout, /^All C-states allowed\n\n/);
});

test('errors in xenpm\'s words and exit statuses', () => {
  let r = xenpm('set-scaling-governor', '0', 'turbo');
  assert.deepEqual([r.status, r.stderr], [0, 'failed to set governor name (22 - Invalid argument)\n']);
  r = xenpm('set-scaling-speed', '1200000');
  assert.equal(r.stderr.split('\n')[0], '[CPU0] failed to set scaling speed (22 - Invalid argument)');
  r = xenpm('get-cpuidle-states', 'x');
  assert.deepEqual([r.status, r.stderr], [22, 'Invalid CPU identifier: \'x\'\n']);
  r = xenpm('set-max-cstate', 'deep');
  assert.deepEqual([r.status, r.stderr], [22, 'Missing, excess, or invalid argument(s)\n']);
  r = xenpm('get');
  assert.equal(r.status, 22);
  assert.match(r.stderr, /^Ambiguous options:  get-cpuidle-states get-cpufreq-states/);
  r = xenpm('get-cpufreq-para', '99');
  assert.deepEqual([r.status, r.stderr], [0, '[CPU99] failed to get cpufreq parameter\n']);
  r = xenpm('set-scaling-maxfreq', '3', '700000');
  assert.equal(r.status, 0);
  r = xenpm('set-scaling-minfreq', '3', '1200000');
  assert.equal(r.stderr, 'failed to set scaling min freq (22 - Invalid argument)\n');
});

test('xentrace records the power states: frequency changes and C-state entries that xenalyze reads', { skip: existsSync('/usr/bin/xenalyze') ? false : 'xenalyze is not installed' }, async () => {
  const file = join(h.home, 'pm.trace');
  // Power management records only (TRC_HW_PM), for one simulated second.
  const run = await startXentrace(h, ['-e', '0x00801000', '-T', '1', file]);
  assert.equal(xenpm('set-scaling-governor', '1', 'powersave').status, 0);
  h.advance('1s');
  const { code, stderr } = await run.exited;
  assert.equal(code, 0, stderr);
  const recs = recordsOf(file);
  const freq = recs.filter(r => r.event === TRC_PM_FREQ_CHANGE);
  assert.deepEqual(freq.map(r => [r.cpu, ...r.data]), [[1, 2395, 800]]);
  // The idle pCPU sleeps in C3 between its rare wake-ups; entries and exits pair up.
  const idle2 = recs.filter(r => r.cpu === 2 && (r.event === TRC_PM_IDLE_ENTRY || r.event === TRC_PM_IDLE_EXIT));
  assert.ok(idle2.length >= 2 && idle2.every(r => r.data[0] === 3), idle2.slice(0, 6).map(r => r.data.join(",")).join(" "));
  const dump = spawnSync('/usr/bin/xenalyze', ['--dump-all', file], { encoding: 'utf8' });
  assert.equal(dump.status, 0, dump.stderr);
  assert.match(dump.stdout, / pm_freq_change o2395 n800\n/);
  assert.match(dump.stdout, / pm_idle_start c3\n/);
  assert.doesNotMatch(dump.stdout, /Strange/);
});

test('governors and the C-state limit stay with the running Xen across a daemon restart', () => {
  assert.equal(xenpm('set-scaling-governor', '6', 'ondemand').status, 0);
  assert.equal(xenpm('set-max-cstate', '2').status, 0);
  h.run('xenlabd', ['stop']);
  h.start();
  assert.match(xenpm('get-cpufreq-para', '6').stdout, /current_governor     : ondemand\n  ondemand specific  :\n    sampling_rate    : max \[10000000\] min \[10000\] cur \[20000\]\n    up_threshold     : 80\n/);
  assert.match(xenpm('get-cpuidle-states', '6').stdout, /^Max possible C-state: C2\n\n/);
});
