// Traces of the credit, RTDS and null schedulers written through the real trace buffers (as
// xentrace drains them) are read by the real `xenalyze --summary` without errors, and its running
// time per domain agrees with the model's CPU time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TraceBuffers } from '../../src/hypervisor/trace-buffers.ts';
import { Credit } from '../../src/hypervisor/sched-credit/credit.ts';
import { Rtds } from '../../src/hypervisor/sched-rtds/rtds.ts';
import { Null } from '../../src/hypervisor/sched-null/null.ts';
import type { Scheduler, SchedulerOptions } from '../../src/hypervisor/scheduler.ts';
import { runningSeconds } from '../helpers/xenalyze.ts';
import * as E from '../../src/hypervisor/trace-events.ts';
import { decodeWindows } from '../../src/formats/trace-record.ts';

const MS = 1_000_000n;
const XENALYZE = '/usr/bin/xenalyze';

/** Run a 3-pCPU pool for 2 simulated seconds, draining the rings every 10 ms as xentrace does. */
function traceOf(make: (o: SchedulerOptions) => Scheduler): { file: Buffer; sched: Scheduler } {
  const tb = new TraceBuffers({ nrPcpus: 3, mhz: 2400, pagesPerCpu: 32 });
  tb.enable();
  const sched = make({ pcpus: [0, 1, 2], nrPcpus: 3, trace: tb });
  sched.addDomain(1, { nrVcpus: 2, demand: 1 });
  sched.addDomain(2, { nrVcpus: 1, demand: 0.3 });
  sched.addDomain(3, { nrVcpus: 1, demand: 0.6 });
  const chunks: Buffer[] = [];
  for (let t = 10n; t <= 2000n; t += 10n) {
    sched.advance(t * MS);
    if (t === 500n) sched.pauseDomain(3);
    if (t === 800n) sched.unpauseDomain(3);
    if (t === 1200n) sched.setVcpuOnline(1, 1, false);
    chunks.push(tb.drain());
  }
  // xenalyze closes a running span at the vCPU's next runstate change: pausing everything ends them all.
  for (const d of [1, 2, 3]) sched.pauseDomain(d);
  sched.advance(2001n * MS);
  chunks.push(tb.drain());
  return { file: Buffer.concat(chunks), sched };
}

const cases: [string, (o: SchedulerOptions) => Scheduler, number][] = [
  ['credit', o => new Credit(o), E.TRC_CSCHED_SCHEDULE],
  ['rtds', o => new Rtds(o), E.TRC_RTDS_SCHEDULE],
  ['null', o => new Null(o), E.TRC_SNULL_SCHEDULE],
];

for (const [name, make, scheduleEvent] of cases) {
  test(`${name}: the real xenalyze --summary reads the trace without errors and agrees on running time`, { skip: !existsSync(XENALYZE) }, () => {
    const { file, sched } = traceOf(make);
    const events = new Set(decodeWindows(file).flatMap(w => w.records.map(r => r.event)));
    assert.ok(events.has(scheduleEvent), `${name}'s own SCHEDULE records are there`);
    assert.ok(!events.has(E.TRC_LOST_RECORDS));
    const dir = mkdtempSync(join(tmpdir(), `sched-${name}-`));
    const path = join(dir, 'trace.bin');
    writeFileSync(path, file);
    const r = spawnSync(XENALYZE, ['--summary', path], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr.slice(-2000));
    assert.doesNotMatch(r.stderr + r.stdout, /FATAL|Strange|error/i);
    const running = runningSeconds(r.stdout, 2.4e9);
    for (const d of [1, 2, 3]) {
      const model = Number(sched.domainCpuTimeNs(d)) / 1e9;
      assert.ok(Math.abs((running.get(d) ?? 0) - model) < 0.02, `d${d}: xenalyze ${running.get(d)} vs model ${model}`);
    }
  });
}
