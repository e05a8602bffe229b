// The real xenalyze (Debian's xen-utils-common) judges our trace files: a 10-second host with
// three busy guests, dom0 and a domain created and destroyed in the window, recorded through the
// trace buffers and framed as xentrace writes them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario } from '../cli/xentrace/scenario.ts';
import { runningSeconds } from '../helpers/xenalyze.ts';

const XENALYZE = '/usr/bin/xenalyze';
const skip = existsSync(XENALYZE) ? false : 'xenalyze is not installed (apt-get install xen-utils-common)';
const HZ = 2.4e9; // xenalyze's default cpu speed, the scenario's 2400 MHz

function xenalyze(file: Buffer, args: string[]): { code: number | null; out: string; err: string } {
  const dir = mkdtempSync(join(tmpdir(), 'xenalyze-'));
  try {
    const path = join(dir, 'trace.bin');
    writeFileSync(path, file);
    const r = spawnSync(XENALYZE, [...args, path], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

/** Complaints xenalyze makes about records it finds inconsistent or malformed. */
function complaints(text: string): string[] {
  return text.split('\n').filter(l => /FATAL|Strange|ERROR|Unexpected|extra_words|unknown/i.test(l));
}

test('xenalyze --summary accepts 10 simulated seconds and agrees on each domain\'s running time within 1%', { skip }, () => {
  const sc = runScenario({ seconds: 10 });
  assert.equal(sc.lost, 0);
  const r = xenalyze(sc.file, ['--summary']);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(complaints(r.out + r.err), []);
  assert.match(r.out, /^Total time: 10\.00 seconds \(using cpu speed 2\.40 GHz\)/);
  assert.match(r.out, / dom0op:\s+\d+/);
  const seen = runningSeconds(r.out, HZ);
  for (const dom of [0, 1, 2, 3, 4]) {
    const want = Number(sc.runningNs.get(dom)) / 1e9;
    const got = seen.get(dom);
    assert.ok(got !== undefined, `domain ${dom} missing from the summary`);
    assert.ok(Math.abs(got - want) <= want * 0.01, `domain ${dom}: xenalyze ${got}s, generator ${want}s`);
  }
  assert.ok(Number(sc.runningNs.get(1)) / 1e9 > 5, 'the guests are busy');
});

test('xenalyze -a --report-pcpu accepts the same trace and shows the DOM0OP create and every pCPU', { skip }, () => {
  const sc = runScenario({ seconds: 10 });
  const r = xenalyze(sc.file, ['-a', '--report-pcpu']);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(complaints(r.out + r.err), []);
  assert.match(r.out, /creating domain d4/);
  assert.match(r.out, /csched2:burn_credits d1v0/);
  assert.match(r.out, /runstate_change d4v0 running->offline|runstate_change d4v0 runnable->offline|runstate_change d4v0 blocked->offline/);
  assert.match(r.out, /Total active cpus: 4/);
  for (const cpu of [0, 1, 2, 3]) assert.match(r.out, new RegExp(`^pcpu ${cpu}\\n running:`, 'm'));
});

test('with small rings and a slow reader records are lost, reported in-stream, and xenalyze still accepts the file', { skip }, () => {
  const sc = runScenario({ seconds: 3, pagesPerCpu: 1, drainMs: 1000 });
  assert.ok(sc.lost > 0);
  const s = xenalyze(sc.file, ['--summary']);
  assert.equal(s.code, 0, s.err);
  const a = xenalyze(sc.file, ['-a']);
  assert.equal(a.code, 0, a.err);
  const counts = [...a.out.matchAll(/lost_records count (\d+) d\d+v\d+/g)].map(m => Number(m[1]));
  assert.ok(counts.length > 0);
  assert.ok(counts.reduce((x, y) => x + y, 0) <= sc.lost);
  assert.deepEqual(complaints(a.out + a.err), []);
});

test('with guest activity (PV hypercalls and faults, HVM exits, idle C-states) xenalyze still accepts it, in both modes', { skip }, () => {
  const sc = runScenario({ seconds: 3, activity: true });
  assert.ok(sc.events.has(0x0020100d) && sc.events.has(0x00081102) && sc.events.has(0x00801002));
  const s = xenalyze(sc.file, ['--summary']);
  assert.equal(s.code, 0, s.err);
  assert.deepEqual(complaints(s.out + s.err), []);
  const seen = runningSeconds(s.out, HZ);
  for (const dom of [1, 2, 3]) {
    const want = Number(sc.runningNs.get(dom)) / 1e9;
    assert.ok(Math.abs(seen.get(dom)! - want) <= want * 0.01, `domain ${dom}`);
  }
  const a = xenalyze(sc.file, ['-a', '--report-pcpu']);
  assert.equal(a.code, 0, a.err);
  assert.deepEqual(complaints(a.out + a.err), []);
  assert.match(a.out, /d1v\d hypercall 1d \(sched_op\)/);
  assert.match(a.out, /d3v\d vmexit exit_reason/);
});
