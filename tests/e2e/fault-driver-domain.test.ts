// The fault plane's driver-domain-crash (issue 17, acceptances 5 and 2): the driver domain's
// kernel oopses in netback and panics, on_crash applies. Seen where a user sees it: the oops on
// the driver domain's console, its crashed state in xl list and xentop, and, once it is gone,
// the frontends of the guest it served Closing/Closed in xenstore while the guest runs on. The
// fault is cleared and the host is healthy: the devices plugged into another driver domain carry
// traffic again; a guest on Dom0's backends never noticed. Then the same crash under the admin's
// failover script, which moves the devices to a standby by itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestHost } from '../helpers/host.ts';
import { addFault, alive, clearFault, consoleLog, listFaults } from '../helpers/faults.ts';
import { XVDA, assertFailedOver, assertServedBy, cpuTime, domid, runFailover, servedGuest, xsRead } from '../helpers/driver-domains.ts';

let h: TestHost;
before(() => {
  h = new TestHost('fault-dd').start();
  h.xlOk('create', h.guestConfig('dd1', 'driver_domain = 1\non_crash = "preserve"'));
  h.xlOk('create', h.guestConfig('dd2', 'driver_domain = 1'));
  h.xlOk('create', h.guestConfig('dd3', 'driver_domain = 1'));
  h.xlOk('create', h.guestConfig('bystander', `vif = [ 'bridge=xenbr0' ]\nworkload = "net-tx=50M"`));
  h.advance('5s');
  servedGuest(h, 'dd1');
});
after(() => h.stop());

test('driver-domain-crash: an oops in netback, the domain crashed; gone, its guest\'s frontends close; cleared, the host is healthy', async () => {
  const r = h.run('xenlabd', ['fault', 'add', 'driver-domain-crash', '--domain', 'bystander']);
  assert.equal(r.status, 1);
  assert.equal(r.stderr, 'xenlabd: driver-domain-crash needs a driver domain (driver_domain=1), not bystander\n');

  const g = domid(h, 'g'), bystanderCpu = cpuTime(h, 'bystander');
  const id = addFault(h, 'driver-domain-crash', '--domain', 'dd1');
  h.advance('100ms');
  assert.match(consoleLog(h, 'dd1'), /\] CPU: 0 PID: 14 Comm: ksoftirqd\/0 .*\r?\n\[ *[\d.]+\] RIP: 0010:xenvif_tx_build_gops\+0x2c1\/0x9b0 \[xen_netback\]\r?\n\[ *[\d.]+\] Kernel panic - not syncing: Fatal exception in interrupt\r?\n/);
  assert.match(h.xlOk('list', 'dd1'), /\ndd1 +\d+ +\d+ +\d+ +---sc- /);
  assert.match(h.run('xentop', ['-b', '-i', '1']).stdout, /^ +dd1 +---c-- /m);
  assert.equal(listFaults(h)[0]![1], 'driver-domain-crash');
  clearFault(h, String(id));
  assert.deepEqual(listFaults(h), []);

  // The crashed domain is kept (on_crash=preserve) until the admin destroys it; then its
  // backends are gone, and the frontends close.
  h.xlOk('destroy', 'dd1');
  assert.match(xsRead(h, `/local/domain/${g}/device/vif/0/state`), /^[56]$/);
  assert.match(xsRead(h, `/local/domain/${g}/device/vbd/${XVDA}/state`), /^[56]$/);
  assert.ok(alive(h, 'g') && domid(h, 'g') === g);
  assert.ok(alive(h, 'bystander'));
  assert.doesNotMatch(consoleLog(h, 'bystander'), /Oops|panic/);
  assert.equal(xsRead(h, `/local/domain/${domid(h, 'bystander')}/device/vif/0/state`), '4');
  assert.ok(cpuTime(h, 'bystander') >= bystanderCpu);

  h.xlOk('network-detach', 'g', '0');
  h.xlOk('block-detach', 'g', 'xvda');
  h.xlOk('network-attach', 'g', 'bridge=xenbr0', 'backend=dd2');
  h.xlOk('block-attach', 'g', `format=raw, vdev=xvda, access=rw, backend=dd2, target=${h.home}/g.img`);
  await assertServedBy(h, 'dd2');
});

test('driver-domain-crash under the failover script: the devices move to the standby; the fault goes with its domain', async () => {
  const g = domid(h, 'g');
  const run = await runFailover(h, 'dd2', 'dd3', () => addFault(h, 'driver-domain-crash', '--domain', 'dd2'));
  assert.match(consoleLog(h, 'dd2'), /RIP: 0010:xenvif_tx_build_gops/);
  // The default on_crash destroyed it.
  assert.equal(h.xl('domid', 'dd2').status, 1);
  assert.deepEqual(listFaults(h), []);
  assertFailedOver(h, run, 'dd3');
  assert.ok(alive(h, 'g') && domid(h, 'g') === g);
  await assertServedBy(h, 'dd3');
});
