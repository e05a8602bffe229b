// Backends cost Dom0 CPU (issue 13, acceptance 4): eight guests each sending 50 MiB/s and
// writing 50 MiB/s keep netback and blkback busy on Dom0's vCPUs. With one Dom0 vCPU, Dom0's
// CPU(%) in `xentop -b` is near 100 and the guests' NETRX and VBD_WR fall short of their
// workloads; with four, the rates are met and Dom0 stays well below 400%. A real xenlabd on the
// virtual clock; xentop is the real binary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { parseBatch, type Row } from '../cli/xentop/row-format.ts';

const GUESTS = 8, MiB = 1024 * 1024, RATE = 50 * MiB, DELAY_S = 4;
/** blkfront's requests: 128 sectors. */
const REQUEST_BYTES = 128 * 512;

/** xentop -b -i 2: the second table's rates over DELAY_S simulated seconds. */
async function xentopRates(h: TestHost): Promise<{ dom0: Row; netRx: number[]; vbdWr: number[] }> {
  const p = h.spawn('xentop', ['-b', '-i', '2', '-d', String(DELAY_S)]);
  let out = '';
  const exited = new Promise<number | null>(r => p.on('close', c => r(c)));
  await new Promise<void>(resolve => {
    p.stdout.on('data', d => {
      const before = (out.match(/^ *Domain-0 /gm) ?? []).length;
      out += d;
      const now = (out.match(/^ *Domain-0 /gm) ?? []).length;
      if (now > before && now === 1) h.advance(`${DELAY_S}s`);
      if (now === 2) resolve();
    });
  });
  assert.equal(await exited, 0);
  const rows = parseBatch(out).flatMap(l => (l.kind === 'row' ? [l.row] : []));
  const half = rows.length / 2;
  const [first, second] = [rows.slice(0, half), rows.slice(half)];
  const guests = second.filter(r => r.name !== 'Domain-0');
  const was = (name: string): Row => first.find(r => r.name === name)!;
  return {
    dom0: second.find(r => r.name === 'Domain-0')!,
    netRx: guests.map(r => (r.netRxK - was(r.name).netRxK) * 1024 / DELAY_S),
    vbdWr: guests.map(r => (r.vbdWr - was(r.name).vbdWr) * REQUEST_BYTES / DELAY_S),
  };
}

function busyHost(dom0Vcpus: number): TestHost {
  const h = new TestHost('dom0-io').start(['--clock', 'virtual', '--dom0-vcpus', String(dom0Vcpus)]);
  for (let i = 0; i < GUESTS; i++) {
    const img = join(h.home, `g${i}.img`);
    const fd = openSync(img, 'w'); ftruncateSync(fd, 32 * MiB); closeSync(fd);
    h.xlOk('create', h.guestConfig(`g${i}`, `vif = [ 'bridge=xenbr0' ]\ndisk = [ '${img},raw,xvda,w' ]\nworkload = "net-tx=50M,disk-write=50M"`));
  }
  h.advance('3s'); // boot, and the backends' threads settle on their load
  return h;
}

test('one Dom0 vCPU: Dom0 near 100% and the guests\' I/O short of its workload; four: rates met, Dom0 below 400%', async () => {
  const one = busyHost(1);
  try {
    const r = await xentopRates(one);
    assert.ok(r.dom0.cpuPct >= 95 && r.dom0.cpuPct <= 101, `Dom0 CPU(%) ${r.dom0.cpuPct}`);
    assert.equal(r.netRx.length, GUESTS);
    for (const rate of [...r.netRx, ...r.vbdWr]) assert.ok(rate < 0.8 * RATE, `a guest still moved ${(rate / MiB).toFixed(1)} MiB/s`);
  } finally { one.stop(); }
  const four = busyHost(4);
  try {
    const r = await xentopRates(four);
    assert.ok(r.dom0.cpuPct > 100 && r.dom0.cpuPct < 400, `Dom0 CPU(%) ${r.dom0.cpuPct}`);
    for (const rate of [...r.netRx, ...r.vbdWr]) assert.ok(Math.abs(rate - RATE) < 0.03 * RATE, `a guest moved ${(rate / MiB).toFixed(1)} MiB/s`);
  } finally { four.stop(); }
});
