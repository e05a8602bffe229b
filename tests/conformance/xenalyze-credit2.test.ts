// The real scheduler (credit2) recording into the real trace buffers, drained as xentrace polls,
// judged by the real xenalyze: 10 simulated seconds of a 4-pCPU host with dom0, three busy guests
// and a guest created and destroyed in the window. Running time per domain must match the
// scheduler's own CPU time accounting within 1%; our xentrace_format must label every record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Credit2 } from '../../src/hypervisor/credit2/index.ts';
import { TraceBuffers } from '../../src/hypervisor/trace-buffers.ts';
import { TRC_DOM0_DOM_ADD, TRC_DOM0_DOM_REM } from '../../src/hypervisor/trace-events.ts';
import { runningSeconds } from '../helpers/xenalyze.ts';

const XENALYZE = '/usr/bin/xenalyze';
const skip = existsSync(XENALYZE) ? false : 'xenalyze is not installed';
const S = 1_000_000_000n;
const MS = 1_000_000n;

function traceHost(): { file: Buffer; cpuNs: Map<number, bigint>; lost: number } {
  const tb = new TraceBuffers({ nrPcpus: 4, mhz: 2400, pagesPerCpu: 64 });
  tb.enable();
  const c = new Credit2({ nrPcpus: 4, trace: tb });
  const chunks: Buffer[] = [];
  let now = 0n;
  const run = (until: bigint): void => {
    while (now < until) { now += 100n * MS; c.advance(now); chunks.push(tb.drain()); }
  };
  // As the hypervisor does: domain_create records DOM0_DOM_ADD on the pCPU running the toolstack.
  const create = (domid: number, o: Parameters<Credit2['addDomain']>[1]): void => {
    tb.record(0, now, TRC_DOM0_DOM_ADD, [domid]);
    c.addDomain(domid, o);
  };
  create(0, { nrVcpus: 2, demand: 0.1 });
  create(1, { nrVcpus: 2, demand: 1 });
  create(2, { nrVcpus: 2, demand: 0.9, weight: 512 });
  create(3, { nrVcpus: 1, demand: 1, cap: 50 });
  run(3n * S);
  create(4, { nrVcpus: 1, demand: 0.7 });
  run(7n * S);
  const cpu4 = c.domainCpuTimeNs(4);
  c.removeDomain(4);
  tb.record(0, now, TRC_DOM0_DOM_REM, [4]);
  run(10n * S);
  const cpuNs = new Map([0, 1, 2, 3].map(d => [d, c.domainCpuTimeNs(d)] as [number, bigint]));
  cpuNs.set(4, cpu4);
  return { file: Buffer.concat(chunks), cpuNs, lost: tb.totalLost };
}

function xenalyze(file: Buffer, args: string[]): { code: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'xenalyze-c2-'));
  try {
    writeFileSync(join(dir, 't.bin'), file);
    const r = spawnSync(XENALYZE, [...args, join(dir, 't.bin')], { encoding: 'utf8', maxBuffer: 512 << 20 });
    return { code: r.status, out: r.stdout + r.stderr };
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

const host = skip ? undefined : traceHost();

test('xenalyze --summary accepts a credit2 host traced for 10 s; running time per domain within 1%', { skip }, () => {
  const { file, cpuNs, lost } = host!;
  assert.equal(lost, 0);
  const r = xenalyze(file, ['--summary']);
  assert.equal(r.code, 0, r.out.slice(-2000));
  assert.deepEqual(r.out.split('\n').filter(l => /FATAL|Strange|ERROR/.test(l)), []);
  const seen = runningSeconds(r.out, 2.4e9);
  for (const [dom, ns] of cpuNs) {
    const want = Number(ns) / 1e9, got = seen.get(dom) ?? 0;
    assert.ok(want > 1 && Math.abs(got - want) <= want * 0.01, `d${dom}: xenalyze ${got.toFixed(4)}s, credit2 ${want.toFixed(4)}s`);
  }
});

test('xenalyze -a --report-pcpu accepts it and shows the domain created in the window', { skip }, () => {
  const r = xenalyze(host!.file, ['-a', '--report-pcpu']);
  assert.equal(r.code, 0, r.out.slice(-2000));
  assert.deepEqual(r.out.split('\n').filter(l => /FATAL|Strange|ERROR/.test(l)), []);
  assert.match(r.out, /creating domain d4/);
  assert.match(r.out, /Total active cpus: 4/);
});

test('our xentrace_format labels every record of it', { skip }, () => {
  const main = new URL('../../src/cli/xentrace/format-main.ts', import.meta.url).pathname;
  const formats = new URL('../../share/xentrace/formats', import.meta.url).pathname;
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, formats], { input: host!.file, encoding: 'utf8', maxBuffer: 512 << 20 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.split('\n').filter(l => /unknown/.test(l)).slice(0, 5), []);
  assert.match(r.stdout, /csched2:credit_burn/);
  assert.match(r.stdout, /domain_destroy +\[ dom = 0x00000004 \]/);
});
