// The xenstore tree libxl writes for PCI passthrough, read by the real Debian xenstore-ls -fp:
// /libxl/pci/<bdf> (driver_path, domid), the backend's num_devs/dev-N/key-N/opts-N/state-N with
// pciback's vdev-N and roots, the guest's device/pci/0 with pcifront's op page and event
// channel, their permissions and states; a hot-plugged second device (Reconfiguring, then
// Connected again, state-1 Initialised); and all of it gone after pci-detach of both.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestHost, haveBinary } from '../helpers/host.ts';

const XENSTORE_LS = '/usr/bin/xenstore-ls';
const skip = !haveBinary(XENSTORE_LS) && 'needs the real xenstore-ls (apt-get install xenstore-utils)';
let h: TestHost, domid: number;

before(() => {
  if (skip) return;
  h = new TestHost().start();
  h.xlOk('pci-assignable-add', '03:00.0');
  h.xlOk('pci-assignable-add', '03:00.1');
  h.xlOk('create', '-q', h.guestConfig('nic', `pci = [ '03:00.0,permissive=1' ]`));
  h.advance('3s');
  domid = Number(h.xlOk('domid', 'nic').trim());
});
after(() => { if (!skip) h.stop(); });

function ls(path: string): string {
  const r = h.sys(XENSTORE_LS, ['-fp', path]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.replace(/ {3,}\(/g, '   (');
}

test('a PV guest with one device: the backend, the frontend and /libxl/pci, as libxl, pciback and pcifront write them', { skip }, () => {
  const be = `/local/domain/0/backend/pci/${domid}/0`, fe = `/local/domain/${domid}/device/pci/0`;
  const r = `(n0,r${domid})`;
  assert.equal(ls(be), [
    `${be}/frontend = "${fe}"   ${r}`, `${be}/frontend-id = "${domid}"   ${r}`, `${be}/online = "1"   ${r}`, `${be}/state = "4"   ${r}`,
    `${be}/domain = "nic"   ${r}`, `${be}/key-0 = "0000:03:00.0"   ${r}`, `${be}/dev-0 = "0000:03:00.0"   ${r}`,
    `${be}/opts-0 = "msitranslate=0,power_mgmt=0,permissive=1,rdm_policy=strict"   ${r}`, `${be}/state-0 = "1"   ${r}`,
    `${be}/num_devs = "1"   ${r}`, `${be}/vdev-0 = "0000:00:00.0"   ${r}`, `${be}/root_num = "1"   ${r}`, `${be}/root-0 = "0000:00"   ${r}`, '',
  ].join('\n'));
  assert.match(ls(fe), new RegExp(`^${fe}/backend = "${be}"   \\(n${domid},r0\\)\n${fe}/backend-id = "0"   \\(n${domid},r0\\)\n${fe}/state = "4"   \\(n${domid},r0\\)\n${fe}/pci-op-ref = "\\d+"   \\(n${domid},r0\\)\n${fe}/event-channel = "\\d+"   \\(n${domid},r0\\)\n${fe}/magic = "7"   \\(n${domid},r0\\)\n$`));
  assert.equal(ls('/libxl/pci'), [
    '/libxl/pci/0000-03-00-0 = ""   (n0)', '/libxl/pci/0000-03-00-0/driver_path = "/sys/bus/pci/drivers/ixgbe"   (n0)',
    `/libxl/pci/0000-03-00-0/domid = "${domid}"   (n0)`,
    '/libxl/pci/0000-03-00-1 = ""   (n0)', '/libxl/pci/0000-03-00-1/driver_path = "/sys/bus/pci/drivers/ixgbe"   (n0)', '',
  ].join('\n'));
});

test('a hot-plugged device: dev-1 with its vslot, state-1 Initialised once pciback exported it, the backend Connected again', { skip }, () => {
  assert.equal(h.xl('pci-attach', 'nic', '03:00.1@05').status, 0);
  const be = `/local/domain/0/backend/pci/${domid}/0`;
  const t = ls(be);
  for (const l of ['state = "4"', 'num_devs = "2"', 'dev-1 = "0000:03:00.1"', 'key-1 = "0000:03:00.1"', 'vdevfn-1 = "28"', 'state-1 = "3"', 'vdev-1 = "0000:00:00.1"']) {
    assert.ok(t.includes(`${be}/${l}   (n0,r${domid})`), `${l} in\n${t}`);
  }
  assert.equal(h.xlOk('pci-list', 'nic'), 'Vdev Device\n00.0 0000:03:00.0\n05.0 0000:03:00.1\n');
});

test('pci-detach renumbers the remaining device to 0; the last one takes the backend, the frontend and the empty parents', { skip }, () => {
  h.xlOk('pci-detach', 'nic', '03:00.0');
  const be = `/local/domain/0/backend/pci/${domid}/0`;
  const t = ls(be);
  assert.ok(t.includes(`${be}/num_devs = "1"`) && t.includes(`${be}/dev-0 = "0000:03:00.1"`) && !t.includes('dev-1'), t);
  h.xlOk('pci-detach', 'nic', '03:00.1');
  assert.equal(h.sys('/usr/bin/xenstore-exists', [`/local/domain/0/backend/pci`]).status, 1);
  assert.equal(h.sys('/usr/bin/xenstore-exists', [`/local/domain/${domid}/device/pci`]).status, 1);
  assert.equal(ls('/libxl/pci'), [
    '/libxl/pci/0000-03-00-0 = ""   (n0)', '/libxl/pci/0000-03-00-0/driver_path = "/sys/bus/pci/drivers/ixgbe"   (n0)',
    '/libxl/pci/0000-03-00-1 = ""   (n0)', '/libxl/pci/0000-03-00-1/driver_path = "/sys/bus/pci/drivers/ixgbe"   (n0)', '',
  ].join('\n'));
});
