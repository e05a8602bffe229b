// Devices with a speed of their own (issue 13): a guest's disk rate comes from its ring's
// requests in flight over the device's latency, within the device's bandwidth, not from the
// model's tick (which held every vbd near 20 MiB/s). `disk-write=200M` on the default NVMe is
// met; ten such guests on one SATA SSD (xenlabd --disk sata, 500 MiB/s) share it evenly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestHost } from '../helpers/host.ts';
import { ioGuest, MiB, xentopRates } from '../helpers/io-rates.ts';

test('disk-write=200M on the NVMe is met', async () => {
  const h = new TestHost('nvme').start(['--clock', 'virtual']);
  try {
    ioGuest(h, 'fast', 'disk-write=200M', 64);
    h.advance('1037ms'); // boot; xentop's samples fall between the backends' ticks
    const r = await xentopRates(h, 1);
    assert.ok(Math.abs(r.vbdWr[0]! - 200 * MiB) < 0.02 * 200 * MiB, `${(r.vbdWr[0]! / MiB).toFixed(1)} MiB/s`);
  } finally { h.stop(); }
});

test('ten disk-write=200M guests on one SATA SSD share its 500 MiB/s', async () => {
  const h = new TestHost('sata').start(['--clock', 'virtual', '--disk', 'sata', '--memory', '8G']);
  try {
    for (let i = 0; i < 10; i++) ioGuest(h, `s${i}`, 'disk-write=200M', 8);
    h.advance('1037ms'); // boot; xentop's samples fall between the backends' ticks
    const r = await xentopRates(h, 1);
    assert.equal(r.vbdWr.length, 10);
    const total = r.vbdWr.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(total - 500 * MiB) < 0.02 * 500 * MiB, `together ${(total / MiB).toFixed(1)} MiB/s`);
    for (const rate of r.vbdWr) assert.ok(Math.abs(rate - 50 * MiB) < 0.05 * 50 * MiB, `one guest ${(rate / MiB).toFixed(1)} MiB/s`);
  } finally { h.stop(); }
});

test('xenlabd refuses a disk kind it does not know', () => {
  const h = new TestHost('disk-kind');
  try {
    const r = h.run('xenlabd', ['start', '--clock', 'virtual', '--disk', 'floppy']);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'xenlabd: invalid --disk floppy (nvme or sata)\n');
  } finally { h.stop(); }
});
