// Our xenstored against the real C xenstored 4.17 (started through the cxenstored oracle's
// shim): the same requests on one connection must bring the same replies and watch events,
// byte for byte, in the same order.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FrameSplitter, XsType, encodeMessage, type XsMessage } from '../../src/formats/xenstore-wire.ts';
import { startXenstored, type Daemon } from '../cli/xenstore/harness.ts';

// shared/ sits beside the clone, on developers' machines and in CI.
const RUN_SH = join(import.meta.dirname, '../../../shared/tools/cxenstored/run.sh');
const why = !existsSync('/usr/lib/xen-4.17/bin/xenstored') ? 'C xenstored (xen-utils-4.17) not installed'
  : !existsSync(RUN_SH) ? `${RUN_SH} not available` : '';
let cPid = 0, cSocket = '', ours: Daemon | undefined, skip: string | false = why || false;

before(async () => {
  if (skip) return;
  cSocket = join(mkdtempSync(join(tmpdir(), 'cxs-')), 'socket');
  const r = spawnSync(RUN_SH, [cSocket], { encoding: 'utf8' });
  if (r.status !== 0) { skip = `C xenstored did not start: ${r.stderr.trim()}`; return; }
  cPid = Number(r.stdout.trim());
  ours = await startXenstored();
});
after(async () => { if (cPid) process.kill(cPid); await ours?.stop(); });

type Req = [type: number, payload: string, txId?: number];

/** Sends each request and records every message up to and including its reply. */
async function transcript(path: string, reqs: Req[]): Promise<string[]> {
  const s: Socket = connect(path);
  await new Promise<void>((resolve, reject) => { s.once('connect', resolve); s.once('error', reject); });
  const split = new FrameSplitter();
  const inbox: XsMessage[] = [];
  let wake: (() => void) | null = null;
  s.on('data', d => { for (const e of split.push(d)) if (e.kind === 'message') inbox.push(e.message); wake?.(); });
  const out: string[] = [];
  let reqId = 100;
  for (const [type, payload, txId = 0] of reqs) {
    s.write(encodeMessage({ type, reqId: ++reqId, txId, payload: Buffer.from(payload, 'latin1') }));
    out.push(`> ${type} ${JSON.stringify(payload)} tx=${txId}`);
    for (;;) {
      while (inbox.length === 0) await new Promise<void>(r => { wake = r; });
      const m = inbox.shift()!;
      out.push(`< ${m.type} req=${m.reqId} tx=${m.txId} ${JSON.stringify(m.payload.toString('latin1'))}`);
      if (m.type !== XsType.WATCH_EVENT) break;
    }
  }
  s.destroy();
  return out;
}

const T = XsType;
const SCRIPT: Req[] = [
  [T.DIRECTORY, '/\0'], [T.READ, '/tool/xenstored\0'], [T.GET_PERMS, '/\0'],
  [T.WATCH, '/w\0tok\0'], [T.WATCH, '/w\0tok\0'], [T.WATCH, '@introduceDomain\0intro\0'], [T.WATCH, '@releaseDomain\0rel\0'],
  [T.WATCH, 'home\0rel-tok\0'],
  [T.WRITE, '/w/a/b\0value'], [T.WRITE, '/w/a/b\0value'], [T.MKDIR, '/w/a\0'], [T.MKDIR, '/w/m\0'],
  [T.WRITE, 'home/x\0relative'], [T.READ, '/local/domain/0/home/x\0'],
  [T.SET_PERMS, '/w/a\0n0\0r3\0w4\0b5\0'], [T.GET_PERMS, '/w/a\0'], [T.GET_PERMS, '/w/a/b\0'],
  [T.SET_PERMS, '/w/a\0n0x10\0r010\0'], [T.GET_PERMS, '/w/a\0'], [T.SET_PERMS, '/w/a\0q1\0'], [T.SET_PERMS, '/w/a\0'],
  [T.DIRECTORY, '/w\0'], [T.DIRECTORY, '/w/a/b\0'], [T.DIRECTORY, '/nope\0'],
  [T.RM, '/w/a\0'], [T.RM, '/w/a\0'], [T.RM, '/w/zz/yy\0'], [T.RM, '/\0'], [T.READ, '/w/a/b\0'],
  [T.WRITE, '/bad//p\0v'], [T.WRITE, '/bad/\0v'], [T.WRITE, '/bad p\0v'], [T.WRITE, '@x\0v'], [T.READ, '@introduceDomain\0'],
  [T.GET_PERMS, '@introduceDomain\0'],
  [T.TRANSACTION_START, '\0'], [T.WRITE, '/w/t\0in-tx', 1], [T.READ, '/w/t\0', 1], [T.READ, '/w/t\0'],
  [T.TRANSACTION_START, '\0', 1], [T.TRANSACTION_END, 'X\0', 1], [T.TRANSACTION_END, 'T\0', 1], [T.READ, '/w/t\0'],
  [T.TRANSACTION_END, 'T\0'], [T.READ, '/w/t\0', 7], [T.TRANSACTION_START, '\0', 9],
  [T.TRANSACTION_START, '\0'], [T.READ, '/w/t\0', 2], [T.WRITE, '/w/t\0outside'], [T.WRITE, '/w/t\0inside', 2],
  [T.TRANSACTION_END, 'T\0', 2], [T.READ, '/w/t\0'],
  [T.TRANSACTION_START, '\0'], [T.WRITE, '/w/u\0x', 3], [T.TRANSACTION_END, 'F\0', 3], [T.READ, '/w/u\0'],
  [T.GET_DOMAIN_PATH, '5\0'], [T.GET_DOMAIN_PATH, 'abc\0'], [T.IS_DOMAIN_INTRODUCED, '0\0'], [T.IS_DOMAIN_INTRODUCED, '5\0'],
  [T.INTRODUCE, '5\x001\x000\0'], [T.INTRODUCE, '5\x001\x001\0'], [T.INTRODUCE, '5\x001\x001\0'], [T.IS_DOMAIN_INTRODUCED, '5\0'],
  [T.SET_TARGET, '5\x007\0'], [T.SET_TARGET, '8\x005\0'], [T.RESUME, '9\0'], [T.RESUME, '5\0'],
  [T.RELEASE, '0\0'], [T.RELEASE, '6\0'], [T.RELEASE, '5\0'], [T.IS_DOMAIN_INTRODUCED, '5\0'],
  [T.CONTROL, 'check\0'], [T.CONTROL, 'help\0'], [T.CONTROL, 'quota\0'], [T.CONTROL, 'bogus\0'], [T.CONTROL, 'log\0on\0'],
  [T.UNWATCH, '/w\0tok\0'], [T.UNWATCH, '/w\0tok\0'], [T.WRITE, '/w/after\0x'],
  [T.WATCH_EVENT, 'x\0'], [T.ERROR, 'x\0'], [T.RESTRICT, ''], [23, ''], [99, ''], [T.INVALID, ''],
  [T.RESET_WATCHES, ''], [T.WRITE, '/w/after-reset\0x'],
  [T.WATCH, '/w\0t1\0'], [T.WATCH, '/w/deep/er\0t2\0'], [T.WRITE, '/w/deep/er/est\0x'], [T.RM, '/w/deep\0'],
  // Inside a transaction: one event per node, in the order the transaction first touched them.
  // The DIRECTORY between the watch and the write waits for the first tb event to be written:
  // C xenstored drops an event identical to one still queued (send_event), so without it the
  // write's tb event is there or not depending on whether C had flushed its socket yet.
  [T.WATCH, '/tx\0tw\0'], [T.WATCH, '/tx/a/b\0tb\0'], [T.DIRECTORY, '/\0'], [T.WRITE, '/tx/a/b\0x'], [T.WRITE, '/tx/c\0y'],
  [T.TRANSACTION_START, '\0'], [T.WRITE, '/tx/c\0z', 4], [T.WRITE, '/tx/c\0w', 4], [T.WRITE, '/tx/new/deep\0n', 4],
  [T.RM, '/tx/a\0', 4], [T.SET_PERMS, '/tx/c\0n0\0r1\0', 4], [T.TRANSACTION_END, 'T\0', 4],
  [T.DIRECTORY, '/tx\0'], [T.TRANSACTION_START, '\0'],
  // Limits: path lengths, value sizes, reply sizes.
  [T.WRITE, `/${'p'.repeat(2047)}\0v`], [T.WRITE, `/${'p'.repeat(2048)}\0v`],
  [T.WRITE, `/local/domain/5/${'q'.repeat(2048)}\0v`], [T.WRITE, `/local/domain/5/${'q'.repeat(2049)}\0v`],
  [T.WRITE, `/big/v\0${'v'.repeat(4000)}`], [T.READ, '/big/v\0'],
  ...Array.from({ length: 300 }, (_, i): Req => [T.MKDIR, `/big/dir/child-with-a-long-name-${i}\0`]),
  [T.DIRECTORY, '/big/dir\0'], [T.RM, '/big\0'],
  [T.WATCH, '@other\0o\0'], [T.WATCH, '\0e\0'], [T.WATCH, '/bad//w\0e\0'], [T.UNWATCH, 'home\0rel-tok\0'],
  [T.MKDIR, 'rel/dir\0'], [T.DIRECTORY, 'rel\0'], [T.TRANSACTION_END, 'F\0'],
];

test('the same requests get the same replies and events from C xenstored and ours', async t => {
  if (skip) { t.skip(skip); return; }
  const c = await transcript(cSocket, SCRIPT);
  const o = await transcript(ours!.socket, SCRIPT);
  assert.deepEqual(o, c);
});
