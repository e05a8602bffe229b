// Grant tables: what a backend may map of a frontend's grants, with Xen 4.17's status codes,
// the maptrack handles of the mapping domain, pin counts and the reading/writing bits, copy,
// and a dying domain's mappings given back (gnttab_release_mappings). Real Hypervisor objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine, DEFAULT_MACHINE } from '../../src/machine/host.ts';
import { Clock } from '../../src/machine/clock.ts';
import { Hypervisor } from '../../src/hypervisor/hypervisor.ts';
import {
  GNTMAP_host_map, GNTMAP_readonly, GNTST_bad_copy_arg, GNTST_bad_domain, GNTST_bad_gntref, GNTST_bad_handle, GNTST_bad_page,
  GNTST_general_error, GNTST_no_space, GNTST_okay, GNTST_permission_denied, GTF_permit_access, GTF_readonly, GTF_reading,
  GTF_writing, GRANT_ENTRIES_PER_FRAME, MAPTRACK_PER_PAGE, OPT_MAX_GRANT_FRAMES,
} from '../../src/hypervisor/grant-table.ts';
import { GNTCOPY_dest_gref, GNTCOPY_source_gref } from '../../src/hypervisor/grant-ops.ts';
import { GuestGnttab } from '../../src/guest/gnttab.ts';
import { grantTableUsage } from '../../src/hypervisor/keyhandlers/grant-usage.ts';

function host(): Hypervisor {
  const hv = new Hypervisor(new Machine(DEFAULT_MACHINE), new Clock('virtual', 0));
  const spec = (uuid: string, memkb: number, extra = {}) => ({ type: 'pv' as const, uuid, maxVcpus: 1, onlineVcpus: 1, maxMemkb: memkb, memkb, weight: 256, cap: 0, poolId: 0, affinity: [{ hard: null, soft: null }], ...extra });
  hv.createDomain(spec('00000000-0000-0000-0000-000000000000', -1), 0);
  hv.allocate(hv.createDomain(spec('11111111-1111-1111-1111-111111111111', 65536), 1), 16384);
  return hv;
}
const W = GNTMAP_host_map, RO = GNTMAP_host_map | GNTMAP_readonly;

test('a backend maps a granted page: handle, pin count and the entry marked in use until unmapped', () => {
  const hv = host();
  const gt = hv.get(1).grantTable;
  const ref = new GuestGnttab(gt).grantForeignAccess(0, 0x800);
  assert.equal(ref, 8, 'refs 0-7 are reserved');
  const r = hv.gnttab.map(0, { dom: 1, ref, flags: W });
  assert.equal(r.status, GNTST_okay);
  assert.equal(r.handle, 0);
  assert.equal(gt.activeEntry(ref)!.pin, 1);
  assert.equal(gt.entry(ref).flags, GTF_permit_access | GTF_reading | GTF_writing);
  assert.equal(hv.get(0).grantTable.nrMaptrackFrames, 1);
  // Mapped twice by the same domain: two handles, the pin counts both.
  const again = hv.gnttab.map(0, { dom: 1, ref, flags: W });
  assert.equal(again.handle, 1);
  assert.equal(gt.activeEntry(ref)!.pin, 2);
  assert.equal(hv.gnttab.unmap(0, again.handle), GNTST_okay);
  assert.equal(hv.gnttab.unmap(0, r.handle), GNTST_okay);
  assert.equal(gt.activeEntry(ref), undefined);
  assert.equal(gt.entry(ref).flags, GTF_permit_access);
  assert.equal(hv.gnttab.unmap(0, r.handle), GNTST_bad_handle, 'a handle unmapped twice');
  assert.equal(hv.gnttab.unmap(0, 5000), GNTST_bad_handle);
});

test('status codes: bad domain, bad ref, an entry not granted to the mapper, a read-only grant mapped writable, a page not populated', () => {
  const hv = host();
  const gt = hv.get(1).grantTable;
  const guest = new GuestGnttab(gt);
  assert.equal(hv.gnttab.map(0, { dom: 7, ref: 8, flags: W }).status, GNTST_bad_domain);
  assert.equal(hv.gnttab.map(0, { dom: 1, ref: GRANT_ENTRIES_PER_FRAME, flags: W }).status, GNTST_bad_gntref);
  assert.equal(hv.gnttab.map(0, { dom: 1, ref: 8, flags: 0 }).status, GNTST_bad_gntref, 'neither host nor device map');
  assert.equal(hv.gnttab.map(0, { dom: 1, ref: 20, flags: W }).status, GNTST_general_error, 'never granted');
  const toOther = guest.grantForeignAccess(5, 0x800);
  assert.equal(hv.gnttab.map(0, { dom: 1, ref: toOther, flags: W }).status, GNTST_general_error, 'granted to d5');
  const ro = guest.grantForeignAccess(0, 0x801, true);
  assert.equal(hv.gnttab.map(0, { dom: 1, ref: ro, flags: W }).status, GNTST_general_error);
  const m = hv.gnttab.map(0, { dom: 1, ref: ro, flags: RO });
  assert.equal(m.status, GNTST_okay);
  assert.equal(gt.entry(ro).flags, GTF_permit_access | GTF_readonly | GTF_reading);
  assert.equal(gt.activeEntry(ro)!.pin, 1 << 8, 'GNTPIN_hstr_inc');
  const unpopulated = guest.grantForeignAccess(0, 0x5000);
  assert.equal(hv.gnttab.map(0, { dom: 1, ref: unpopulated, flags: W }).status, GNTST_bad_page);
  // Failed maps took no handle: the next one is handle 1.
  assert.equal(hv.gnttab.map(0, { dom: 1, ref: ro, flags: RO }).handle, 1);
});

test('maptrack: no free handle past max_maptrack_frames is GNTST_no_space', () => {
  const hv = new Hypervisor(new Machine(DEFAULT_MACHINE), new Clock('virtual', 0));
  const spec = (uuid: string, extra = {}) => ({ type: 'pv' as const, uuid, maxVcpus: 1, onlineVcpus: 1, maxMemkb: 65536, memkb: 65536, weight: 256, cap: 0, poolId: 0, affinity: [{ hard: null, soft: null }], ...extra });
  hv.allocate(hv.createDomain(spec('22222222-2222-2222-2222-222222222222', { maxMaptrackFrames: 1 }), 2), 16384);
  hv.allocate(hv.createDomain(spec('33333333-3333-3333-3333-333333333333'), 3), 16384);
  const ref = new GuestGnttab(hv.get(3).grantTable).grantForeignAccess(2, 0x800);
  for (let i = 0; i < MAPTRACK_PER_PAGE; i++) assert.equal(hv.gnttab.map(2, { dom: 3, ref, flags: W }).status, GNTST_okay);
  assert.equal(hv.gnttab.map(2, { dom: 3, ref, flags: W }).status, GNTST_no_space);
});

test('the table is sized by max_grant_frames (Xen default 64): the guest grows it a frame at a time up to the limit', () => {
  const hv = host();
  assert.equal(hv.get(1).grantTable.maxGrantFrames, OPT_MAX_GRANT_FRAMES);
  const small = hv.createDomain({ type: 'pv', uuid: '44444444-4444-4444-4444-444444444444', maxVcpus: 1, onlineVcpus: 1, maxMemkb: 65536, memkb: 65536, weight: 256, cap: 0, poolId: 0, affinity: [{ hard: null, soft: null }], maxGrantFrames: 2 }, 4);
  const guest = new GuestGnttab(small.grantTable);
  for (let i = 8; i < 2 * GRANT_ENTRIES_PER_FRAME; i++) guest.grantForeignAccess(0, 0x800);
  assert.equal(small.grantTable.nrFrames, 2);
  assert.throws(() => guest.grantForeignAccess(0, 0x800), /grant table full/);
});

test('an entry still mapped cannot be revoked: the guest defers its free until the backend unmaps', () => {
  const hv = host();
  const gt = hv.get(1).grantTable;
  const guest = new GuestGnttab(gt);
  const ref = guest.grantForeignAccess(0, 0x800);
  const m = hv.gnttab.map(0, { dom: 1, ref, flags: W });
  guest.endForeignAccess(ref);
  assert.equal(gt.entry(ref).domid, 0);
  assert.notEqual(guest.grantForeignAccess(0, 0x801), ref, 'not reused while mapped');
  hv.gnttab.unmap(0, m.handle);
  assert.equal(guest.grantForeignAccess(0, 0x802), ref, 'freed once unmapped, and reused first');
});

test('copy: between grants and the caller\'s own frames, with Xen\'s checks', () => {
  const hv = host();
  const guest = new GuestGnttab(hv.get(1).grantTable);
  const src = guest.grantForeignAccess(0, 0x800, true), dst = guest.grantForeignAccess(0, 0x801);
  const mine = Buffer.from('packet from dom0');
  const out = Buffer.alloc(16);
  assert.equal(hv.gnttab.copy(0, { source: { domid: 0, gmfn: 0, offset: 0, buffer: mine }, dest: { domid: 1, ref: dst, offset: 100 }, len: 16, flags: GNTCOPY_dest_gref }), GNTST_okay);
  assert.equal(hv.get(1).memory!.readPage(0x801).subarray(100, 116).toString(), 'packet from dom0');
  assert.equal(hv.gnttab.copy(0, { source: { domid: 1, ref: dst, offset: 100 }, dest: { domid: 0, gmfn: 0, offset: 0, buffer: out }, len: 16, flags: GNTCOPY_source_gref }), GNTST_okay);
  assert.equal(out.toString(), 'packet from dom0');
  assert.equal(hv.gnttab.copy(0, { source: { domid: 1, gmfn: 0x800, offset: 0 }, dest: { domid: 0, gmfn: 0, offset: 0, buffer: out }, len: 16, flags: 0 }), GNTST_permission_denied, 'a foreign frame');
  assert.equal(hv.gnttab.copy(0, { source: { domid: 0, gmfn: 0, offset: 0, buffer: mine }, dest: { domid: 1, ref: src, offset: 0 }, len: 16, flags: GNTCOPY_dest_gref }), GNTST_general_error, 'into a read-only grant');
  assert.equal(hv.gnttab.copy(0, { source: { domid: 0, gmfn: 0, offset: 0, buffer: mine }, dest: { domid: 1, ref: dst, offset: 4090 }, len: 16, flags: GNTCOPY_dest_gref }), GNTST_bad_copy_arg);
  assert.equal(hv.gnttab.copy(0, { source: { domid: 0, gmfn: 0, offset: 0, buffer: mine }, dest: { domid: 9, ref: dst, offset: 0 }, len: 16, flags: GNTCOPY_dest_gref }), GNTST_bad_domain);
});

test('a dying domain: its own mappings are released; its grants still mapped keep its table (and the g dump) until unmapped', () => {
  const hv = host();
  const ref = new GuestGnttab(hv.get(1).grantTable).grantForeignAccess(0, 0x800);
  const m = hv.gnttab.map(0, { dom: 1, ref, flags: W });
  // d1 maps a grant of Dom0's too.
  hv.get(0).grantTable.setEntry(8, { flags: GTF_permit_access, domid: 1, frame: 0x100 });
  assert.equal(hv.gnttab.map(1, { dom: 0, ref: 8, flags: W }).status, GNTST_okay);
  hv.destroyDomain(1);
  assert.equal(hv.get(0).grantTable.activeEntry(8), undefined, 'released with d1');
  assert.ok(grantTableUsage(hv).includes('grant-table for remote d1 (v1)'), 'zombie table still listed');
  assert.equal(hv.gnttab.map(0, { dom: 1, ref, flags: W }).status, GNTST_general_error, 'no new pin of a dying domain\'s page');
  assert.equal(hv.gnttab.unmap(0, m.handle), GNTST_okay);
  assert.ok(!grantTableUsage(hv).includes('grant-table for remote d1 (v1)'), 'gone once unmapped');
  assert.equal(hv.gnttab.map(0, { dom: 1, ref, flags: W }).status, GNTST_bad_domain);
});

test("'g' dump: Xen 4.17's lines for a mapped entry", () => {
  const hv = host();
  const ref = new GuestGnttab(hv.get(1).grantTable).grantForeignAccess(0, 0x800);
  const m = hv.gnttab.map(0, { dom: 1, ref, flags: W });
  const lines = grantTableUsage(hv);
  assert.equal(lines[0], "gnttab_usage_print_all [ key 'g' pressed");
  assert.equal(lines.at(-1), 'gnttab_usage_print_all ] done');
  const d1 = lines.indexOf('grant-table for remote d1 (v1)');
  assert.equal(lines[d1 - 2], '      -------- active --------       -------- shared --------');
  assert.equal(lines[d1 - 1], '[ref] localdom mfn      pin          localdom gmfn     flags');
  assert.equal(lines[d1 + 1], '  1 frames (64 max), 0 maptrack frames (1024 max)');
  assert.match(lines[d1 + 2]!, new RegExp(`^\\[0x008\\]      0 0x${m.mfn.toString(16)} 0x00000001          0 0x000800 0x19$`));
  assert.equal(lines[lines.indexOf('grant-table for remote d0 (v1)') + 2], 'no active grant table entries');
});

test('a dying domain with two grants mapped: its table stays until the last one is unmapped', () => {
  const hv = host();
  const g = new GuestGnttab(hv.get(1).grantTable);
  const maps = [g.grantForeignAccess(0, 0x800), g.grantForeignAccess(0, 0x801)].map(ref => hv.gnttab.map(0, { dom: 1, ref, flags: W }));
  hv.destroyDomain(1);
  assert.equal(hv.gnttab.unmap(0, maps[0]!.handle), GNTST_okay);
  assert.ok(grantTableUsage(hv).includes('grant-table for remote d1 (v1)'), 'still held by the second mapping');
  assert.equal(hv.gnttab.unmap(0, maps[1]!.handle), GNTST_okay);
  assert.ok(!grantTableUsage(hv).includes('grant-table for remote d1 (v1)'), 'gone once the last is unmapped');
});
