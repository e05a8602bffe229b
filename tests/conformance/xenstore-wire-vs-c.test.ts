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

/** Sends each request and records every message up to and including its reply, or how the connection ended. */
async function transcript(path: string, reqs: Req[]): Promise<string[]> {
  const s: Socket = connect(path);
  await new Promise<void>((resolve, reject) => { s.once('connect', resolve); s.once('error', reject); });
  const split = new FrameSplitter();
  const inbox: XsMessage[] = [];
  let ended: string | null = null;
  let wake: (() => void) | null = null;
  s.on('data', d => { for (const e of split.push(d)) if (e.kind === 'message') inbox.push(e.message); wake?.(); });
  s.on('error', e => { ended = `reset (${(e as NodeJS.ErrnoException).code})`; });
  s.on('close', () => { ended ??= 'closed'; wake?.(); });
  const out: string[] = [];
  let reqId = 100;
  for (const [type, payload, txId = 0] of reqs) {
    s.write(encodeMessage({ type, reqId: ++reqId, txId, payload: Buffer.from(payload, 'latin1') }));
    out.push(`> ${type} ${JSON.stringify(payload)} tx=${txId}`);
    for (;;) {
      while (inbox.length === 0 && ended === null) await new Promise<void>(r => { wake = r; });
      if (inbox.length === 0) { out.push(`< ${ended}`); return out; }
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

// Issue 12 item 15: what C xenstored makes of odd arguments, and what CONTROL quota reports.
// Some of C's answers are accidents of its code, kept because clients see them:
// - A one-string request (READ, DIRECTORY, GET_PERMS, MKDIR, RM) whose payload is not exactly
//   one NUL-terminated string passes a NULL name down, which fails without setting errno: the
//   reply is whatever errno the last node lookup left (ENOENT after a miss, EINVAL after an
//   invalid name), and MKDIR/RM turn ENOENT into ENOMEM. A successful WATCH leaves errno 0, on
//   which C aborts on an assertion (the whole daemon dies); we answer EINVAL there, so this
//   script never sends such a request right after a WATCH.
// - Domids are atoi() into an unsigned int; permission ids strtol() into one, printed signed.
// - Domains 0..63 exist (the oracle's shim; our standalone daemon says the same): a permission
//   for another domain is kept but ignored, and as the owner it is ENOENT.
// Not compared, because reproducing C would be wrong or cannot be seen here (see also the
// over-long header at the end of the script): socket clients'
// queued events are bounded by the memory quota in ours (issue 11 item 18; C exempts dom0 and
// grows without bound), and the quotas on domains' rings (outstanding requests, event timeouts)
// need a ring, which socket clients do not have (tests/dom0/xenstored/quota.test.ts covers them).
const SCRIPT2: Req[] = [
  // Malformed names: the error is errno as the last lookup left it.
  [T.READ, '/no/such\0'], [T.READ, '/tool/xenstored'], [T.READ, '/tool/xenstored\0x'], [T.READ, ''],
  [T.READ, '/tool\0/x\0'], [T.DIRECTORY, '/'], [T.GET_PERMS, '/\0/\0'], [T.MKDIR, '/m'], [T.RM, ''],
  [T.READ, '/bad//name\0'], [T.READ, '/tool'], [T.DIRECTORY, ''], [T.GET_PERMS, '/'], [T.MKDIR, '/m\0\0'], [T.RM, 'x'],
  [T.READ, '\0'], [T.DIRECTORY, '/tool\0extra'], [T.WRITE, '/e\0'], [T.READ, '/e'], [T.READ, '/e\0'],
  [T.READ, 'relative/missing\0'], [T.WRITE, 'rel2/a\0v'], [T.DIRECTORY, 'rel2\0'], [T.GET_PERMS, 'rel2/a\0'],
  // NULs inside values, empty values, odd names.
  [T.WRITE, '/nul\0a\0b\0'], [T.READ, '/nul\0'], [T.WRITE, '/nul\0'], [T.READ, '/nul\0'], [T.WRITE, '/nul'],
  [T.WRITE, '\0v'], [T.WRITE, '/\0v'], [T.READ, '/\0'], [T.WRITE, '/a-b_c@d\0ok'], [T.READ, '/a-b_c@d\0'],
  [T.WRITE, `/local/domain/-1/${'n'.repeat(2045)}\0v`], [T.WRITE, `/local/domain/-12/${'n'.repeat(2045)}\0v`],
  [T.WRITE, `/local/domain/123456/${'n'.repeat(2030)}\0v`], [T.RM, '/local/domain/-1\0'], [T.RM, '/local/domain/-12\0'],
  // Permissions: ids through strtol into an unsigned int; unknown domains ignored, not as owner.
  [T.WRITE, '/p\0v'], [T.SET_PERMS, '/p\0n0\0r70000\0'], [T.GET_PERMS, '/p\0'], [T.SET_PERMS, '/p\0n0\0r-1\0w4294967296\0'],
  [T.GET_PERMS, '/p\0'], [T.SET_PERMS, '/p\0n0\0b0x10\0r010\0r 5\0'], [T.GET_PERMS, '/p\0'], [T.SET_PERMS, '/p\0n0\0r5 \0'],
  [T.SET_PERMS, '/p\0n0\0r\0'], [T.SET_PERMS, '/p\0n0\0x5\0'], [T.SET_PERMS, '/p\0n100\0'], [T.SET_PERMS, '/p\0n-1\0'],
  [T.SET_PERMS, '/p\0n5\0r99999999999999999999\0junk'], [T.GET_PERMS, '/p\0'], [T.SET_PERMS, '/p\0'], [T.SET_PERMS, '/p'],
  [T.SET_PERMS, '/nope/x\0n0\0'], [T.SET_PERMS, '@introduceDomain\0n0\0r70000\0'], [T.SET_PERMS, '@other\0n0\0'],
  // Transactions: the argument is checked before the transaction; odd ids.
  [T.TRANSACTION_END, 'X\0'], [T.TRANSACTION_END, 'T'], [T.TRANSACTION_END, ''], [T.TRANSACTION_END, 'F\0junk'],
  [T.TRANSACTION_END, 'T\0'], [T.READ, '/p\0', 0xffffffff], [T.TRANSACTION_START, '\0', 0xffffffff],
  [T.TRANSACTION_START, 'junk'], [T.TRANSACTION_END, 'T\0T\0', 1], [T.TRANSACTION_END, 'F\0', 1], [T.WATCH, '/tx\0t\0', 12345],
  [T.UNWATCH, '/tx\0t\0junk', 777], [T.READ, '/no/such\0'],
  // Domids: atoi into an unsigned int.
  [T.GET_DOMAIN_PATH, '-1\0'], [T.GET_DOMAIN_PATH, '4294967296\0'], [T.GET_DOMAIN_PATH, '99999999999999999999\0'],
  [T.GET_DOMAIN_PATH, ' +7x\0'], [T.GET_DOMAIN_PATH, '\0'], [T.GET_DOMAIN_PATH, '5'], [T.GET_DOMAIN_PATH, '5\0junk'],
  [T.IS_DOMAIN_INTRODUCED, 'x\0'], [T.IS_DOMAIN_INTRODUCED, '32752\0'], [T.IS_DOMAIN_INTRODUCED, '5'],
  [T.INTRODUCE, '100\x001\x001\0'], [T.INTRODUCE, '70000\x001\x001\0junk\0'], [T.INTRODUCE, '-1\x001\x00-1\0'],
  [T.INTRODUCE, '9\x001\x000x5\0'], [T.INTRODUCE, '9\x001\0'], [T.INTRODUCE, 'x9\x001\x001\0'],
  [T.IS_DOMAIN_INTRODUCED, '70000\0'], [T.IS_DOMAIN_INTRODUCED, '4294967295\0'], [T.GET_DOMAIN_PATH, '70000\0'],
  [T.RELEASE, '0x7\0'], [T.RELEASE, '-1\0'], [T.RELEASE, '-1\0'], [T.RESUME, '70000\0junk'], [T.RESUME, '70000\0'],
  [T.SET_TARGET, '100\x0070000\0junk'], [T.SET_TARGET, '100\0'], [T.SET_TARGET, '100\x00101\0'],
  // CONTROL: arguments counted by NULs; quotas shown, set and per domain.
  [T.CONTROL, 'help\0x\0'], [T.CONTROL, 'check\0x\0'], [T.CONTROL, 'check\0junk'], [T.CONTROL, 'check'],
  [T.CONTROL, 'memreport\0a\0b\0'], [T.CONTROL, 'print\0'], [T.CONTROL, 'print\0hello\0'], [T.CONTROL, 'log\0on\0off\0'],
  [T.CONTROL, 'logfile\0'], [T.CONTROL, 'quota-soft\0'], [T.CONTROL, 'quota-soft\0x\0'], [T.CONTROL, 'quota-soft\0set\0nodes\x001\0'],
  [T.CONTROL, 'quota\0set\0nodes\0'], [T.CONTROL, 'quota\0set\0bogus\x005\0'], [T.CONTROL, 'quota\0set\0watches\0-3\0'],
  [T.CONTROL, 'quota\0set\0path-max\x002048junk\0'], [T.CONTROL, 'quota\0set\0node-size\x004096\0'], [T.CONTROL, 'quota\0'],
  [T.CONTROL, 'quota\0set\0node-size\x002048\0'], [T.CONTROL, 'quota-soft\0set\0memory\x001234\0'], [T.CONTROL, 'quota-soft\0'],
  [T.CONTROL, 'quota-soft\0set\0memory\x002097152\0'], [T.CONTROL, 'quota\x005\x006\0'], [T.CONTROL, 'quota\0-1\0'],
  [T.CONTROL, 'quota\x00100\0'], [T.CONTROL, 'quota\x0070000\0'], [T.CONTROL, 'quota\x0062\0'], [T.CONTROL, 'quota\x0063\0'],
  // Memory as C accounts it: each node's path, its 24-byte record header, 8 bytes a permission,
  // its value and children; a watch's path and token.
  [T.CONTROL, 'quota\x005\0'], [T.WRITE, '/m5/a\0xyz'], [T.SET_PERMS, '/m5/a\0n5\0r7\0'], [T.CONTROL, 'quota\x005\0'],
  [T.WRITE, '/m5/a\0longer value'], [T.CONTROL, 'quota\x005\0'], [T.RM, '/m5\0'], [T.CONTROL, 'quota\x005\0'],
  [T.CONTROL, 'quota\0x\0'],
  // live-update's subcommands outside a session, and a daemon's refusal of Mini-OS's -b/-d.
  [T.CONTROL, 'live-update\0'], [T.CONTROL, 'live-update\0-a\0'], [T.CONTROL, 'live-update\0-a\0x\0'],
  [T.CONTROL, 'live-update\0-c\0-N\0'], [T.CONTROL, 'live-update\0-s\0-t\x005\0'], [T.CONTROL, 'live-update\0-s\0-x\0'],
  [T.CONTROL, 'live-update\0-b\x00100\0'], [T.CONTROL, 'live-update\0-f\0/no/such/xenstored\0'], [T.CONTROL, 'live-update\0-f\0/etc/hostname\0'],
  // Watches on special and odd paths, with odd tokens.
  [T.WATCH, '@introduceDomain\0\0'], [T.WATCH, `@${'x'.repeat(2048)}\0t\0`], [T.WATCH, `@${'x'.repeat(2047)}\0t\0`],
  [T.WATCH, '@\0t\0'], [T.WATCH, '/w\0a\0junk'], [T.WATCH, '/w\0a\0b\0'], [T.WATCH, '/w'], [T.READ, '/no/such\0'],
  [T.INTRODUCE, '11\x001\x001\0'], [T.WATCH, 'rel\0r\0'], [T.DIRECTORY, '/\0'], [T.WRITE, 'rel/x\0v'], [T.RELEASE, '11\0'],
  [T.CONTROL, 'quota\0'], [T.UNWATCH, '@\0t\0'], [T.UNWATCH, '/w\0a\0'], [T.RESET_WATCHES, 'junk'],
  // DIRECTORY_PART: exactly two NULs (what follows the second is ignored). Only failures are
  // compared: a listing starts with C's global generation count, which ours does not keep.
  [T.DIRECTORY_PART, '/nope\x000\0junk'], [T.DIRECTORY_PART, '/\0'], [T.DIRECTORY_PART, '/\x000\x000\0'],
  [T.DIRECTORY_PART, '/bad//p\0x\0'], [T.DIRECTORY_PART, '/\x000'],
  // A header announcing more than 4096 bytes closes the connection in both. C reads the header
  // alone, so the payload behind it is left unread and the client sees ECONNRESET; ours reads
  // what is there in one go and the client sees a plain close. Reading a header, then its
  // payload, costs ours 6 times its pipelined throughput (measured), so it is not compared.
];

test('odd arguments, domids, permissions and quotas: the same from C xenstored and ours', async t => {
  if (skip) { t.skip(skip); return; }
  const c = await transcript(cSocket, SCRIPT2);
  const o = await transcript(ours!.socket, SCRIPT2);
  assert.deepEqual(o, c);
});
