// The fault plane's dom0-service-crash (issue 17, acceptance 5): a Dom0 service dies at run time
// and starts again when the fault ends. xenconsoled: the guest's console output stops reaching
// its log (and `xl console` cannot attach) until it is back, then what waited is logged. netback
// or blkback: every device it serves goes Closed and the guests' frontends close (6), their
// traffic stops; loaded again, the devices connect again (4) and traffic resumes. The guests keep
// running with their domids, and the other services never notice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestHost } from '../helpers/host.ts';
import { ioGuest, xentopRates, type IoRates } from '../helpers/io-rates.ts';
import { addFault, alive, clearFault, consoleLog, listFaults } from '../helpers/faults.ts';

let h: TestHost;
before(() => {
  h = new TestHost('fault-dom0-service').start();
  ioGuest(h, 'a', 'net-tx=1M,disk-write=1M', null);
  ioGuest(h, 'b', 'net-tx=1M,disk-write=1M', null);
  h.advance('5s');
});
after(() => h.stop());

const read = (path: string): string => h.sys('xenstore-read', [path]).stdout.trim();
/** Backend and frontend state of a guest's vif 0 and vbd xvda. */
function states(domid: number): { vif: string; vbd: string } {
  return {
    vif: `${read(`/local/domain/0/backend/vif/${domid}/0/state`)}/${read(`/local/domain/${domid}/device/vif/0/state`)}`,
    vbd: `${read(`/local/domain/0/backend/vbd/${domid}/51712/state`)}/${read(`/local/domain/${domid}/device/vbd/51712/state`)}`,
  };
}
const domids = (): string => h.xlOk('list').trim().split('\n').slice(1).map(l => l.trim().split(/\s+/).slice(0, 2).join(' ')).join(', ');
const rate = (r: IoRates, name: string, what: 'netRx' | 'vbdWr'): number => r[what][r.guests.findIndex(g => g.name === name)]!;

test('xenconsoled crashes: console output waits until it is started again, then is logged', () => {
  const id = addFault(h, 'dom0-service-crash', '--device', 'xenconsoled');
  assert.deepEqual(listFaults(h).map(r => r.slice(1, 4)), [['dom0-service-crash', 'Domain-0(0)', 'xenconsoled']]);
  h.xlOk('sysrq', 'a', 'h');
  h.advance('1s');
  assert.doesNotMatch(consoleLog(h, 'a'), /sysrq: HELP/, 'the console was logged without xenconsoled');
  const attach = h.xl('console', 'a');
  assert.equal(attach.status, 1);
  clearFault(h, String(id));
  h.advance('1s');
  assert.match(consoleLog(h, 'a'), /sysrq: HELP/, 'what the guest wrote meanwhile was not logged');
  assert.ok(alive(h, 'a') && alive(h, 'b'));
});

test('netback crashes: every vif goes Closed, traffic stops, disks go on; back, the vifs connect again', async () => {
  const was = domids();
  const id = addFault(h, 'dom0-service-crash', '--domain', 'Domain-0', '--device', 'netback', '--for', '5s');
  h.advance('1s');
  for (const d of [1, 2]) assert.deepEqual(states(d), { vif: '6/6', vbd: '4/4' });
  let r = await xentopRates(h, 1);
  for (const g of ['a', 'b']) {
    assert.equal(rate(r, g, 'netRx'), 0, `${g} still sends`);
    assert.ok(rate(r, g, 'vbdWr') > 0, `${g}'s disk stopped with netback`);
  }
  h.advance('4s'); // the fault ends: netback is loaded again
  assert.equal(listFaults(h).length, 0);
  for (const d of [1, 2]) assert.deepEqual(states(d), { vif: '4/4', vbd: '4/4' });
  r = await xentopRates(h, 1);
  for (const g of ['a', 'b']) assert.ok(rate(r, g, 'netRx') > 0, `${g}'s traffic did not resume`);
  assert.equal(domids(), was);
  assert.ok(alive(h, 'a') && alive(h, 'b'));
  assert.ok(id > 0);
});

test('blkback crashes: every vbd goes Closed; back, they connect again', () => {
  const id = addFault(h, 'dom0-service-crash', '--device', 'blkback');
  h.advance('1s');
  for (const d of [1, 2]) assert.deepEqual(states(d), { vif: '4/4', vbd: '6/6' });
  const again = h.run('xenlabd', ['fault', 'add', 'dom0-service-crash', '--device', 'blkback']);
  assert.equal(again.status, 1);
  assert.equal(again.stderr, 'xenlabd: blkback has crashed already\n');
  clearFault(h, String(id));
  h.advance('1s');
  for (const d of [1, 2]) assert.deepEqual(states(d), { vif: '4/4', vbd: '4/4' });
});

test('a Dom0 service crash is scoped to Domain-0 and names a service', () => {
  let r = h.run('xenlabd', ['fault', 'add', 'dom0-service-crash', '--domain', 'a', '--device', 'netback']);
  assert.equal(r.status, 1);
  assert.equal(r.stderr, 'xenlabd: dom0-service-crash strikes Domain-0, not a\n');
  r = h.run('xenlabd', ['fault', 'add', 'dom0-service-crash', '--device', 'udevd']);
  assert.equal(r.stderr, 'xenlabd: dom0-service-crash: no Dom0 service udevd (xenconsoled, netback, blkback)\n');
  r = h.run('xenlabd', ['fault', 'add', 'dom0-service-crash']);
  assert.equal(r.stderr, 'xenlabd: dom0-service-crash needs a device (a service of the domain)\n');
});
