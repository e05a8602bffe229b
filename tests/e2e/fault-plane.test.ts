// The fault plane (issue 17, acceptance 5): `guest-crash` (the guest's kernel oopses and panics,
// the domain crashes and on_crash applies), `memory-pressure MB` (xl info's free_memory falls,
// a guest that no longer fits is refused with libxl's out-of-memory error), and the plane's own
// commands: list, clear by id or --all, expiry in simulated time, and refused input with its
// exit status (2 for bad usage, 1 for what the host refuses).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestHost } from '../helpers/host.ts';
import { addFault, alive, clearFault, consoleLog, listFaults } from '../helpers/faults.ts';

let h: TestHost;
before(() => {
  h = new TestHost('fault-plane').start();
  h.xlOk('create', h.guestConfig('bystander'));
  h.advance('3s');
});
after(() => h.stop());

const freeMemory = (): number => Number(/^free_memory +: (\d+)$/m.exec(h.xlOk('info'))![1]);

test('guest-crash: an oops and a panic on the console, the domain crashed and preserved by on_crash; the other guest runs on', () => {
  h.xlOk('create', h.guestConfig('victim', 'on_crash = "preserve"'));
  h.advance('3s');
  addFault(h, 'guest-crash', '--domain', 'victim');
  h.advance('100ms');
  const log = consoleLog(h, 'victim');
  assert.match(log, /\] BUG: kernel NULL pointer dereference, address: 0000000000000000\r?\n/);
  assert.match(log, /\] Oops: 0002 \[#1\] PREEMPT SMP NOPTI\r?\n/);
  assert.match(log, /\] Kernel panic - not syncing: Fatal exception in interrupt\r?\n/);
  // Shut down, for the reason crash (xl list's s and c).
  assert.match(h.xlOk('list', 'victim'), /\nvictim +\d+ +\d+ +\d+ +---sc- /);
  clearFault(h, '--all');
  assert.deepEqual(listFaults(h), []);
  assert.ok(alive(h, 'bystander'));
  assert.doesNotMatch(consoleLog(h, 'bystander'), /Oops|panic/);
  h.xlOk('destroy', 'victim');
  // A fault goes with its domain.
  h.xlOk('create', h.guestConfig('short', "vif = [ 'bridge=xenbr0' ]"));
  addFault(h, 'vif-latency', '10', '--domain', 'short', '--device', '0');
  assert.equal(listFaults(h).length, 1);
  h.xlOk('destroy', 'short');
  assert.deepEqual(listFaults(h), []);
});

test('guest-crash with the default on_crash: the domain is destroyed', () => {
  h.xlOk('create', h.guestConfig('gone'));
  h.advance('3s');
  addFault(h, 'guest-crash', '--domain', 'gone', '--for', '1s');
  h.advance('1s');
  assert.equal(h.xl('list', 'gone').status, 1);
  assert.deepEqual(listFaults(h), []);
  assert.ok(alive(h, 'bystander'));
});

test('memory-pressure: free_memory falls, a guest that no longer fits is refused; cleared, it fits again', () => {
  const free = freeMemory();
  const id = addFault(h, 'memory-pressure', String(free - 100));
  assert.equal(freeMemory(), 100);
  const cfg = h.guestConfig('big', 'memory = 256');
  const r = h.xl('create', cfg);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /xc_dom_boot_mem_init: can't allocate low memory for domain: Out of memory\n/);
  assert.match(r.stderr, /libxl_create\.c:\d+:domcreate_rebuild_done: Domain \d+:cannot \(re-\)build domain: -3\n/);
  assert.deepEqual(listFaults(h).map(f => f.slice(0, 5)), [[String(id), 'memory-pressure', 'Domain-0(0)', '-', String(free - 100)]]);
  clearFault(h, String(id));
  assert.equal(freeMemory(), free);
  h.xlOk('create', cfg);
  h.advance('3s');
  assert.ok(alive(h, 'big') && alive(h, 'bystander'));
  h.xlOk('destroy', 'big');
});

test('faults are listed with their scope, expire at their end, and are cleared one by one or all at once', () => {
  const a = addFault(h, 'memory-pressure', '16', '--for', '2s');
  const b = addFault(h, 'memory-pressure', '32', '--domain', 'Domain-0', '--for', '500ms');
  const c = addFault(h, 'memory-pressure', '64');
  assert.deepEqual(listFaults(h).map(f => [f[0], f[4], f[6]]), [[String(a), '16', expect(2)], [String(b), '32', expect(0.5)], [String(c), '64', '-']]);
  h.advance('500ms');
  assert.deepEqual(listFaults(h).map(f => f[0]), [String(a), String(c)]);
  clearFault(h, String(c));
  assert.deepEqual(listFaults(h).map(f => f[0]), [String(a)]);
  clearFault(h, '--all');
  assert.deepEqual(listFaults(h), []);
  const r = h.run('xenlabd', ['fault', 'clear', String(a)]);
  assert.deepEqual([r.status, r.stderr], [1, `xenlabd: no fault ${a}\n`]);
});

/** The end of a fault added now and lasting `s` seconds, as listed. */
function expect(s: number): string {
  const now = Number(h.run('xenlabd', ['clock']).stdout.split(' ')[1]);
  return (now + s).toFixed(9);
}

test('bad input: unknown kind, domain or device, a bad duration or value, a missing scope', () => {
  const cases: [string[], number, string][] = [
    [['add', 'disk-melt', '--domain', 'bystander'], 2, 'xenlabd: unknown fault kind disk-melt (vbd-error, vbd-latency, vif-loss, vif-latency, guest-crash, driver-domain-crash, memory-pressure, xenstored-slow, xenstored-stuck, dom0-service-crash)\n'],
    [['add', 'guest-crash', '--domain', 'nosuch'], 1, 'xenlabd: nosuch is an invalid domain identifier (rc=-6)\n'],
    [['add', 'guest-crash', '--domain', '77'], 1, "xenlabd: Error: Domain '77' does not exist.\n"],
    [['add', 'guest-crash', '--domain', 'bystander', '--for', 'soon'], 2, 'xenlabd: invalid --for soon (e.g. 10s, 250ms, 2m)\n'],
    [['add', 'vbd-latency', 'lots', '--domain', 'bystander', '--device', 'xvda'], 2, 'xenlabd: invalid fault value lots (a whole number)\n'],
    [['add', 'guest-crash'], 2, 'xenlabd: fault guest-crash needs --domain\n'],
    [['add', 'vbd-error', '--domain', 'bystander'], 1, 'xenlabd: vbd-error needs a device (a vbd of the domain)\n'],
    [['add', 'vif-loss', '10', '--domain', 'bystander', '--device', '3'], 1, `xenlabd: domain ${h.xlOk('domid', 'bystander').trim()} has no vif 3\n`],
    [['add', 'vif-loss', '--domain', 'bystander', '--device', '0'], 1, 'xenlabd: vif-loss needs a value (PERCENT)\n'],
    [['add', 'guest-crash', '--domain', '0'], 1, 'xenlabd: guest-crash needs a guest domain, not 0\n'],
    [['clear'], 2, 'xenlabd: usage: xenlabd fault clear ID|--all\n'],
    [['clear', '1', '--all'], 2, 'xenlabd: usage: xenlabd fault clear ID|--all\n'],
  ];
  for (const [args, status, stderr] of cases) {
    const r = h.run('xenlabd', ['fault', ...args]);
    assert.deepEqual([r.status, r.stderr, r.stdout], [status, stderr, ''], args.join(' '));
  }
  assert.deepEqual(listFaults(h), []);
  assert.ok(alive(h, 'bystander'));
});
