// Credit2's observable behaviour, pinned down before its common machinery moved onto
// sched-core: for varied scenarios, every trace record (pCPU, TSC, event, payload), every
// singleshot-timer callback, and at checkpoints each vCPU's CPU time, state, pCPU, affinity and
// workload, the pCPUs' idle times and current vCPUs, and the 'r' dump. The fixtures were
// written by the scheduler as it was; a refactor must reproduce them byte for byte.
// GOLDEN_UPDATE=1 rewrites them (only when a difference has been judged and explained).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Credit2 } from '../../src/hypervisor/credit2/index.ts';
import { Cpupools } from '../../src/hypervisor/cpupools.ts';
import { sinkOf, type TraceSink } from '../../src/hypervisor/trace-sink.ts';
import type { Scheduler } from '../../src/hypervisor/scheduler.ts';

const DIR = join(import.meta.dirname, 'fixtures', 'credit2-golden');
const MS = 1_000_000n;

/** What a scenario writes: one line per record, timer callback and checkpoint fact. */
class Log {
  readonly lines: string[] = [];
  readonly sink: TraceSink = sinkOf({
    enabled: true, wants: () => true,
    record: (cpu, ns, ev, data) => { this.lines.push(`R ${ns} c${cpu} ${ev.toString(16)} ${[...data].map(w => (w >>> 0).toString(16)).join(' ')}`); },
  });
  readonly timer = (domid: number, vcpu: number, n: number): void => { this.lines.push(`T ${domid}.${vcpu} ${n}`); };

  /** Everything the scheduler answers about its domains, vCPUs and pCPUs. */
  state(s: Scheduler, nrPcpus: number, label: string): void {
    this.lines.push(`# ${label}`);
    for (const d of s.domains()) {
      this.lines.push(`D ${d} cpu=${s.domainCpuTimeNs(d)}`);
      for (let v = 0; ; v++) {
        let info;
        try { info = s.vcpu(d, v); } catch { break; }
        const w = s.vcpuWork(d, v);
        this.lines.push(`V ${d}.${v} ${JSON.stringify(info, (_, x) => (typeof x === 'bigint' ? x.toString() : x))} st=${JSON.stringify(s.vcpuStatus(d, v))} t=${s.vcpuCpuTimeNs(d, v)} w=${JSON.stringify(w)}`);
      }
    }
    for (let c = 0; c < nrPcpus; c++) {
      let idle: bigint | string;
      try { idle = s.pcpuIdleTimeNs(c); } catch (e) { idle = (e as Error).message; }
      this.lines.push(`P ${c} idle=${idle} cur=${JSON.stringify(s.pcpuCurrent(c))}`);
    }
    this.lines.push(...s.dump().map(l => `| ${l}`));
  }
}

/** Run `from..to` in uneven steps, as the daemon's ticks would. */
function run(s: { advance(ns: bigint): void }, from: bigint, to: bigint, step = 7n * MS): void {
  for (let t = from + step; t < to; t += step) s.advance(t);
  s.advance(to);
}

const SCENARIOS: Record<string, (log: Log) => void> = {
  'weights-caps'(log) {
    const s = new Credit2({ nrPcpus: 4, trace: log.sink, timer: log.timer });
    s.addDomain(0, { nrVcpus: 1, demand: 0.2 });
    s.addDomain(1, { nrVcpus: 4, demand: 1, weight: 128 });
    s.addDomain(2, { nrVcpus: 2, demand: 1, weight: 512, cap: 50 });
    s.addDomain(3, { nrVcpus: 2, demand: 0.7, cap: 120 });
    run(s, 0n, 100n * MS);
    log.state(s, 4, '100ms');
    s.setParams(1, { weight: 1024 });
    s.setParams(2, { cap: 0 });
    s.setParams(3, { cap: 30, weight: 64 });
    run(s, 100n * MS, 200n * MS, 3n * MS);
    log.state(s, 4, '200ms');
    s.removeDomain(1);
    s.setParams(2, { cap: 10 });
    run(s, 200n * MS, 300n * MS, 11n * MS);
    log.state(s, 4, '300ms');
  },

  affinity(log) {
    const s = new Credit2({ nrPcpus: 4, pcpus: [0, 1, 2], trace: log.sink, timer: log.timer });
    s.addDomain(1, { nrVcpus: 4, demand: 1, hardAffinity: [[0], [0, 1], null, [3]], softAffinity: [null, null, [2], [1, 2]] });
    s.addDomain(2, { nrVcpus: 2, demand: 0.6, softAffinity: [[0], [1]] });
    run(s, 0n, 50n * MS);
    log.state(s, 4, '50ms');
    s.setAffinity(1, 2, [1], null);
    s.setAffinity(1, 0, [], [2]);
    s.setAffinity(2, 1, [2], null);
    s.setAffinity(1, 3, null, [0]);
    run(s, 50n * MS, 120n * MS, 5n * MS);
    log.state(s, 4, '120ms');
    s.addPcpu(3);
    s.setAffinity(1, 1, [3], [3]);
    run(s, 120n * MS, 200n * MS, 9n * MS);
    log.state(s, 4, '200ms');
  },

  'io-workloads'(log) {
    const s = new Credit2({ nrPcpus: 2, trace: log.sink, timer: log.timer });
    s.addDomain(0, { nrVcpus: 2, demand: 0.05 });
    s.addDomain(1, { nrVcpus: 1, demand: 0.3 });
    s.addDomain(2, { nrVcpus: 2, demand: 0.5, weight: 384 });
    s.addDomain(3, { nrVcpus: 1, demand: 1 });
    s.addDomain(4, { nrVcpus: 1 });
    run(s, 0n, 80n * MS, 4n * MS);
    log.state(s, 2, '80ms');
    s.setDemand(3, 0, 0);
    s.setDemand(4, 0, 1);
    s.setDemand(1, 0, 0.8);
    s.setDemand(2, 1, 0.1);
    run(s, 80n * MS, 160n * MS, 6n * MS);
    log.state(s, 2, '160ms');
    s.setDemand(4, 0, 0.02);
    s.setDemand(3, 0, 0.4);
    run(s, 160n * MS, 260n * MS, 13n * MS);
    log.state(s, 2, '260ms');
  },

  'pause-offline'(log) {
    const s = new Credit2({ nrPcpus: 3, trace: log.sink, timer: log.timer });
    s.addDomain(0, { nrVcpus: 2, demand: 0.3 });
    s.addDomain(1, { nrVcpus: 3, demand: 1, onlineVcpus: 2 });
    s.addDomain(2, { nrVcpus: 2, demand: 0.9, paused: true });
    run(s, 0n, 40n * MS);
    log.state(s, 3, '40ms');
    s.unpauseDomain(2);
    s.setVcpuOnline(1, 2, true);
    run(s, 40n * MS, 70n * MS, 3n * MS);
    s.pauseDomain(1);
    s.setVcpuOnline(0, 1, false);
    log.state(s, 3, '70ms');
    run(s, 70n * MS, 110n * MS, 5n * MS);
    s.setVcpuOnline(2, 0, false);
    s.unpauseDomain(1);
    s.pauseDomain(2);
    run(s, 110n * MS, 150n * MS, 5n * MS);
    s.setVcpuOnline(2, 0, true);
    s.setVcpuOnline(0, 1, true);
    s.unpauseDomain(2);
    run(s, 150n * MS, 220n * MS, 10n * MS);
    log.state(s, 3, '220ms');
  },

  'shared-runqueue-resets'(log) {
    const s = new Credit2({ nrPcpus: 2, trace: log.sink, timer: log.timer });
    [64, 128, 256, 512, 1024, 2048].forEach((weight, i) => s.addDomain(i + 1, { nrVcpus: 1 + (i % 2), demand: 1, weight }));
    s.addDomain(7, { nrVcpus: 2, demand: 1, cap: 25 });
    s.addDomain(8, { nrVcpus: 1, demand: 0.15 });
    run(s, 0n, 250n * MS, 10n * MS);
    log.state(s, 2, '250ms');
    s.setParams(6, { weight: 1 });
    run(s, 250n * MS, 400n * MS, 17n * MS);
    log.state(s, 2, '400ms');
  },

  'multi-socket'(log) {
    const topology = Array.from({ length: 8 }, (_, i) => ({ socket: i >> 2, core: i >> 1, node: i >> 2 }));
    const s = new Credit2({ nrPcpus: 8, runqueuePerSocket: 4, topology, trace: log.sink, timer: log.timer });
    s.addDomain(0, { nrVcpus: 2, demand: 0.2 });
    s.addDomain(1, { nrVcpus: 6, demand: 1, hardAffinity: [[0, 1, 2, 3], [0, 1, 2, 3], [0, 1, 2, 3], [0, 1, 2, 3], [0, 1, 2, 3], [0, 1, 2, 3]] });
    s.addDomain(2, { nrVcpus: 3, demand: 0.5, weight: 512 });
    run(s, 0n, 60n * MS);
    log.state(s, 8, '60ms');
    for (let v = 0; v < 6; v++) s.setAffinity(1, v, [], null);
    run(s, 60n * MS, 120n * MS, 4n * MS);
    log.state(s, 8, '120ms');
    s.removePcpu(5);
    s.removePcpu(6);
    run(s, 120n * MS, 160n * MS, 6n * MS);
    s.addPcpu(5);
    s.resume();
    run(s, 160n * MS, 220n * MS, 6n * MS);
    log.state(s, 8, '220ms');
  },

  cpupool(log) {
    const c = new Cpupools({ nrPcpus: 6, sched: 'credit2', trace: log.sink, timer: log.timer });
    c.create('batch', 'credit2');
    for (const cpu of [4, 5]) { c.removeCpu(0, cpu); c.addCpu(1, cpu); }
    c.addDomain(0, 0, { nrVcpus: 2, demand: 0.25 });
    c.addDomain(1, 1, { nrVcpus: 3, demand: 1 });
    c.addDomain(2, 0, { nrVcpus: 2, demand: 0.8, weight: 512 });
    c.addDomain(3, 1, { nrVcpus: 1, demand: 0.4, cap: 20 });
    run(c, 0n, 50n * MS);
    log.state(c.get(0)!.sched, 6, 'Pool-0 50ms');
    log.state(c.get(1)!.sched, 6, 'batch 50ms');
    c.moveDomain(2, 1);
    c.removeCpu(0, 3);
    c.addCpu(1, 3);
    c.pauseDomain(1);
    run(c, 50n * MS, 100n * MS, 5n * MS);
    c.unpauseDomain(1);
    c.moveDomain(3, 0);
    run(c, 100n * MS, 150n * MS, 5n * MS);
    log.state(c.get(0)!.sched, 6, 'Pool-0 150ms');
    log.state(c.get(1)!.sched, 6, 'batch 150ms');
  },

  ratelimit(log) {
    const s = new Credit2({ nrPcpus: 2, trace: log.sink, timer: log.timer });
    s.addDomain(1, { nrVcpus: 2, demand: 1 });
    s.addDomain(2, { nrVcpus: 2, demand: 0.3, weight: 512 });
    s.addDomain(3, { nrVcpus: 1, demand: 0.1 });
    for (const [i, us] of [0, 100, 5000, 1000, 30_000].entries()) {
      s.setRatelimit(us);
      run(s, BigInt(i) * 60n * MS, BigInt(i + 1) * 60n * MS, 3n * MS);
      log.state(s, 2, `ratelimit ${us}`);
    }
  },
};

for (const [name, scenario] of Object.entries(SCENARIOS)) {
  test(`credit2 golden: ${name}`, () => {
    const log = new Log();
    scenario(log);
    const text = log.lines.join('\n') + '\n';
    const file = join(DIR, `${name}.txt.gz`);
    if (process.env.GOLDEN_UPDATE === '1') {
      mkdirSync(DIR, { recursive: true });
      writeFileSync(file, gzipSync(text, { level: 9 }));
    }
    assert.ok(existsSync(file), `${file} is missing (GOLDEN_UPDATE=1 writes it)`);
    const want = gunzipSync(readFileSync(file)).toString();
    if (text === want) return;
    const got = text.split('\n'), exp = want.split('\n');
    let i = 0;
    while (i < got.length && got[i] === exp[i]) i++;
    assert.fail(`${name}: first difference at line ${i + 1} of ${exp.length}\n` +
      `context:\n  ${exp.slice(Math.max(0, i - 5), i).join('\n  ')}\nwant: ${exp[i]}\ngot:  ${got[i]}\nnext want:\n  ${exp.slice(i + 1, i + 6).join('\n  ')}\nnext got:\n  ${got.slice(i + 1, i + 6).join('\n  ')}`);
  });
}
