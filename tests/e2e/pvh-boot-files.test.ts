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

/** The lines a failed PVH build logs for a file it could not open, by the message of its step. */
const pvhBuildFailure = (file: string, line: number, what: string, domid: number): string[] => [
  `xc: error: panic: xg_dom_core.c:205: failed to open file '${file}': No such file or directory: Internal error`,
  `libxl: error: libxl_dom.c:${line}:libxl__domain_firmware: ${what} failed: No such file or directory`,
  'libxl: error: libxl_dom.c:1075:libxl__build_hvm: initializing domain firmware failed',
  `libxl: error: libxl_create.c:1638:domcreate_rebuild_done: Domain ${domid}:cannot (re-)build domain: -1`,
];

test("a PVH kernel that cannot be opened fails with libxc's and libxl's lines", () => {
  const listed = h.xlOk('list');
  const r = h.xl('create', cfg('nokernel', 'kernel = "/nonexistent/vmlinuz"'));
  const id = Number(/Domain (\d+):cannot/.exec(r.stderr)?.[1]);
  assert.deepEqual({ status: r.status, lines: r.stderr.split('\n') }, {
    status: 3,
    lines: [`Parsing config from ${join(h.home, 'nokernel.cfg')}`, ...pvhBuildFailure('/nonexistent/vmlinuz', 909, 'xc_dom_kernel_file', id), ''],
  });
  assert.equal(h.xlOk('list'), listed, 'nothing is left of the domain');
});

test('a PVH ramdisk that cannot be opened fails the same way, at the ramdisk', () => {
  const listed = h.xlOk('list');
  const r = h.xl('create', cfg('noramdisk', 'kernel = "/boot/vmlinuz"\nramdisk = "/nonexistent/initrd.img"'));
  assert.equal(r.status, 3);
  const id = Number(/Domain (\d+):cannot/.exec(r.stderr)?.[1]);
  assert.deepEqual(r.stderr.split('\n').slice(1, -1), pvhBuildFailure('/nonexistent/initrd.img', 926, 'xc_dom_ramdisk_file', id));
  assert.equal(h.xlOk('list'), listed);
  h.xlOk('create', '-q', cfg('fine', 'kernel = "/boot/vmlinuz"'));
  h.xlOk('destroy', 'fine');
});
