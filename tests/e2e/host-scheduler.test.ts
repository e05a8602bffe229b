// CPU time comes out of the credit2 model on the simulated clock (issue 2, acceptance 3).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestHost } from '../helpers/host.ts';
import { row, vcpuSeconds } from '../helpers/xl-parse.ts';

let h: TestHost;
before(() => { h = new TestHost().start(); });
after(() => h.stop());

const cfg = (name: string, body = ''): string => h.guestConfig(name, body);

const cpuSeconds = (name: string): number => vcpuSeconds(h.xlOk('vcpu-list', name));

test('a CPU-bound guest gets one second per simulated second per busy vCPU', () => {
  h.xlOk('create', cfg('busy2', 'vcpus = 2\nworkload = "cpu=100"'));
  h.advance('5s'); // boot done
  const t0 = cpuSeconds('busy2');
  h.advance('10s');
  const t1 = cpuSeconds('busy2');
  assert.ok(Math.abs((t1 - t0) - 20) < 0.2, `busy2 ran ${t1 - t0}s in 10s on 2 vCPUs`);
  const list = row(h.xlOk('list'), 'busy2');
  assert.ok(list.time >= 20, `xl list Time(s) ${list.time}`);
  h.xlOk('destroy', 'busy2');
});

test('weights 256 and 512 on one pCPU share it 1:2 within 3%', () => {
  h.xlOk('create', cfg('w256', 'vcpus = 1\ncpus = "6"\ncpu_weight = 256\nworkload = "cpu=100"'));
  h.xlOk('create', cfg('w512', 'vcpus = 1\ncpus = "6"\ncpu_weight = 512\nworkload = "cpu=100"'));
  h.advance('5s');
  const a0 = cpuSeconds('w256'), b0 = cpuSeconds('w512');
  h.advance('10s');
  const a = cpuSeconds('w256') - a0, b = cpuSeconds('w512') - b0;
  assert.ok(Math.abs(a + b - 10) < 0.2, `pCPU 6 gave ${a + b}s in 10s`);
  assert.ok(Math.abs(b / a - 2) / 2 < 0.03, `ratio ${b / a} (${a}s vs ${b}s)`);
  const sched = h.xlOk('sched-credit2', '-d', 'w512');
  assert.match(sched, /^w512\s+\d+\s+512\s+0$/m);
  h.xlOk('destroy', 'w256');
  h.xlOk('destroy', 'w512');
});

test('cap 50 gives half a pCPU', () => {
  h.xlOk('create', cfg('capped', 'vcpus = 1\ncap = 50\nworkload = "cpu=100"'));
  h.advance('5s');
  const t0 = cpuSeconds('capped');
  h.advance('10s');
  const t = cpuSeconds('capped') - t0;
  assert.ok(Math.abs(t - 5) < 0.25, `capped guest ran ${t}s in 10s`);
  h.xlOk('sched-credit2', '-d', 'capped', '-c', '0');
  const t1 = cpuSeconds('capped');
  h.advance('5s');
  assert.ok(Math.abs(cpuSeconds('capped') - t1 - 5) < 0.2, 'uncapped it runs flat out');
  h.xlOk('destroy', 'capped');
});
