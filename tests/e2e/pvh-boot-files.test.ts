// A PVH kernel or ramdisk that cannot be opened fails the create (issue 12), as PV ones do, with
// the lines libxl__domain_firmware and libxl__build_hvm log in Xen 4.17 (libxc's -1 reaching
// domcreate_rebuild_done), and leaves no domain behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';

let h: TestHost;
before(() => { h = new TestHost().start(); });
after(() => h.stop());

function cfg(name: string, body: string): string {
  const p = join(h.home, `${name}.cfg`);
  writeFileSync(p, `name = "${name}"\ntype = "pvh"\nmemory = 256\n${body}\n`);
  return p;
}

test("a PVH kernel that cannot be opened fails with libxc's and libxl's lines", () => {
  const before = h.xlOk('list');
  const r = h.xl('create', cfg('nokernel', 'kernel = "/nonexistent/vmlinuz"'));
  assert.equal(r.status, 3);
  const id = Number(/Domain (\d+):cannot/.exec(r.stderr)?.[1]);
  assert.equal(r.stderr, `Parsing config from ${join(h.home, 'nokernel.cfg')}\n` +
    "xc: error: panic: xg_dom_core.c:205: failed to open file '/nonexistent/vmlinuz': No such file or directory: Internal error\n" +
    'libxl: error: libxl_dom.c:909:libxl__domain_firmware: xc_dom_kernel_file failed: No such file or directory\n' +
    'libxl: error: libxl_dom.c:1075:libxl__build_hvm: initializing domain firmware failed\n' +
    `libxl: error: libxl_create.c:1638:domcreate_rebuild_done: Domain ${id}:cannot (re-)build domain: -1\n`);
  assert.equal(h.xlOk('list'), before, 'nothing is left of the domain');
});

test('a PVH ramdisk that cannot be opened fails the same way, at the ramdisk', () => {
  const before = h.xlOk('list');
  const r = h.xl('create', cfg('noramdisk', 'kernel = "/boot/vmlinuz"\nramdisk = "/nonexistent/initrd.img"'));
  assert.equal(r.status, 3);
  assert.match(r.stderr, /\nxc: error: panic: xg_dom_core\.c:205: failed to open file '\/nonexistent\/initrd\.img': No such file or directory: Internal error\nlibxl: error: libxl_dom\.c:926:libxl__domain_firmware: xc_dom_ramdisk_file failed: No such file or directory\nlibxl: error: libxl_dom\.c:1075:libxl__build_hvm: initializing domain firmware failed\nlibxl: error: libxl_create\.c:1638:domcreate_rebuild_done: Domain \d+:cannot \(re-\)build domain: -1\n$/);
  assert.equal(h.xlOk('list'), before);
  h.xlOk('create', '-q', cfg('fine', 'kernel = "/boot/vmlinuz"'));
  h.xlOk('destroy', 'fine');
});
