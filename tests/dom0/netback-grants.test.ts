// netback's grant operations on a vif's data (src/dom0/backends/netback-grants.ts), on real
// Hypervisor objects: a packet's head is copied out of the page the guest granted, a receive
// buffer is filled by a copy into the guest's page, and a ref never granted fails in the
// hypervisor's copy with its status: the request is answered with an error and the vif disabled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dom0AndGuest } from '../helpers/grant-host.ts';
import { NetbackGrants } from '../../src/dom0/backends/netback-grants.ts';
import { NETIF_RSP_ERROR, NETIF_RSP_OKAY } from '../../src/formats/xen-ring/index.ts';
import type { NetRequest } from '../../src/hypervisor/io-ring.ts';

function host() {
  const { hv, gnttab } = dom0AndGuest();
  const fatal: string[] = [];
  return { hv, gnttab, fatal, netback: new NetbackGrants(hv.gnttab, (d, n, err, msg) => fatal.push(`d${d} ${n}: ${err} ${msg}`)) };
}

test('a packet sent is copied (and mapped) from the page granted read-only; a receive buffer is written by a copy into the guest page', () => {
  const { hv, gnttab, fatal, netback } = host();
  const mem = hv.get(1).memory!;
  const tx: NetRequest = { bytes: 1500, packets: 1, gref: gnttab.grantForeignAccess(0, 0x900, true) };
  assert.ok(netback.tx(1, 0, tx));
  assert.equal(tx.status, NETIF_RSP_OKAY);
  assert.deepEqual(hv.get(1).grantTable.pinnedRefs(), [], 'the mapping of the packet\'s rest went once it was sent');
  mem.poke(0x901, 32, Buffer.alloc(4064, 0xaa));
  assert.ok(netback.rx(1, 0, { bytes: 4096, packets: 3, gref: gnttab.grantForeignAccess(0, 0x901) }));
  assert.ok(mem.readPage(0x901).subarray(32).equals(Buffer.alloc(4064)), 'Dom0\'s page (zeros) landed in the guest\'s');
  assert.deepEqual(fatal, []);
});

test('a ref never granted: the copy fails with the hypervisor\'s status, the request gets an error, the vif is disabled', () => {
  const { gnttab, fatal, netback } = host();
  const bad: NetRequest = { bytes: 1500, packets: 1, gref: gnttab.neverGranted() };
  assert.equal(netback.tx(1, 0, bad), false);
  assert.equal(bad.status, NETIF_RSP_ERROR);
  assert.deepEqual(fatal, [`d1 0: 22 Grant copy of header failed! status: -1 ref: ${gnttab.neverGranted()}`]);
  const rx = { bytes: 4096, packets: 3, gref: 4096 };
  assert.equal(netback.rx(1, 1, rx), false, 'beyond the table: bad gntref');
  assert.deepEqual(fatal.slice(1), ['d1 1: 22 Bad status -3 from copy to DOM1.']);
});
