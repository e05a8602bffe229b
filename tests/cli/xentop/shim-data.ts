// Builds StatsSamples from the realxentop shim's data file (fixtures/host.data), with the same
// synthetic counters the shim gives its fake libxenstat, so that our tables can be compared with
// what the real xentop printed for it (capture-fixtures.mjs).
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DomainStats, StatsSample } from '../../../src/protocol/stats.ts';
import { textFromBytes } from '../../../src/formats/byte-text.ts';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
/** The simulated second of the first sample (capture-fixtures.mjs's T0). */
export const T0 = 2000;

export function shimSample(nowSec: number, file = join(FIXTURES, 'host.data')): StatsSample {
  const domains: DomainStats[] = [];
  // Names are bytes: the daemon hands them over as text with each non-UTF-8 byte escaped.
  for (const line of textFromBytes(readFileSync(file)).split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length !== 10) continue;
    const [domid, rate, nvcpu, memKb, maxKb, nnet, nvbd, created] = [f[0], f[3], f[4], f[5], f[6], f[7], f[8], f[9]].map(Number);
    const flags = f[2];
    const secs = domid ? nowSec - created : created;
    const cpuNs = Math.floor(rate * Math.max(secs, 0) * 1e9);
    const big = domid === 2 ? 300000000000 : 2000;
    domains.push({
      domid, name: f[1],
      dying: flags.includes('d'), shutdown: flags.includes('s'), blocked: flags.includes('b'),
      crashed: flags.includes('c'), paused: flags.includes('p'), running: flags.includes('r'),
      cpuNs, curMemKb: memKb, maxMemKb: maxKb < 0 ? null : maxKb,
      vcpus: Array.from({ length: nvcpu }, (_, id) => ({ id, online: true, ns: Math.floor(cpuNs / nvcpu) })),
      nets: Array.from({ length: Math.min(nnet, 4) }, (_, i) => ({
        id: i, rxBytes: 1000 * (i + 1), rxPackets: 10, rxErrors: 0, rxDrops: 0,
        txBytes: big * (i + 1), txPackets: 20, txErrors: 0, txDrops: 0,
      })),
      vbds: Array.from({ length: Math.min(nvbd, 4) }, () => ({ dev: 51712, backType: 1, ooReqs: 0, rdReqs: 12, wrReqs: 34, rdSects: 96, wrSects: 272 })),
      ssid: 0,
    });
  }
  return {
    ns: nowSec * 1e9, wallMs: nowSec * 1000, xenVersion: '4.17.3',
    totalMemKb: 16 * 1024 * 1024, freeMemKb: 12 * 1024 * 1024, nrCpus: 8, cpuMhz: 2893, domains,
  };
}
