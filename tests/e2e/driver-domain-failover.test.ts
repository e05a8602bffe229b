// Failover to a standby driver domain (issue 17, acceptance 2), by the admin's script in
// examples/ as a user runs it: the driver domain serving a guest's vif and vbd is destroyed
// (xl destroy; the crash from the fault plane is in fault-driver-domain.test.ts); the guest
// keeps running, its frontends go Closing/Closed, the script moves the devices to the standby,
// the frontends reconnect and the traffic resumes there. The outage it prints, in simulated
// time, is within the time the script took.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestHost } from '../helpers/host.ts';
import { alive } from '../helpers/faults.ts';
import { assertFailedOver, assertServedBy, domid, runFailover, servedGuest } from '../helpers/driver-domains.ts';

let h: TestHost;
before(() => {
  h = new TestHost('dd-failover').start();
  h.xlOk('create', h.guestConfig('netdd', 'driver_domain = 1'));
  h.xlOk('create', h.guestConfig('standby', 'driver_domain = 1'));
  h.advance('5s');
  servedGuest(h, 'netdd');
});
after(() => h.stop());

test('xl destroy of the driver domain: the guest runs on, its frontends close, the script moves them to the standby', async () => {
  const g = domid(h, 'g');
  const run = await runFailover(h, 'netdd', 'standby', () => h.xlOk('destroy', 'netdd'));
  assertFailedOver(h, run, 'standby');
  assert.equal(domid(h, 'g'), g);
  assert.ok(alive(h, 'g'));
  await assertServedBy(h, 'standby');
});
