// blkback's grants of a vbd's data (src/dom0/backends/blkback-grants.ts), on real Hypervisor
// objects: the segments a guest granted are mapped once and kept as persistent grants (pinned
// in the guest's table, one Dom0 handle each), reused by later requests, unmapped when the vbd
// goes; a ref never granted fails in the hypervisor's map and takes the vbd down, as a request
// producer published past the ring does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dom0AndGuest } from '../helpers/grant-host.ts';
import { BlkbackGrants } from '../../src/dom0/backends/blkback-grants.ts';

function host() {
  const { hv, gnttab } = dom0AndGuest();
  const fatal: string[] = [];
  return { hv, gnttab, fatal, blkback: new BlkbackGrants(hv.gnttab, (d, n, err, msg) => fatal.push(`d${d} ${n}: ${err} ${msg}`)) };
}
const request = (grefs: number[]) => ({ id: 0, write: true, sector: 0, sectors: 8 * grefs.length, grefs });

test('persistent grants: each segment mapped once and kept, reused by later requests, all unmapped with the vbd', () => {
  const { hv, gnttab, fatal, blkback } = host();
  const refs = [0x900, 0x901, 0x902].map(pfn => gnttab.grantForeignAccess(0, pfn));
  assert.ok(blkback.mapRequest(1, 51712, request(refs.slice(0, 2))));
  assert.ok(blkback.mapRequest(1, 51712, request(refs)));
  assert.ok(blkback.mapRequest(1, 51712, request([refs[0]!])));
  const table = hv.get(1).grantTable;
  assert.deepEqual(table.pinnedRefs(), refs, 'each granted page pinned');
  for (const ref of refs) assert.equal(table.activeEntry(ref)!.pin, 1, `ref ${ref} mapped once`);
  assert.equal(hv.get(0).grantTable.liveHandles().length, 3, 'Dom0 holds one handle per page');
  blkback.release(1, 51712);
  assert.deepEqual(table.pinnedRefs(), []);
  assert.equal(hv.get(0).grantTable.liveHandles().length, 0);
  assert.deepEqual(fatal, []);
});

test('a ref never granted fails in the map: the request is refused and the vbd taken down once', () => {
  const { hv, gnttab, fatal, blkback } = host();
  const ok = gnttab.grantForeignAccess(0, 0x900);
  assert.equal(blkback.mapRequest(1, 51712, request([ok, gnttab.neverGranted()])), false);
  assert.deepEqual(fatal, [`d1 51712: 5 invalid buffer -- could not remap it (grant ref ${gnttab.neverGranted()}: undefined error)`]);
  // Halted: later requests are refused without a word, even good ones.
  assert.equal(blkback.mapRequest(1, 51712, request([ok])), false);
  assert.equal(fatal.length, 1);
  // Another vbd of the guest is not affected.
  assert.ok(blkback.mapRequest(1, 51728, request([ok])));
  blkback.release(1);
  assert.deepEqual(hv.get(1).grantTable.pinnedRefs(), []);
});

test('a request producer published past the ring halts it (RING_REQUEST_PROD_OVERFLOW)', () => {
  const { hv, fatal, blkback } = host();
  const rings = hv.rings.blk(1, 51712);
  assert.ok(blkback.ringSane(1, 51712, rings));
  rings.ring.push({ id: 0, write: true, sector: 0, sectors: 8 });
  rings.ring.shared.publishUnwritten(rings.ring.size + 1);
  assert.equal(blkback.ringSane(1, 51712, rings), false);
  assert.deepEqual(fatal, ['d1 51712: 13 Frontend provided bogus ring requests (34 - 0 = 34). Halting ring processing on dev=ca00']);
  assert.equal(blkback.ringSane(1, 51712, rings), false);
  assert.equal(fatal.length, 1);
});
