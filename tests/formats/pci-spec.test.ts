import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePciSpec } from '../../src/formats/pci-spec.ts';

// Expected devices as the real xl 4.17 prints them in `pcidevs` (recorded with `xl -N create`).
test('PCI_SPEC_STRING forms', () => {
  assert.deepEqual(parsePciSpec('01:02.3').pci, { func: 3, dev: 2, bus: 1, vfunc_mask: 1, rdm_policy: 'strict' });
  assert.deepEqual(parsePciSpec('0000:01:02.3@4,permissive=1').pci,
    { func: 3, dev: 2, bus: 1, vdevfn: 32, vfunc_mask: 1, permissive: true, rdm_policy: 'strict' });
  assert.deepEqual(parsePciSpec('1:2.*').pci, { dev: 2, bus: 1, vfunc_mask: 4294967295, rdm_policy: 'strict' });
  assert.deepEqual(parsePciSpec('bdf=01:00.0,msitranslate=0,seize=1,power_mgmt=1,rdm_policy=relaxed').pci,
    { bus: 1, vfunc_mask: 1, power_mgmt: true, seize: true, rdm_policy: 'relaxed' });
  assert.deepEqual(parsePciSpec('name=foo,vslot=3').pci, { vdevfn: 24, rdm_policy: 'strict', name: 'foo' });
});

test('PCI_SPEC_STRING errors', () => {
  for (const bad of ['zz', '01:00.0,name=x', 'vslot=2', '01:00.8', '01:00.0@20']) {
    assert.deepEqual(parsePciSpec(bad), { report: '' }, bad);
  }
  assert.deepEqual(parsePciSpec('01:00.0,foo=1'), { report: 'Unknown PCI_SPEC_STRING option: foo' });
  // libxl_rdm_reserve_policy_from_string's ERROR_FAIL: xl exits 3, not 6
  assert.deepEqual(parsePciSpec('01:00.0,rdm_policy=bad'), { report: 'Unknown RDM policy: bad', status: 3 });
});

// Each number is read by sscanf's %x, which takes a 0x prefix, blanks and a sign (as xl 4.17 does).
test('vslot in hex with 0x, as @VSLOT and as vslot=', () => {
  assert.deepEqual(parsePciSpec('0000:03:00.0,vslot=0x5').pci, { bus: 3, vdevfn: 40, vfunc_mask: 1, rdm_policy: 'strict' });
  assert.deepEqual(parsePciSpec('03:00.1@0x8').pci, { func: 1, bus: 3, vdevfn: 64, vfunc_mask: 1, rdm_policy: 'strict' });
  assert.deepEqual(parsePciSpec('04:00.0@0x').pci, { bus: 4, vfunc_mask: 1, rdm_policy: 'strict' });
  assert.deepEqual(parsePciSpec('3:0x1.0x2').pci, { func: 2, dev: 1, bus: 3, vfunc_mask: 1, rdm_policy: 'strict' });
  assert.deepEqual(parsePciSpec('05:00.0,vslot=5zz,bdf=06:00.0@3').pci, { bus: 6, vdevfn: 40, vfunc_mask: 1, rdm_policy: 'strict' });
  assert.deepEqual(parsePciSpec('0x7:0x0.0x0'), { report: '' });
});
