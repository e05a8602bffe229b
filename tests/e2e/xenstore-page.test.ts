// A guest's xenstore traffic goes through its xenstore page (issue 13): xl dump-core holds the
// page at the frame the guest's store/ring-ref names, and its req/rsp indexes move by exactly
// the bytes of the requests the guest wrote and the replies and watch events it read. The core
// is read with xs_wire.h's offsets written out here, not with the code under test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestHost, haveBinary } from '../helpers/host.ts';
import { pageInCore, ringAt, ringTail as tail, type RingView } from './core-page.ts';
import { guestCfg } from './migrate-helpers.ts';

let h: TestHost;
before(() => { h = new TestHost().start(['--clock', 'virtual']); });
after(() => h.stop());

/** xenstore_domain_interface: req[1024], rsp[1024], then req_cons, req_prod, rsp_cons, rsp_prod. */
function storePage(name: string, pfn: number): { req: RingView; rsp: RingView } {
  const page = pageInCore(h, name, pfn);
  return { req: ringAt(page, 0, 1024, 2048, 2052), rsp: ringAt(page, 1024, 1024, 2056, 2060) };
}

test('dump-core shows the xenstore page, its indexes moved by the guest\'s requests and xenstored\'s replies', { skip: !haveBinary('/usr/bin/xenstore-read') }, () => {
  h.xlOk('create', guestCfg(h, 'xsp', { workload: 'cpu=1' }));
  h.advance('5s');
  const domid = Number(h.xlOk('domid', 'xsp').trim());
  const pfn = Number(h.sys('xenstore-read', [`/local/domain/${domid}/store/ring-ref`]).stdout.trim());
  const before = storePage('xsp', pfn);
  assert.ok(before.req.prod > 0 && before.rsp.prod > 0, 'the guest has talked to xenstored through its page');
  assert.equal(before.req.cons, before.req.prod, 'xenstored took every request');
  assert.equal(before.rsp.cons, before.rsp.prod, 'the guest read every reply');

  // The balloon's watch fires; the guest reads memory/target (one XS_READ) through its page.
  h.xlOk('mem-set', 'xsp', '48m');
  const after = storePage('xsp', pfn);
  const target = `/local/domain/${domid}/memory/target`;
  const read = 16 + target.length + 1;
  assert.equal(after.req.prod - before.req.prod, read, 'one XS_READ went into the req ring');
  assert.equal(after.req.cons, after.req.prod);
  const request = tail(after.req.bytes, after.req.prod, read);
  assert.deepEqual([request.readUInt32LE(0), request.readUInt32LE(12)], [2, target.length + 1], 'XS_READ with its path');
  assert.equal(request.toString('latin1', 16, 16 + target.length), target);
  // The watch event (path and token "balloon") and the reply (the target in KiB).
  const event = 16 + target.length + 1 + 'balloon'.length + 1, reply = 16 + String(48 * 1024).length;
  assert.equal(after.rsp.prod - before.rsp.prod, event + reply, 'a watch event and the reply came back through the rsp ring');
  assert.equal(after.rsp.cons, after.rsp.prod);
  const answer = tail(after.rsp.bytes, after.rsp.prod, reply);
  assert.deepEqual([answer.readUInt32LE(0), answer.toString('latin1', 16)], [2, String(48 * 1024)]);
});
