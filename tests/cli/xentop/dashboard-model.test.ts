// The dashboard's figures from consecutive samples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { addSample, chartedDomains, emptyModel, HISTORY } from '../../../src/cli/xentop/dashboard/model.ts';
import { FIXTURES, shimSample } from './shim-data.ts';

const file = join(FIXTURES, 'screen.data');

test('CPU(%) per domain, host gauges and throughput', () => {
  const a = shimSample(2000, file), b = shimSample(2001, file);
  // One second later the guest has sent 125 KiB more (RX from dom0's side) and written 64 sectors.
  const web = b.domains.find(d => d.domid === 2)!;
  web.nets[0].rxBytes += 125 * 1024;
  web.vbds[0].wrSects += 64;
  let m = addSample(emptyModel(), a);
  assert.deepEqual(m.cpuByDomain.get(3)!.points, [0]);
  m = addSample(m, b);
  assert.equal(m.cpuByDomain.get(3)!.points[1].toFixed(1), '5.0');
  assert.equal(m.cpuByDomain.get(2)!.points[1].toFixed(1), '2.0');
  assert.equal(m.hostMemPct, 25);
  // 5 + 2 + 1 + 1 + 1 + 1 = 11 % of one pCPU, over 8 pCPUs.
  assert.equal(m.hostCpuPct, 11 / 8);
  assert.deepEqual(m.netRxKBps, [0, 125]);
  assert.deepEqual(m.diskWrKBps, [0, 32]);
  assert.deepEqual(m.rows.map(r => r.name).slice(0, 3), ['alpha', 'Beta', 'crashy']);
  assert.deepEqual(chartedDomains(m, null, 2), [3, 2]);
  assert.deepEqual(chartedDomains(m, 6, 2), [3, 6]);
});

test('history is bounded and a new domain starts with zeros', () => {
  let m = emptyModel();
  for (let i = 0; i < HISTORY + 5; i++) {
    const s = shimSample(2000 + i, file);
    if (i < 3) s.domains = s.domains.filter(d => d.domid !== 9);
    m = addSample(m, s);
  }
  assert.equal(m.times.length, HISTORY);
  assert.equal(m.cpuByDomain.get(0)!.points.length, HISTORY);
  assert.equal(m.cpuByDomain.get(9)!.points.length, HISTORY);
});
