// The fault plane on a vbd (issue 17, acceptance 5): `vbd-error` makes blkback fail every request
// of one vbd, and the guest logs the block layer's I/O errors and remounts its root file system
// read-only, as Linux does; `vbd-latency MS` slows one vbd, and its rate in xentop falls. Each
// ends (expired or cleared) with the host healthy, and another guest's disk never notices.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestHost } from '../helpers/host.ts';
import { ioGuest, MiB, xentopRates } from '../helpers/io-rates.ts';
import { addFault, alive, clearFault, consoleLog, listFaults } from '../helpers/faults.ts';

let h: TestHost;
before(() => { h = new TestHost('fault-vbd').start(); });
after(() => h.stop());

const ioErrors = (log: string, dev: string): number => (log.match(new RegExp(`\\] I/O error, dev ${dev}, sector \\d+ op 0x[01]:\\((WRITE|READ)\\)`, 'g')) ?? []).length;

test('vbd-error: I/O errors in the guest log, its root file system remounted read-only; gone at its end, the other guest untouched', () => {
  ioGuest(h, 'victim', 'disk-read=1M,disk-write=1M');
  ioGuest(h, 'bystander', 'disk-read=1M,disk-write=1M');
  h.advance('3s');
  assert.equal(ioErrors(consoleLog(h, 'victim'), 'xvda'), 0);
  const id = addFault(h, 'vbd-error', '--domain', 'victim', '--device', 'xvda', '--for', '5s');
  const domid = h.xlOk('domid', 'victim').trim();
  assert.deepEqual(listFaults(h), [[String(id), 'vbd-error', `victim(${domid})`, 'xvda', '-', '3.000000000', '8.000000000']]);
  h.advance('2s');
  const log = consoleLog(h, 'victim');
  assert.ok(ioErrors(log, 'xvda') >= 5, log);
  assert.match(log, /\] Aborting journal on device xvda1-8\.\r?\n/);
  assert.match(log, /\] EXT4-fs error \(device xvda1\): ext4_journal_check_start:\d+: comm \S+: Detected aborted journal\r?\n/);
  assert.match(log, /\] EXT4-fs \(xvda1\): Remounting filesystem read-only\r?\n/);
  assert.equal(ioErrors(consoleLog(h, 'bystander'), 'xvda'), 0, 'the other guest had errors');

  h.advance('4s');
  assert.deepEqual(listFaults(h), [], 'the fault outlived its end');
  const after = ioErrors(consoleLog(h, 'victim'), 'xvda');
  h.advance('6s'); // past printk's ratelimit interval: a suppressed error would be counted by now
  const later = consoleLog(h, 'victim');
  assert.equal(ioErrors(later, 'xvda'), after, 'errors after the fault ended');
  assert.doesNotMatch(later.slice(later.lastIndexOf('Remounting')), /callbacks suppressed/);
  assert.ok(alive(h, 'victim') && alive(h, 'bystander'));
  h.xlOk('destroy', 'victim');
  h.xlOk('destroy', 'bystander');
});

test('vbd-latency: the vbd\'s rate in xentop falls while it lasts, and comes back when it is cleared; the other vbd keeps its rate', async () => {
  ioGuest(h, 'slow', 'disk-write=200M', 64);
  ioGuest(h, 'fast', 'disk-write=200M', 64);
  h.advance('1037ms'); // boot; xentop's samples fall between the backends' ticks
  const near = (rate: number, want: number) => Math.abs(rate - want) < 0.05 * want;
  let r = await xentopRates(h, 1);
  assert.ok(r.vbdWr.every(x => near(x, 200 * MiB)), r.guests.map((g, i) => `${g.name} ${(r.vbdWr[i]! / MiB).toFixed(1)}`).join(' '));
  const id = addFault(h, 'vbd-latency', '100', '--domain', 'slow', '--device', '51712');
  h.advance('1s');
  r = await xentopRates(h, 1);
  const rate = (name: string) => r.vbdWr[r.guests.findIndex(g => g.name === name)]!;
  // 32 requests of 64 KiB in flight, each taking 100 ms: 20 MiB/s.
  assert.ok(near(rate('slow'), 20 * MiB), `slow ${(rate('slow') / MiB).toFixed(1)} MiB/s`);
  assert.ok(near(rate('fast'), 200 * MiB), `fast ${(rate('fast') / MiB).toFixed(1)} MiB/s`);
  assert.equal(listFaults(h)[0]![6], '-', 'a fault without --for lasts until cleared');
  clearFault(h, String(id));
  assert.deepEqual(listFaults(h), []);
  h.advance('1s');
  r = await xentopRates(h, 1);
  assert.ok(near(rate('slow'), 200 * MiB), `slow after clear ${(rate('slow') / MiB).toFixed(1)} MiB/s`);
  assert.ok(alive(h, 'slow') && alive(h, 'fast'));
});
