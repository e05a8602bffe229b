// What tracing costs the daemon: a real xenlabd (virtual clock, 8 pCPUs) with three busy guests
// is advanced 10 simulated seconds with tracing off, then again with our xentrace capturing
// every class to a file (records produced, drained every 100 ms, streamed to xentrace). The
// figure is the wall time of the clock-advance request, i.e. the daemon's cost per simulated
// second. Goal: traced/untraced <= 2x. The in-process hypervisor alone is shown too (scheduler
// only, no guests or Dom0 services), and xentrace's own path: records to a file, goal >= 1M/s.
// Needs `npm run build`. Run: node bench/run.mjs trace-cost
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestHost } from '../tests/helpers/host.ts';
import { Connection } from '../src/client/connection.ts';
import { hostPaths } from '../src/protocol/paths.ts';
import { Machine, DEFAULT_MACHINE } from '../src/machine/host.ts';
import { Clock } from '../src/machine/clock.ts';
import { Hypervisor } from '../src/hypervisor/hypervisor.ts';
import { TraceBuffers } from '../src/hypervisor/trace-buffers.ts';

const S = 1_000_000_000n;
const ratioLine = (what, off, on) => {
  const r = on / off;
  console.log(`${what}: tracing off ${off.toFixed(0)} ms, all classes traced ${on.toFixed(0)} ms; traced/untraced ${r.toFixed(2)}x  goal <= 2x: ${r <= 2 ? 'met' : 'NOT met'}`);
};

async function daemonCost() {
  const h = new TestHost('trace-cost').start();
  try {
    for (const g of ['g1', 'g2', 'g3']) {
      const cfg = join(h.home, `${g}.cfg`);
      writeFileSync(cfg, `name = "${g}"\ntype = "pv"\nkernel = "/k"\nmemory = 256\nvcpus = 2\nworkload = "cpu=80"\n`);
      h.xlOk('create', cfg);
    }
    h.advance('2s');
    const conn = await Connection.open(hostPaths(h.home).control);
    const advance = async () => {
      const t0 = performance.now();
      await conn.request('clock.advance', { ns: (10n * S).toString() });
      return performance.now() - t0;
    };
    await advance();
    const off = Math.min(await advance(), await advance());
    const xt = h.spawn('xentrace', [join(h.home, 'trace.bin')]);
    const exited = new Promise(r => xt.on('exit', r));
    while (!(await conn.request('trace.status', {})).readers) await new Promise(r => setTimeout(r, 20));
    const on = Math.min(await advance(), await advance());
    xt.kill('SIGINT');
    await exited;
    const st = await conn.request('trace.status', {});
    conn.close();
    ratioLine('daemon, 10 simulated s with 3 busy guests', off, on);
    console.log(`  (${st.lost} records lost)`);
  } finally { h.stop(); }
}

function inProcess(traced) {
  const clock = new Clock('virtual', 0, 0n);
  const hv = new Hypervisor(new Machine(DEFAULT_MACHINE), clock);
  clock.setStepper(to => hv.step(to));
  const dom = (domid, vcpus, load) => {
    hv.createDomain({ type: 'pv', uuid: `00000000-0000-0000-0000-00000000000${domid}`, maxVcpus: vcpus, onlineVcpus: vcpus, maxMemkb: -1,
      memkb: 262144, weight: 256, cap: 0, poolId: 0, affinity: Array.from({ length: vcpus }, () => ({ hard: null, soft: null })) }, domid);
    for (let v = 0; v < vcpus; v++) hv.setWorkloadDemand(domid, v, load);
  };
  dom(0, 4, 0.01); dom(1, 2, 0.8); dom(2, 2, 0.8); dom(3, 2, 0.8);
  clock.advanceTo(S);
  if (traced) hv.startTracing(32);
  hv.onTraceHighWater = () => { for (const w of hv.trace.drainWindows()) w.toString('base64'); };
  const t0 = performance.now();
  const end = clock.now() + 10n * S;
  while (clock.now() < end) {
    clock.advanceTo(clock.now() + S / 10n);
    if (traced) Buffer.concat(hv.drainTrace()).toString('base64');
  }
  return performance.now() - t0;
}

function fileRate() {
  const dir = mkdtempSync(join(tmpdir(), 'trace-cost-'));
  try {
    const RECORDS = 2_000_000;
    const fd = openSync(join(dir, 't.bin'), 'w');
    const tb = new TraceBuffers({ nrPcpus: 4, mhz: 2400, pagesPerCpu: 32, onHighWater: () => { for (const w of tb.drainWindows()) writeSync(fd, w); } });
    tb.enable();
    const t0 = performance.now();
    for (let i = 0; i < RECORDS; i += 3) {
      const cpu = i % 4, ns = BigInt(i) * 1000n;
      tb.record(cpu, ns, 0x0002800a, [1, 0, 32767, cpu]);
      tb.record(cpu, ns, 0x00021021, [0x10000]);
      tb.record(cpu, ns, 0x00021101, [0x7fff0000 | cpu]);
    }
    for (const w of tb.drainWindows()) writeSync(fd, w);
    const ms = performance.now() - t0;
    closeSync(fd);
    const rate = RECORDS / (ms / 1000);
    console.log(`xentrace to a file: ${(rate / 1e6).toFixed(2)}M records/s  goal >= 1M/s: ${rate >= 1e6 ? 'met' : 'NOT met'}`);
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

await daemonCost();
inProcess(false); inProcess(true);
ratioLine('in-process hypervisor only, 10 simulated s', Math.min(inProcess(false), inProcess(false)), Math.min(inProcess(true), inProcess(true)));
fileRate();
