// A guest's xenstore traffic goes through its xenstore page (issue 13): xl dump-core holds the
// page at the frame the guest's store/ring-ref names, and its req/rsp indexes move by exactly
// the bytes of the requests the guest wrote and the replies and watch events it read. The core
// is read with xs_wire.h's offsets written out here, not with the code under test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost, haveBinary } from '../helpers/host.ts';
import { readCore } from '../../src/formats/elf-core.ts';
import { guestCfg } from './migrate-helpers.ts';

let h: TestHost;
before(() => { h = new TestHost().start(['--clock', 'virtual']); });
after(() => h.stop());

interface XsPage { reqCons: number; reqProd: number; rspCons: number; rspProd: number; req: Buffer; rsp: Buffer }

/** The page at `pfn` in a fresh core of the guest: req[1024], rsp[1024], then req_cons, req_prod, rsp_cons, rsp_prod. */
function storePage(name: string, pfn: number): XsPage {
  const file = join(h.home, `${name}.core`);
  h.xlOk('dump-core', name, file);
  const core = readCore(readFileSync(file));
  rmSync(file);
  const i = core.pfns.indexOf(pfn);
  assert.ok(i >= 0, `pfn ${pfn.toString(16)} is in the core`);
  const page = core.pages.subarray(i * 4096, (i + 1) * 4096);
  return {
    req: page.subarray(0, 1024), rsp: page.subarray(1024, 2048),
    reqCons: page.readUInt32LE(2048), reqProd: page.readUInt32LE(2052), rspCons: page.readUInt32LE(2056), rspProd: page.readUInt32LE(2060),
  };
}

/** The `len` bytes of a byte ring that end at index `end`. */
const tail = (ring: Buffer, end: number, len: number): Buffer => Buffer.from(Array.from({ length: len }, (_, k) => ring[(end - len + k) & 1023]!));

test('dump-core shows the xenstore page, its indexes moved by the guest\'s requests and xenstored\'s replies', { skip: !haveBinary('/usr/bin/xenstore-read') }, () => {
  h.xlOk('create', guestCfg(h, 'xsp', { workload: 'cpu=1' }));
  h.advance('5s');
  const domid = Number(h.xlOk('domid', 'xsp').trim());
  const pfn = Number(h.sys('xenstore-read', [`/local/domain/${domid}/store/ring-ref`]).stdout.trim());
  const before = storePage('xsp', pfn);
  assert.ok(before.reqProd > 0 && before.rspProd > 0, 'the guest has talked to xenstored through its page');
  assert.equal(before.reqCons, before.reqProd, 'xenstored took every request');
  assert.equal(before.rspCons, before.rspProd, 'the guest read every reply');

  // The balloon's watch fires; the guest reads memory/target (one XS_READ) through its page.
  h.xlOk('mem-set', 'xsp', '48m');
  const after = storePage('xsp', pfn);
  const target = `/local/domain/${domid}/memory/target`;
  const read = 16 + target.length + 1;
  assert.equal(after.reqProd - before.reqProd, read, 'one XS_READ went into the req ring');
  assert.equal(after.reqCons, after.reqProd);
  const request = tail(after.req, after.reqProd, read);
  assert.deepEqual([request.readUInt32LE(0), request.readUInt32LE(12)], [2, target.length + 1], 'XS_READ with its path');
  assert.equal(request.toString('latin1', 16, 16 + target.length), target);
  // The watch event (path and token "balloon") and the reply (the target in KiB).
  const event = 16 + target.length + 1 + 'balloon'.length + 1, reply = 16 + String(48 * 1024).length;
  assert.equal(after.rspProd - before.rspProd, event + reply, 'a watch event and the reply came back through the rsp ring');
  assert.equal(after.rspCons, after.rspProd);
  const answer = tail(after.rsp, after.rspProd, reply);
  assert.deepEqual([answer.readUInt32LE(0), answer.toString('latin1', 16)], [2, String(48 * 1024)]);
});
