// The device rings are pages of the guest's memory (issue 13, acceptance 2): xl dump-core of a
// guest that sent N packets and wrote M block requests holds, at its ring pages, sring headers
// whose producer indexes and event thresholds agree with N and M and with what xentop counted
// in Dom0; the slots hold netif/blkif entries. The core is read here with the public headers'
// offsets written out in this file, not with the code under test. The rings travel with the
// memory through save and restore, and the restored guest's frontends go on with new rings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { readCore } from '../../src/formats/elf-core.ts';
import { guestCfg } from './migrate-helpers.ts';

// io/ring.h: req_prod, req_event, rsp_prod, rsp_event, then padding to the slots at 64.
// netif_tx_request: gref 0, offset 4, flags 6, id 8, size 10 (12 bytes; 256 slots).
// blkif_response: id 0 (u64), operation 8, status 10 (in a 112-byte slot; 32 slots).
interface Sring { pfn: number; page: Buffer; reqProd: number; reqEvent: number; rspProd: number; rspEvent: number }
const sringOf = (pfn: number, page: Buffer): Sring => ({
  pfn, page, reqProd: page.readUInt32LE(0), reqEvent: page.readUInt32LE(4), rspProd: page.readUInt32LE(8), rspEvent: page.readUInt32LE(12),
});
/** Pages that look like a ring with traffic: header padding zero, both thresholds set, requests answered at most as many as made. */
function ringsInCore(file: string): Sring[] {
  const core = readCore(readFileSync(file));
  const out: Sring[] = [];
  for (let i = 0; i < core.pfns.length; i++) {
    const page = core.pages.subarray(i * 4096, (i + 1) * 4096);
    const s = sringOf(core.pfns[i]!, page);
    if (s.reqProd === 0 || !page.subarray(16, 64).equals(Buffer.alloc(48)) || s.reqEvent === 0 || s.rspEvent === 0) continue;
    if (((s.reqProd - s.rspProd) >>> 0) > 256) continue;
    out.push(s);
  }
  return out;
}
const txSlot = (s: Sring, idx: number) => 64 + (idx & 255) * 12;
const blkSlot = (s: Sring, idx: number) => 64 + (idx & 31) * 112;
const isTx = (s: Sring) => s.page.readUInt16LE(txSlot(s, s.reqProd - 1) + 10) === 1500;
const isBlk = (s: Sring) => s.page[blkSlot(s, s.rspProd - 1) + 8] === 1 && s.page.readUInt32LE(blkSlot(s, s.rspProd - 1)) === s.rspProd - 1;

let h: TestHost;
before(() => { h = new TestHost().start(['--clock', 'virtual', '--memory', '4G']); });
after(() => h.stop());

/** What Dom0 counted for the guest's vif and vbd: packets it received from the guest, write requests it served. */
function dom0Counts(name: string): { packets: number; writes: number } {
  const r = h.run('xentop', ['-b', '-i', '1', '-n', '-x']);
  const lines = r.stdout.split('\n');
  const at = lines.findIndex(l => l.trim().split(/\s+/)[0] === name);
  const mine = lines.slice(at + 1, at + 4).join('\n');
  const packets = Number(/Net0 RX:\s+\d+bytes\s+(\d+)pkts/.exec(mine)?.[1]);
  const writes = Number(/WR:\s+(\d+)/.exec(mine)?.[1]);
  return { packets, writes };
}

function dump(name: string): Sring[] {
  const file = join(h.home, `${name}.core`);
  h.xlOk('dump-core', name, file);
  const rings = ringsInCore(file);
  rmSync(file);
  return rings;
}

function guest(name: string): string {
  const img = join(h.home, `${name}.img`);
  const fd = openSync(img, 'w'); ftruncateSync(fd, 64 << 20); closeSync(fd);
  // One 1500-byte packet and one 8-sector write per 100 ms tick of the guest's I/O.
  return guestCfg(h, name, { workload: 'net-tx=15000,disk-write=40960', extra: `vif = [ 'bridge=xenbr0' ]\ndisk = [ '${img},raw,xvda,w' ]` });
}

test('dump-core shows the rings with indexes that agree with the packets sent and the requests written, and save/restore carries them', () => {
  h.xlOk('create', guest('rp'));
  h.advance('7s');
  // Paused, the guest makes no more requests; Dom0 answers what is on the rings.
  h.xlOk('pause', 'rp');
  h.advance('1s');
  const { packets: n, writes: m } = dom0Counts('rp');
  assert.ok(n > 40 && m > 40, `sent ${n} packets, wrote ${m} requests`);
  const rings = dump('rp');
  const [tx, ...moreTx] = rings.filter(isTx), [blk, ...moreBlk] = rings.filter(isBlk);
  assert.ok(tx && blk && moreTx.length === 0 && moreBlk.length === 0, 'one tx ring and one blk ring');
  // Every request made was answered, and each backend, out of work, asked for the next one.
  assert.deepEqual([tx.reqProd, tx.rspProd, tx.reqEvent], [n, n, n + 1]);
  assert.deepEqual([blk.reqProd, blk.rspProd, blk.reqEvent], [m, m, m + 1]);
  // The last packet's request in its slot (modulo 256): its id is its slot, its size the packet's.
  assert.equal(tx.page.readUInt16LE(txSlot(tx, n - 1) + 8), (n - 1) & 255);
  // The last write's response in its slot (modulo 32): the request's id, BLKIF_OP_WRITE, BLKIF_RSP_OKAY.
  const at = blkSlot(blk, m - 1);
  assert.deepEqual([blk.page.readUInt32LE(at), blk.page[at + 8], blk.page.readInt16LE(at + 10)], [m - 1, 1, 0]);
  // The response left the request's segment in place (blkif_request: seg[0] at 24, its gref first):
  // a grant of the guest to Dom0, which blkback maps once and keeps (a persistent grant), as the 'g' key shows.
  const gref = blk.page.readUInt32LE(at + 24);
  const domid = Number(h.xlOk('domid', 'rp').trim());
  h.xlOk('dmesg', '-c');
  h.xlOk('debug-keys', 'g');
  const table = h.xlOk('dmesg').split(`grant-table for remote d${domid} (v1)`)[1] ?? '';
  assert.match(table, new RegExp(`\\[0x${gref.toString(16).padStart(3, '0')}\\] +0 0x[0-9a-f]+ 0x00000001 +0 0x[0-9a-f]+ 0x19\n`), `segment gref ${gref} mapped once by Dom0`);

  // The pages travel with the memory: the restored guest holds them at the same frames, as they were.
  h.xlOk('unpause', 'rp');
  const file = join(h.home, 'rp.save');
  h.xlOk('save', 'rp', file);
  h.xlOk('restore', '-p', file);
  const carried = dump('rp');
  for (const old of [tx, blk]) {
    const page = carried.find(r => r.pfn === old.pfn)?.page;
    assert.ok(page?.subarray(0, 4064).equals(old.page.subarray(0, 4064)), `the ring page at pfn ${old.pfn} came back as it was`);
  }
  // The frontends set up new rings on resume: the traffic from then on is counted on those.
  h.xlOk('unpause', 'rp');
  h.advance('3s');
  const after = dom0Counts('rp');
  const now = dump('rp');
  const tx2 = now.find(r => isTx(r) && r.pfn !== tx.pfn), blk2 = now.find(r => isBlk(r) && r.pfn !== blk.pfn);
  assert.ok(after.packets >= 25 && after.writes >= 25, `after the restore: ${after.packets} packets, ${after.writes} writes`);
  assert.equal(tx2?.rspProd, after.packets);
  assert.equal(blk2?.rspProd, after.writes);
  // Between two ticks of Dom0, the guest may have put its next request on the ring already.
  assert.ok(tx2!.reqProd - tx2!.rspProd <= 1 && blk2!.reqProd - blk2!.rspProd <= 1);
  h.xlOk('destroy', 'rp');
});
