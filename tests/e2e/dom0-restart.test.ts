// `xenlabd dom0 restart` (issue 17, acceptance 3): ten busy guests (CPU, network and disk) live
// through a restart of Dom0's kernel and services. No domid changes and no guest boots again;
// their CPU time grows while Dom0 is down; every device is back at state 4 with new grants and
// event channels; the real `xenstore-ls -fp` shows the tree it showed before, but for those
// keys; the real test-xenstore passes right after; traffic flows again; Domain-0's own uptime
// (its /proc/uptime, shown by xl uptime) starts again while its CPU time goes on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { ioGuest, xentopRates } from '../helpers/io-rates.ts';
import { addFault, listFaults } from '../helpers/faults.ts';

const GUESTS = 10;
const names = Array.from({ length: GUESTS }, (_, i) => `busy${i}`);

let h: TestHost;
before(() => {
  h = new TestHost('dom0-restart').start();
  for (const n of names) ioGuest(h, n, 'cpu=50,net-tx=2M,disk-write=2M', null);
  h.advance('5s');
});
after(() => h.stop());

/** Name → [domid, CPU seconds] from xl list. */
function list(): Map<string, [number, number]> {
  return new Map(h.xlOk('list').trim().split('\n').slice(1).map(l => {
    const f = l.trim().split(/\s+/);
    return [f[0]!, [Number(f[1]), Number(f[5])]];
  }));
}

/** Seconds of `xl uptime` per domain name. */
function uptimes(): Map<string, number> {
  return new Map(h.xlOk('uptime').trim().split('\n').slice(1).map(l => {
    const f = l.trim().split(/\s+/);
    const [hh, mm, ss] = f[2]!.split(':').map(Number);
    return [f[0]!, hh! * 3600 + mm! * 60 + ss!];
  }));
}

/** xenlabd dom0 restart, with the clock driven until it is over (Dom0's kernel boots in simulated time). */
async function restartDom0(): Promise<{ status: number | null; out: string }> {
  const restart = h.spawn('xenlabd', ['dom0', 'restart']);
  let out = '';
  restart.stdout.on('data', d => { out += d; });
  restart.stderr.on('data', d => { out += d; });
  // Advance until it has exited however late a loaded machine let it send its request; then
  // 'close', when the last of its output is read.
  let exited = false;
  restart.on('exit', () => { exited = true; });
  const done = new Promise<number | null>(r => restart.on('close', c => r(c)));
  for (let i = 0; i < 600 && !exited; i++) { h.advance('1s'); await new Promise(r => setImmediate(r)); }
  return { status: await done, out };
}

/** Keys a reconnection writes anew: the frontends' grant references and event channel ports. */
const RECONNECT_KEY = /\/device\/(vif|vbd)\/\d+\/(tx-|rx-)?(ring-ref|event-channel)(-tx|-rx)?\s/;

test('ten busy guests live through xenlabd dom0 restart', async () => {
  const was = list();
  const upWas = uptimes();
  const tree = h.sys('xenstore-ls', ['-fp']);
  assert.equal(tree.status, 0);
  const { status, out } = await restartDom0();
  assert.equal(status, 0, out);
  const m = /^Dom0 restarted in (\d+\.\d+) s: (\d+) of (\d+) devices connected again$/m.exec(out);
  assert.ok(m, out);
  assert.equal(m[2], m[3]);
  assert.equal(Number(m[3]), 2 * GUESTS, 'a vif and a vbd per guest');
  const down = Number(m[1]);
  assert.ok(down >= 3, `Dom0 was down ${down} s`);

  const now = list();
  for (const n of names) {
    assert.equal(now.get(n)![0], was.get(n)![0], `${n}'s domid changed`);
    assert.ok(now.get(n)![1] >= was.get(n)![1] + 0.4 * down, `${n}'s CPU time did not grow through the restart (${was.get(n)![1]} -> ${now.get(n)![1]})`);
    assert.ok(uptimes().get(n)! >= upWas.get(n)! + down - 1, `${n} was restarted`);
    const consoleLog = readFileSync(join(h.home, 'logs/console', `guest-${n}.log`), 'utf8');
    assert.equal(consoleLog.match(/Linux version/g)?.length, 1, `${n} booted again`);
  }
  assert.ok(now.get('Domain-0')![1] >= was.get('Domain-0')![1], "Domain-0's CPU time went back");
  assert.ok(uptimes().get('Domain-0')! <= down + 1 && upWas.get('Domain-0')! >= 5, "Domain-0's kernel uptime did not start again");

  const after = h.sys('xenstore-ls', ['-fp']);
  assert.equal(after.status, 0);
  const states = after.stdout.split('\n').filter(l => /^\/local\/domain\/\d+\/(device|backend)\/(vif|vbd)\/.*\/state = /.test(l));
  assert.equal(states.length, 4 * GUESTS, 'frontend and backend state of a vif and a vbd per guest');
  for (const l of states) assert.match(l, /state = "4"/);
  const kept = (s: string): string[] => s.split('\n').filter(l => !RECONNECT_KEY.test(l));
  assert.deepEqual(kept(after.stdout), kept(tree.stdout));
  const reconnected = (s: string): string[] => s.split('\n').filter(l => RECONNECT_KEY.test(l));
  assert.notDeepEqual(reconnected(after.stdout), reconnected(tree.stdout), 'the frontends reconnected with the same grants and ports');

  const tx = h.sys('/usr/lib/xen-4.17/bin/test-xenstore', []);
  assert.equal(tx.status, 0, tx.stdout + tx.stderr);

  const rates = await xentopRates(h, 1);
  for (const [i, r] of rates.guests.entries()) {
    assert.ok(rates.netRx[i]! > 0 && rates.vbdWr[i]! > 0, `${r.name}'s traffic did not resume`);
  }
  const daemonLog = readFileSync(join(h.home, 'logs/xenlabd.log'), 'utf8');
  assert.match(daemonLog, /dom0: restart \(kexec\)[^]*Linux version 6\.1\.0-41-amd64[^]*dom0: restart done/);
});

test('a Dom0 service the fault plane crashed runs again after the restart, and its fault is over', async () => {
  const id = addFault(h, 'dom0-service-crash', '--device', 'netback');
  h.advance('1s');
  assert.equal(h.sys('xenstore-read', ['/local/domain/1/device/vif/0/state']).stdout, '6\n');
  const { status, out } = await restartDom0();
  assert.equal(status, 0, out);
  assert.match(out, /: (\d+) of \1 devices connected again/);
  assert.equal(h.sys('xenstore-read', ['/local/domain/1/device/vif/0/state']).stdout, '4\n');
  assert.deepEqual(listFaults(h), []);
  assert.ok(id > 0);
});
