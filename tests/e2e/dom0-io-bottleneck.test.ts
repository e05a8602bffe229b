// Backends cost Dom0 CPU (issue 13, acceptance 4): eight guests each sending 50 MiB/s and
// writing 50 MiB/s keep netback and blkback busy on Dom0's vCPUs. With one Dom0 vCPU, Dom0's
// CPU(%) in `xentop -b` is near 100 and the guests' NETRX and VBD_WR fall short of their
// workloads; with four, the rates are met and Dom0 stays well below 400%. A real xenlabd on the
// virtual clock; xentop is the real binary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestHost } from '../helpers/host.ts';
import { ioGuest, MiB, xentopRates } from '../helpers/io-rates.ts';

const GUESTS = 8, RATE = 50 * MiB, DELAY_S = 1;

function busyHost(dom0Vcpus: number): TestHost {
  const h = new TestHost('dom0-io').start(['--clock', 'virtual', '--dom0-vcpus', String(dom0Vcpus)]);
  for (let i = 0; i < GUESTS; i++) ioGuest(h, `g${i}`, 'net-tx=50M,disk-write=50M', null);
  // Boot, and the backends' threads settle on their load; xentop's samples then fall between
  // their ticks (at a tick's instant, a sample may be taken before the tick is done).
  h.advance('1037ms');
  return h;
}

test('one Dom0 vCPU: Dom0 near 100% and the guests\' I/O short of its workload; four: rates met, Dom0 below 400%', async () => {
  const one = busyHost(1);
  try {
    const r = await xentopRates(one, DELAY_S);
    assert.ok(r.dom0.cpuPct >= 95 && r.dom0.cpuPct <= 101, `Dom0 CPU(%) ${r.dom0.cpuPct}`);
    assert.equal(r.guests.length, GUESTS);
    for (const rate of [...r.netRx, ...r.vbdWr]) assert.ok(rate < 0.8 * RATE, `a guest still moved ${(rate / MiB).toFixed(1)} MiB/s`);
  } finally { one.stop(); }
  const four = busyHost(4);
  try {
    const r = await xentopRates(four, DELAY_S);
    assert.ok(r.dom0.cpuPct > 100 && r.dom0.cpuPct < 400, `Dom0 CPU(%) ${r.dom0.cpuPct}`);
    for (const rate of [...r.netRx, ...r.vbdWr]) assert.ok(Math.abs(rate - RATE) < 0.02 * RATE, `a guest moved ${(rate / MiB).toFixed(1)} MiB/s`);
  } finally { four.stop(); }
});
