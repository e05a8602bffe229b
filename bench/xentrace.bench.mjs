// xentrace throughput: records produced into the per-pCPU trace buffers through the hot path the
// hypervisor uses (rec: masks checked, TSC computed, t_rec written into the ring's words), drained
// as xentrace does at the high-water mark and written to a file, against plain writes of the same
// bytes to a file in the same run. Goal: >= 1M records/s.
// Run: node bench/run.mjs xentrace
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TraceBuffers } from '../src/hypervisor/trace-buffers.ts';
import { decodeWindows } from '../src/formats/trace-record.ts';
import { sized } from './smoke.mjs';

const NR_PCPUS = 4;
const RECORDS = sized(2_000_000, 30_000);
const dir = mkdtempSync(join(tmpdir(), 'xentrace-bench-'));

function traced(path) {
  const fd = openSync(path, 'w');
  const full = new Set();
  const tb = new TraceBuffers({ nrPcpus: NR_PCPUS, mhz: 2400, pagesPerCpu: 32, onHighWater: cpu => full.add(cpu) });
  tb.enable();
  let bytes = 0;
  // Each read (every ring's windows) in one reused buffer and one write, as xentrace does.
  let spare = Buffer.allocUnsafeSlow(1 << 20);
  const flush = () => {
    const b = tb.drain(spare);
    if (b.buffer !== spare.buffer) spare = b;
    writeSync(fd, b); bytes += b.length; full.clear();
  };
  const t0 = performance.now();
  // The scheduler's usual mix: a switch (4 words) and two runstate changes (1 word) per event.
  for (let i = 0; i < RECORDS; i += 3) {
    const cpu = i % NR_PCPUS;
    const ns = i * 1000;
    tb.rec(cpu, ns, 0x0002800a, 4, 1, 0, 32767, cpu);
    tb.rec(cpu, ns, 0x00021021, 1, 0x10000);
    tb.rec(cpu, ns, 0x00021101, 1, 0x7fff0000 | cpu);
    if (full.size) flush();
  }
  flush();
  const ms = performance.now() - t0;
  closeSync(fd);
  return { ms, bytes, lost: tb.totalLost };
}

function plain(path, bytes) {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 0x5a);
  const t0 = performance.now();
  for (let left = bytes; left > 0; left -= chunk.length) writeSync(fd, left >= chunk.length ? chunk : chunk.subarray(0, left));
  const ms = performance.now() - t0;
  closeSync(fd);
  return ms;
}

try {
  traced(join(dir, 'warmup.bin'));
  const t = traced(join(dir, 'trace.bin'));
  const base = plain(join(dir, 'plain.bin'), t.bytes);
  const { readFileSync } = await import('node:fs');
  const nrecs = decodeWindows(readFileSync(join(dir, 'trace.bin'))).reduce((n, w) => n + w.records.length, 0);
  const rate = RECORDS / (t.ms / 1000);
  console.log(`records: ${RECORDS} (${nrecs} in the file incl. wrap fillers), lost: ${t.lost}, bytes: ${t.bytes}`);
  console.log(`traced to file: ${(rate / 1e6).toFixed(2)}M records/s (${t.ms.toFixed(0)} ms)  goal >= 1M/s: ${rate >= 1e6 ? 'met' : 'NOT met'}`);
  console.log(`plain file write of the same bytes: ${base.toFixed(0)} ms; traced/plain time ratio: ${(t.ms / base).toFixed(1)}x`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
