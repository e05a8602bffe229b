// Our xentrace_format against the traces our buffers write, and against Debian's own script
// (the 4.17 Python 2 xentrace_format) run under python2.7 where that is available.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario } from './scenario.ts';
import { decodeWindows, encodeRecord } from '../../../src/formats/trace-record.ts';

const MAIN = new URL('../../../src/cli/xentrace/format-main.ts', import.meta.url).pathname;
const FORMATS = new URL('../../../share/xentrace/formats', import.meta.url).pathname;
const PYTHON2 = '/root/.pyenv/versions/2.7.18/bin/python2.7';
const REAL = '/usr/bin/xentrace_format';
const noPython = existsSync(PYTHON2) && existsSync(REAL) ? false : 'python2.7 or Debian\'s xentrace_format is missing';

interface Run { code: number | null; out: string; err: string }
const ours = (args: string[], input: Buffer): Run => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { input, encoding: 'utf8', maxBuffer: 512 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const real = (args: string[], input: Buffer): Run => {
  const r = spawnSync(PYTHON2, [REAL, ...args], { input, encoding: 'utf8', maxBuffer: 512 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
function withFile<T>(name: string, text: string, fn: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'xtf-'));
  try { const p = join(dir, name); writeFileSync(p, text); return fn(p); } finally { rmSync(dir, { recursive: true, force: true }); }
}

const trace = runScenario({ seconds: 2 });

test('every record is printed with a label from our formats file, in file order', () => {
  const r = ours([FORMATS], trace.file);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trimEnd().split('\n');
  const windows = decodeWindows(trace.file);
  assert.equal(lines.length, windows.length + windows.reduce((n, w) => n + w.records.length, 0));
  assert.deepEqual(lines.filter(l => /unknown/.test(l)), []);
  // File order: each window's lines carry its cpu, starting with its cpu_change line.
  let i = 0;
  for (const w of windows) {
    assert.equal(lines[i], `CPU${w.cpu}  0 (+       0)  cpu_change        0x${w.cpu.toString(16).padStart(8, '0')}`);
    for (let k = 0; k <= w.records.length; k++) assert.ok(lines[i + k]!.startsWith(`CPU${w.cpu}  `));
    i += w.records.length + 1;
  }
  assert.ok(lines.some(l => /csched2:credit_burn +\[ dom:vcpu = 0x00010000, credit = -?\d+, budget = -?\d+, delta = \d+ \]/.test(l)));
  assert.ok(lines.some(l => / domain_create +\[ dom = 0x00000004 \]/.test(l)));
  assert.ok(lines.some(l => / __enter_scheduler \[ prev<dom:vcpu> = 0x[0-9a-f]{8}, next<dom:vcpu> = 0x[0-9a-f]{8} \]/.test(l)));
});

test('guest activity records (PV, HVM, power management) all have labels too', () => {
  const busy = runScenario({ seconds: 1, activity: true });
  const r = ours([FORMATS], busy.file);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(r.out.split('\n').filter(l => /unknown/.test(l)).slice(0, 3), []);
  for (const label of [' hypercall  [ op = ', ' page_fault [ rip = ', ' VMEXIT      [ exitcode = ', ' VMENTRY', ' cpu_idle_entry ', ' cpu_idle_exit ']) {
    assert.ok(r.out.includes(label), label);
  }
});

test('lost records print with their count', () => {
  const lossy = runScenario({ seconds: 2, pagesPerCpu: 1, drainMs: 1000 });
  const r = ours([FORMATS], lossy.file);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /lost_records +\[ lost = [1-9]\d*, vcpu\[16\]:dom\[16\] = 0x[0-9a-f]{8}, first_tsc = 0x[0-9a-f]{16} \]/);
});

test('the same output as Debian\'s script under Python 2, with and without -c', { skip: noPython }, () => {
  for (const args of [[FORMATS], ['-c', '2400', FORMATS], ['-c3', FORMATS]]) {
    const a = ours(args, trace.file), b = real(args, trace.file);
    assert.equal(a.code, b.code);
    assert.equal(a.out, b.out, `xentrace_format ${args.join(' ')}`);
  }
  // PV hypercalls (argument bits masked off), HVM exits and C-states too.
  const busy = runScenario({ seconds: 1, activity: true }).file;
  assert.equal(ours([FORMATS], busy).out, real([FORMATS], busy).out);
});

test('rules that Python formats oddly come out the same: floats, flags, type errors, events without rules', { skip: noPython }, () => {
  const rules = [
    '# no rule 0: events without a rule print nothing',
    '0x0002800a  %(tsc)s %(tsc)f %(tsc).3e %(tsc)g %(tsc)x %(reltsc)-9d| %(1)#o %(3)+d %(4)X 100%%',
    '0x0002800e  %(cpu)d %d',
    '0x00021011  [%(1)10.4x] [%(1)-10x] [%(event)r] [%(1)5s]',
    '0x0001f003  cpu %(1)d window %(2)d',
  ].join('\n') + '\n';
  withFile('rules', rules, path => {
    for (const args of [[path], ['-c', '7', path]]) {
      const a = ours(args, trace.file), b = real(args, trace.file);
      assert.equal(a.code, b.code);
      assert.equal(a.out, b.out, `xentrace_format ${args.join(' ')}`);
    }
  });
});

test('trace_irq records accumulate in one table for all vectors, and a negative span ends the output, as in the script', { skip: noPython }, () => {
  const irq = (vec: number, tin: number, tout: number): Buffer => encodeRecord({ event: 0x0001f004, tsc: BigInt(tout), data: [vec, tin, tout] });
  const body = Buffer.concat([irq(32, 100, 150), irq(48, 200, 210), irq(32, 300, 400), irq(33, 500, 450), irq(32, 600, 700)]);
  const file = Buffer.concat([encodeRecord({ event: 0x0001f003, data: [0, body.length] }), body]);
  const a = ours([FORMATS], file), b = real([FORMATS], file);
  assert.equal(a.out.trimEnd().split('\n').length, 4);
  assert.match(a.out, /trace_irq    \[ vector = 32, count = 3, tot_cycles = 0x000000a0, max_cycles = 0x00000064 \]/);
  assert.equal(a.out, b.out);
  assert.equal(a.code, b.code);
});

test('TSC going backwards on a cpu is reported as the script does', { skip: noPython }, () => {
  const rec = (tsc: bigint): Buffer => encodeRecord({ event: 0x00021011, tsc, data: [0x10000] });
  const body = Buffer.concat([rec(2000n), rec(1000n), rec(3000n)]);
  const file = Buffer.concat([encodeRecord({ event: 0x0001f003, data: [0, body.length] }), body]);
  const a = ours([FORMATS], file), b = real([FORMATS], file);
  assert.match(a.out, /TSC stepped backward cpu 0 !  1000 2000/);
  assert.equal(a.out, b.out);
});

test('errors: a missing rules file, a bad rules file, no arguments, a stream without cpu_change', () => {
  const missing = ours(['/nonexistent/formats'], Buffer.alloc(0));
  assert.equal(missing.code, 1);
  assert.equal(missing.out, "[Errno 2] No such file or directory: '/nonexistent/formats'\n");
  withFile('bad', '0x0002800a\n', path => {
    const r = ours([path], Buffer.alloc(0));
    assert.equal(r.code, 1);
    assert.equal(r.err, 'Bad format file\n');
  });
  const none = ours([], Buffer.alloc(0));
  assert.equal(none.code, 1);
  assert.match(none.err, /^Usage: xentrace_format/);
  const headless = ours([FORMATS], encodeRecord({ event: 0x00021011, tsc: 1n, data: [0] }));
  assert.equal(headless.code, 1);
  assert.match(headless.err, /cpu/);
});
