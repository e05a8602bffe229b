// Our xentrace capturing a real xenlabd (virtual clock) for 10 simulated seconds with three busy
// guests and a fourth created and destroyed in the window, judged by the real xenalyze (issue 5,
// acceptance 1, 2 and 4): the summary and -a --report-pcpu runs succeed without complaints, each
// domain's running time matches the CPU time the daemon reports to `xl vcpu-list` within 1%,
// DOM0OP records mark the create and the destroy, and our xentrace_format labels every record.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost, haveBinary, ROOT } from '../helpers/host.ts';
import { daemonRequest, guestConfig, recordsOf, startXentrace, traceFile } from '../cli/xentrace/xentrace-run.ts';
import { recordsInFileOrder } from '../../src/formats/trace-record.ts';
import { runningSeconds } from '../helpers/xenalyze.ts';

const XENALYZE = '/usr/bin/xenalyze';
const skip = haveBinary(XENALYZE) ? false : 'xenalyze is not installed';
const TRC_DOM0_DOM_ADD = 0x00041001, TRC_DOM0_DOM_REM = 0x00041002;

let h: TestHost;
let file = '';
let mhz = 0;
/** CPU seconds per domain over the traced interval, as `xl vcpu-list` reports them. */
const cpuSeconds = new Map<number, number>();
let g4 = -1;

async function vcpuTimes(): Promise<Map<number, number>> {
  const r = await daemonRequest(h, 'vcpu.list', {});
  const m = new Map<number, number>();
  for (const v of r.vcpus) m.set(v.domid, (m.get(v.domid) ?? 0) + Number(v.cpuTimeNs) / 1e9);
  return m;
}

before(async () => {
  if (skip) return;
  h = new TestHost().start();
  for (const g of ['g1', 'g2', 'g3']) {
    writeFileSync(join(h.home, `${g}.cfg`), guestConfig(g));
    h.xlOk('create', join(h.home, `${g}.cfg`));
  }
  writeFileSync(join(h.home, 'g4.cfg'), guestConfig('g4', 'vcpus = 1\n'));
  h.advance('2s');
  mhz = (await daemonRequest(h, 'host.info', {})).cpuKhz / 1000;
  file = traceFile(h, 'trace.bin');
  const t0 = await vcpuTimes();
  const xt = await startXentrace(h, [file]);
  h.advance('3s');
  h.xlOk('create', join(h.home, 'g4.cfg'));
  g4 = Number(h.xlOk('domid', 'g4').trim());
  h.advance('3s');
  const g4Cpu = (await vcpuTimes()).get(g4)!;
  h.xlOk('destroy', 'g4');
  h.advance('4s');
  const t1 = await vcpuTimes();
  xt.proc.kill('SIGINT');
  const r = await xt.exited;
  assert.equal(r.code, 0, r.stderr);
  for (const [dom, s] of t1) cpuSeconds.set(dom, s - (t0.get(dom) ?? 0));
  cpuSeconds.set(g4, g4Cpu);
});
after(() => h?.stop());

function xenalyze(args: string[]): { code: number | null; out: string } {
  const r = spawnSync(XENALYZE, [...args, file], { encoding: 'utf8', maxBuffer: 1 << 30 });
  return { code: r.status, out: r.stdout + r.stderr };
}

const complaints = (out: string): string[] => out.split('\n').filter(l => /FATAL|Strange|ERROR/.test(l));

test('xenalyze --summary accepts 10 s of our xentrace; running time per domain = xl vcpu-list CPU time within 1%', { skip }, () => {
  const r = xenalyze(['--summary', `--cpu-hz=${mhz * 1e6}`]);
  assert.equal(r.code, 0, r.out.slice(-2000));
  assert.deepEqual(complaints(r.out), []);
  assert.match(r.out, /Total time: 1\d\.\d\d seconds/);
  const seen = runningSeconds(r.out, mhz * 1e6);
  assert.deepEqual([...cpuSeconds.keys()].sort(), [0, 1, 2, 3, g4].sort());
  for (const [dom, want] of cpuSeconds) {
    const got = seen.get(dom) ?? 0;
    assert.ok(want > 0.3 && Math.abs(got - want) <= want * 0.01, `d${dom}: xenalyze ${got.toFixed(4)} s, xl vcpu-list ${want.toFixed(4)} s`);
  }
});

test('the domain created and destroyed in the window appears as DOM0OP records, in that order', { skip }, () => {
  const ops = recordsOf(file).filter(r => r.event === TRC_DOM0_DOM_ADD || r.event === TRC_DOM0_DOM_REM);
  assert.deepEqual(ops.map(r => [r.event, r.data]), [[TRC_DOM0_DOM_ADD, [g4]], [TRC_DOM0_DOM_REM, [g4]]]);
  assert.ok(ops[0]!.tsc! < ops[1]!.tsc!);
});

test('xenalyze -a --report-pcpu accepts it: every pCPU active, the new domain seen', { skip }, () => {
  const r = xenalyze(['-a', '--report-pcpu']);
  assert.equal(r.code, 0, r.out.slice(-2000));
  assert.deepEqual(complaints(r.out), []);
  assert.match(r.out, new RegExp(`creating domain d${g4}`));
  assert.match(r.out, /Total active cpus: 8/);
});

test('our xentrace_format with our formats prints every record, none through the default rule', { skip }, () => {
  const bytes = readFileSync(file);
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/xentrace_format'), join(ROOT, 'share/xentrace/formats')],
    { input: bytes, encoding: 'utf8', maxBuffer: 1 << 30 });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n').filter(Boolean);
  let n = 0;
  for (const _ of recordsInFileOrder(bytes)) n++;
  assert.equal(lines.length, n);
  assert.deepEqual(lines.filter(l => /unknown \(0x/.test(l)).slice(0, 5), []);
  for (const label of ['domain_create', 'domain_destroy', 'csched2:credit_burn', 'runnable_to_running', 'hypercall', 'cpu_idle_entry'])
    assert.ok(lines.some(l => l.includes(label)), label);
});
