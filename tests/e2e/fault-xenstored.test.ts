// The fault plane on xenstored (issue 17, acceptance 5): `xenstored-stuck` leaves one domain's
// requests unanswered until the fault ends, `xenstored-slow MS` answers them late. The guest's
// own xenstore use shows it: `xl mem-set` sets its memory/target, and its balloon driver cannot
// follow (its read of the key waits) until xenstored serves it; the other guest follows at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestHost } from '../helpers/host.ts';
import { addFault, alive, clearFault } from '../helpers/faults.ts';

let h: TestHost;
before(() => { h = new TestHost('fault-xenstored').start(); });
after(() => h.stop());

/** A domain's memory in MiB, as xl list shows it. */
const mem = (name: string): number => Number(h.xlOk('list', name).split('\n')[1]!.trim().split(/ +/)[2]);

test('xenstored-stuck: the guest does not follow xl mem-set until the fault is cleared (its read of memory/target waits); the other guest does', () => {
  h.xlOk('create', h.guestConfig('stuck'));
  h.xlOk('create', h.guestConfig('free'));
  h.advance('3s');
  const id = addFault(h, 'xenstored-stuck', '--domain', 'stuck');
  h.xlOk('mem-set', 'stuck', '128m');
  h.xlOk('mem-set', 'free', '128m');
  h.advance('5s');
  assert.equal(mem('free'), 128, 'the other guest did not balloon down');
  assert.equal(mem('stuck'), 256, 'the stuck guest ballooned down');
  clearFault(h, String(id));
  h.advance('5s');
  assert.equal(mem('stuck'), 128, 'the guest did not balloon down once xenstored served it');
  assert.ok(alive(h, 'stuck') && alive(h, 'free'));
});

test('xenstored-slow: the guest follows, late', () => {
  h.xlOk('create', h.guestConfig('slow'));
  h.advance('3s');
  addFault(h, 'xenstored-slow', '3000', '--domain', 'slow', '--for', '30s');
  h.xlOk('mem-set', 'slow', '128m');
  h.advance('1s');
  assert.equal(mem('slow'), 256, 'served at once');
  h.advance('10s');
  assert.equal(mem('slow'), 128, 'never served');
  assert.ok(alive(h, 'slow'));
});
