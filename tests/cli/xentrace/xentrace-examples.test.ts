// The trace scripts in examples/ as a user runs them, with bin/ on PATH, against a xenlabd on
// the virtual clock (the scripts advance it themselves).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, TestHost, haveBinary } from '../../helpers/host.ts';
import { guestConfig } from './xentrace-run.ts';

let h: TestHost;
before(() => {
  h = new TestHost().start();
  writeFileSync(join(h.home, 'e1.cfg'), guestConfig('e1'));
  writeFileSync(join(h.home, 'e2.cfg'), guestConfig('e2', 'vcpus = 1\nworkload = "cpu=50"\n'));
  h.xlOk('create', join(h.home, 'e1.cfg'));
  h.xlOk('create', join(h.home, 'e2.cfg'));
  h.advance('2s');
});
after(() => h.stop());

function script(name: string, args: string[]) {
  return spawnSync('sh', [join(ROOT, 'examples', name), ...args], {
    cwd: h.home, encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 28,
    env: { ...h.env, PATH: `${BIN}:${process.env.PATH}` },
  });
}

test('trace-sched-summary.sh: running time per domain and the scheduler events', { skip: haveBinary('xenalyze') ? false : 'xenalyze is not installed' }, () => {
  const r = script('trace-sched-summary.sh', ['2', 'sched.trace']);
  assert.equal(r.status, 0, r.stderr);
  const run = new Map([...r.stdout.matchAll(/^(d\d+|\(idle\)) +([\d.]+) s$/gm)].map(m => [m[1]!, Number(m[2])]));
  // e1: two vCPUs at 80%, e2: one at 50%, over two simulated seconds (a vCPU already running when
  // tracing starts is counted from its next switch, as xenalyze does).
  assert.ok(Math.abs(run.get('d1')! - 3.2) < 0.2, r.stdout);
  assert.ok(Math.abs(run.get('d2')! - 1.0) < 0.1, r.stdout);
  assert.match(r.stdout, /^ +\d+ switch_infprev$/m);
  assert.match(r.stdout, /^ +\d+ csched2:credit_burn$/m);
  assert.doesNotMatch(r.stdout, /unknown/);
});

test('trace-follow-domain.sh: only the chosen domain\'s events', () => {
  const r = script('trace-follow-domain.sh', ['e2', '1']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n').filter(Boolean);
  assert.ok(lines.length > 20, r.stdout.slice(0, 500));
  assert.ok(lines.some(l => /runnable_to_running +\[ dom:vcpu = 0x00020000 \]/.test(l)));
  for (const l of lines) assert.match(l, /0x0002|0x00000002/, l);
});
