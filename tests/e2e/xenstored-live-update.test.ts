// xenstored's live update (issue 17): Xen 4.17's own xenstore-control drives it against
// xenlabd's xenstored, with the replies and exit codes C xenstored gives (checked against it:
// a missing or non-executable binary, transactions holding the update back until the timeout,
// -F forcing past them). Clients stay connected with their watches; open transactions are
// gone afterwards (ENOENT), as the C daemon drops them; quotas are back at their defaults.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { until } from '../helpers/wait.ts';
import { XsClient, XsError } from '../../src/formats/xenstore-client.ts';

const CONTROL = '/usr/lib/xen-4.17/bin/xenstore-control';

let h: TestHost;
before(() => { h = new TestHost('xs-live-update').start(); });
after(() => h.stop());

/** A socket client of the daemon's xenstored, as a long-running Dom0 program holds one. */
function socketClient(): { xs: XsClient; events: string[]; close(): void } {
  const sock = connect(h.env.XENSTORED_PATH!);
  const xs = new XsClient(b => sock.write(b));
  sock.on('data', b => xs.feed(b));
  const events: string[] = [];
  xs.onWatchEvent((p, t) => events.push(`${p} ${t}`));
  return { xs, events, close: () => sock.destroy() };
}

/** xenstore-control run in the background (it waits for the start's reply). */
function control(...args: string[]): Promise<{ status: number; stderr: string }> {
  const p = spawn(CONTROL, args, { env: h.env });
  let stderr = '';
  p.stderr.on('data', d => { stderr += d; });
  // 'close', not 'exit': its last lines may still be unread when it has exited.
  return new Promise(resolve => p.on('close', code => resolve({ status: code ?? -1, stderr })));
}

/**
 * xenstore-control's `live-update ... -t T` in the background, once xenstored has its start (the
 * daemon logs it): the timeout runs on the clock from there, so the clock may move on only then.
 */
async function pendingUpdate(...args: string[]): Promise<{ done: Promise<{ status: number; stderr: string }> }> {
  const starts = () => (readFileSync(join(h.home, 'logs/xenlabd.log'), 'utf8').match(/ xenstored: live-update: start,/g) ?? []).length;
  const before = starts();
  const done = control('live-update', ...args);
  await until(() => starts() > before, 'xenstore-control never started the update');
  return { done };
}

const errOf = async (p: Promise<unknown>): Promise<string> => { try { await p; return 'OK'; } catch (e) { return e instanceof XsError ? e.code : String(e); } };

/** An executable to name as the new xenstored. */
function binary(mode: number): string {
  const p = join(h.home, `xenstored-${mode.toString(8)}`);
  writeFileSync(p, '#!/bin/sh\n');
  chmodSync(p, mode);
  return p;
}

test('a binary that is missing or not executable is refused as C xenstored refuses it (exit 3)', () => {
  let r = h.sys(CONTROL, ['live-update', join(h.home, 'none')]);
  assert.equal(r.status, 3);
  assert.equal(r.stderr, 'Setting update binary failed:\nFile not accessible.\n');
  r = h.sys(CONTROL, ['live-update', binary(0o644)]);
  assert.equal(r.stderr, 'Setting update binary failed:\nFile not executable.\n');
  assert.equal(h.sys(CONTROL, ['live-update', '-c', '-N', binary(0o755)]).status, 0, 'no session was left behind');
});

test('an update keeps nodes, permissions, connections and watches; quotas are back at their defaults', async () => {
  const c = socketClient();
  await c.xs.write('/lu/a', 'kept');
  await c.xs.setPerms('/lu/a', ['n0', 'r5']);
  await c.xs.watch('/lu', 'tok');
  assert.equal(h.sys(CONTROL, ['quota', 'set', 'nodes', '77']).status, 0);
  const r = await control('live-update', binary(0o755));
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(await c.xs.getPerms('/lu/a'), ['n0', 'r5']);
  assert.equal(await c.xs.read('/lu/a'), 'kept');
  c.events.length = 0;
  assert.equal(h.sys('xenstore-write', ['/lu/b', '1']).status, 0);
  await c.xs.read('/lu/b');
  assert.deepEqual(c.events, ['/lu/b tok'], 'the watch did not survive the update');
  assert.match(h.sys(CONTROL, ['quota']).stdout, /nodes +: +1000 /);
  c.close();
});

test('an open transaction holds the update back; at the timeout it is refused, naming it', async () => {
  const c = socketClient();
  const tx = await c.xs.transactionStart();
  const { done: run } = await pendingUpdate('-t', '5', binary(0o755));
  // A transaction started while the update is pending waits for it.
  const other = socketClient();
  await other.xs.read('/');
  h.advance('2s');
  let started = false;
  const later = other.xs.transactionStart().then(id => { started = true; return id; });
  await c.xs.read('/');
  await c.xs.read('/');
  assert.equal(started, false, 'a transaction started while the update was pending');
  h.advance('4s');
  const r = await run;
  assert.equal(r.status, 3);
  assert.equal(r.stderr, 'Starting live update failed:\nDomains with long running transactions:\nDomain 0: 5 s\n');
  await later;
  assert.ok(started);
  await c.xs.write('/lu/tx', 'v', tx);
  await c.xs.transactionEnd(tx, true);
  assert.equal(await c.xs.read('/lu/tx'), 'v', 'the refused update touched the transaction');
  c.close(); other.close();
});

test('-F forces the update past long-running transactions, which are gone afterwards (ENOENT)', async () => {
  const c = socketClient();
  const tx = await c.xs.transactionStart();
  const { done: run } = await pendingUpdate('-t', '3', '-F', binary(0o755));
  await c.xs.read('/');
  h.advance('3s');
  const r = await run;
  assert.equal(r.status, 0, r.stderr);
  assert.equal(await errOf(c.xs.write('/lu/f', 'v', tx)), 'ENOENT');
  assert.equal(await errOf(c.xs.transactionEnd(tx, true)), 'ENOENT');
  assert.equal(await c.xs.read('/lu/a'), 'kept', 'the client is still connected');
  c.close();
});

test("a guest's connection through its page and its watches survive the update", async () => {
  h.xlOk('create', h.guestConfig('lu'));
  h.advance('5s');
  const r = await control('live-update', binary(0o755));
  assert.equal(r.status, 0, r.stderr);
  // The guest's balloon driver watches memory/target through its page: it follows xl mem-set.
  h.xlOk('mem-set', 'lu', '128m');
  h.advance('5s');
  assert.equal(h.xlOk('list', 'lu').split('\n')[1]!.trim().split(/ +/)[2], '128');
});
