// A guest's PV console goes through its console page (issue 13): the guest's output is in the
// out ring xenconsoled reads (the tail of the log file is the tail of the ring) and what `xl
// console` types is in the in ring the guest reads, both with their indexes caught up. The core
// is read with io/console.h's offsets written out here, not with the code under test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost, haveBinary } from '../helpers/host.ts';
import { pageInCore, ringAt, ringTail as tail, type RingView } from './core-page.ts';
import { guestCfg } from './migrate-helpers.ts';

let h: TestHost;
before(() => { h = new TestHost().start(['--clock', 'virtual']); });
after(() => h.stop());

/** xencons_interface: in[1024], out[2048], then in_cons, in_prod, out_cons, out_prod. */
function consolePage(name: string, pfn: number): { in: RingView; out: RingView } {
  const page = pageInCore(h, name, pfn);
  return { in: ringAt(page, 0, 1024, 3072, 3076), out: ringAt(page, 1024, 2048, 3080, 3084) };
}

function until(stream: NodeJS.ReadableStream, re: RegExp): Promise<string> {
  return new Promise(resolve => {
    let seen = '';
    const on = (d: Buffer) => { seen += d; if (re.test(seen)) { stream.off('data', on); resolve(seen); } };
    stream.on('data', on);
  });
}

test('the console page holds the guest\'s output for xenconsoled and the typed input for the guest', { skip: !haveBinary('/usr/bin/xenstore-read') }, async () => {
  h.xlOk('create', guestCfg(h, 'cons', { workload: 'cpu=1' }));
  h.advance('10s');
  const domid = Number(h.xlOk('domid', 'cons').trim());
  const pfn = Number(h.sys('xenstore-read', [`/local/domain/${domid}/console/ring-ref`]).stdout.trim());
  const booted = consolePage('cons', pfn);
  const log = readFileSync(join(h.home, 'logs', 'console', 'guest-cons.log'));
  // The boot log fits the 2048-byte out ring: all of it is still there, from index 0.
  assert.ok(booted.out.prod > 500 && booted.out.prod <= 2048, `the boot log went through the out ring: ${booted.out.prod} bytes`);
  assert.equal(booted.out.cons, booted.out.prod, 'xenconsoled read all of it');
  const output = tail(booted.out.bytes, booted.out.prod, booted.out.prod).toString('latin1');
  assert.equal(log.toString('latin1'), output.replace(/\r\n/g, '\n'), 'the log file is what the ring carried');
  assert.equal(booted.in.prod, 0, 'nothing typed yet');

  const child = h.spawn('xl', ['console', 'cons']);
  const exited = once(child, 'exit');
  await until(child.stdout!, /login: /);
  const typed = 'root\r';
  child.stdin!.write(typed);
  await until(child.stdout!, /# $/);
  child.stdin!.write(Buffer.from([0x1d]));
  await exited;
  const after = consolePage('cons', pfn);
  assert.equal(after.in.prod, typed.length, 'what xl console typed went into the in ring');
  assert.equal(after.in.cons, after.in.prod, 'and the guest read it');
  assert.equal(after.in.bytes.toString('latin1', 0, typed.length), typed);
  assert.ok(after.out.prod > booted.out.prod && after.out.cons === after.out.prod, 'the shell\'s answer came out through the page');
});
