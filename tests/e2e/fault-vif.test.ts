// The fault plane on a vif (issue 17, acceptance 5): `vif-loss PERCENT` drops that share of the
// packets on one vif (xentop's NETRX rate falls; its drops are counted), `vif-latency MS` delays
// each packet (fewer are in flight, the rate falls). Each ends with the rate back, and another
// guest's vif never notices.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestHost } from '../helpers/host.ts';
import { ioGuest, MiB, xentopRates, type IoRates } from '../helpers/io-rates.ts';
import { addFault, alive, clearFault, listFaults } from '../helpers/faults.ts';

let h: TestHost;
before(() => {
  h = new TestHost('fault-vif').start();
  ioGuest(h, 'lossy', 'net-tx=100M', null);
  ioGuest(h, 'other', 'net-tx=100M', null);
  h.advance('1037ms'); // boot; xentop's samples fall between the backends' ticks
});
after(() => h.stop());

const near = (rate: number, want: number) => Math.abs(rate - want) < 0.05 * want;
const rate = (r: IoRates, name: string) => r.netRx[r.guests.findIndex(g => g.name === name)]!;
const show = (r: IoRates) => r.guests.map((g, i) => `${g.name} ${(r.netRx[i]! / MiB).toFixed(1)} MiB/s`).join(', ');

/** The vif's packets dropped on its RX side (the guest's transmit), as `xentop -n` shows them. */
function rxDrops(name: string): number {
  const out = h.run('xentop', ['-b', '-n', '-i', '1']).stdout;
  const block = out.slice(out.search(new RegExp(`^ +${name} `, 'm')));
  return Number(/Net0 RX:.*?(\d+)drop/.exec(block)![1]);
}

test('vif-loss: the vif carries that share less and counts the drops; cleared, it carries all again', async () => {
  let r = await xentopRates(h, 1);
  assert.ok(near(rate(r, 'lossy'), 100e6) && near(rate(r, 'other'), 100e6), show(r));
  assert.equal(rxDrops('lossy'), 0);
  const id = addFault(h, 'vif-loss', '50', '--domain', 'lossy', '--device', '0');
  h.advance('1s');
  r = await xentopRates(h, 1);
  assert.ok(near(rate(r, 'lossy'), 50e6), show(r));
  assert.ok(near(rate(r, 'other'), 100e6), show(r));
  assert.ok(rxDrops('lossy') > 1000, 'no drops counted');
  assert.equal(rxDrops('other'), 0);
  clearFault(h, String(id));
  h.advance('1s');
  r = await xentopRates(h, 1);
  assert.ok(near(rate(r, 'lossy'), 100e6), show(r));
  assert.ok(alive(h, 'lossy') && alive(h, 'other'));
});

test('vif-latency: fewer packets in flight, the rate falls; expired, it is back', async () => {
  addFault(h, 'vif-latency', '500', '--domain', 'lossy', '--device', '0', '--for', '3s');
  h.advance('1s');
  const r = await xentopRates(h, 1);
  assert.ok(rate(r, 'lossy') < 50e6, show(r));
  assert.ok(near(rate(r, 'other'), 100e6), show(r));
  h.advance('2s');
  assert.deepEqual(listFaults(h), []);
  const back = await xentopRates(h, 1);
  assert.ok(near(rate(back, 'lossy'), 100e6), show(back));
});
