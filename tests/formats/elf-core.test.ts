// The Xen core dump: binutils' readelf is the judge of well-formedness; our reader must give
// back exactly the page bytes that went in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CoreFormatError, XC_CORE_MAGIC, XC_CORE_MAGIC_HVM, encodeCore, readCore, type CoreInput,
} from '../../src/formats/elf-core.ts';
import { pvVcpuContext } from '../../src/formats/save-stream/index.ts';
import { GuestMemory } from '../../src/hypervisor/guest-memory.ts';

const skipReadelf = existsSync('/usr/bin/readelf') ? false : 'binutils readelf is not installed';

function coreOf(mem: GuestMemory, autoTranslated: boolean, vcpus = 2): Buffer {
  const pfns: number[] = [];
  for (let p = 0; p < mem.nrPages; p++) if (mem.populated(p)) pfns.push(p);
  const input: CoreInput = {
    autoTranslated, pfns, vcpuContexts: Array.from({ length: vcpus }, () => pvVcpuContext()),
    gmfn: p => 0x80000 + p, copyPage: (p, into, off) => mem.copyPage(p, into, off),
    // Half the cores take the bulk path, half the page-by-page one.
    copyPages: autoTranslated ? (ps, into, off) => mem.copyPages(ps, into, off) : undefined,
  };
  return encodeCore(input);
}

function readelf(core: Buffer, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'xenlab-core-'));
  try {
    writeFileSync(join(dir, 'core'), core);
    const r = spawnSync('readelf', [...args, join(dir, 'core')], { encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const autoTranslated of [false, true]) {
  const kind = autoTranslated ? 'HVM (.xen_pfn)' : 'PV (.xen_p2m)';
  test(`readelf accepts a ${kind} core and lists Xen's sections`, { skip: skipReadelf }, () => {
    const mem = new GuestMemory(1200, { seed: 4 });
    mem.decreaseReservation([5, 6]);
    const core = coreOf(mem, autoTranslated);
    const r = readelf(core, '-a', '-W');
    assert.equal(r.status, 0);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /Type:\s+CORE \(Core file\)/);
    assert.match(r.stdout, /Machine:\s+Advanced Micro Devices X86-64/);
    const index = autoTranslated ? '.xen_pfn' : '.xen_p2m';
    const names = [...r.stdout.matchAll(/^\s+\[\s*\d+\] (\S+)/gm)].map(m => m[1]);
    assert.deepEqual(names, ['.shstrtab', '.note.Xen', '.xen_prstatus', '.xen_shared_info', '.xen_pages', index]);
    assert.match(r.stdout, /\.note\.Xen\s+NOTE/);
    assert.match(r.stdout, /\.xen_pages\s+PROGBITS\s+0+ 0*([0-9a-f]+) 0*([0-9a-f]+) 1000\s+0\s+0 4096/);
    const pages = /\.xen_pages\s+PROGBITS\s+0+ ([0-9a-f]+) ([0-9a-f]+)/.exec(r.stdout)!;
    assert.equal(parseInt(pages[1], 16) % 4096, 0);
    assert.equal(parseInt(pages[2], 16), 1198 * 4096);
    const hex = readelf(core, '-x', '.note.Xen');
    assert.match(hex.stdout, /Xen\./);
  });

  test(`${kind} core: .xen_pages round-trips and the notes describe the guest`, () => {
    const mem = new GuestMemory(700, { seed: 9 });
    mem.decreaseReservation([0, 699]);
    const core = readCore(coreOf(mem, autoTranslated, 3));
    assert.equal(core.magic, autoTranslated ? XC_CORE_MAGIC_HVM : XC_CORE_MAGIC);
    assert.equal(core.nrVcpus, 3);
    assert.equal(core.nrPages, 698);
    assert.equal(core.pageSize, 4096);
    assert.deepEqual([core.xenMajor, core.xenMinor], [4, 17]);
    assert.deepEqual(core.pfns, Array.from({ length: 698 }, (_, i) => i + 1));
    assert.ok(core.pages.equals(Buffer.concat(core.pfns.map(p => mem.readPage(p)))));
  });
}

test('two dumps compare equal until the guest writes memory', () => {
  const mem = new GuestMemory(400, { seed: 2 });
  const before = readCore(coreOf(mem, false)).pages;
  assert.ok(before.equals(readCore(coreOf(mem, false)).pages));
  mem.dirty(1, () => 0.5);
  assert.ok(!before.equals(readCore(coreOf(mem, false)).pages));
});

test('a truncated core is refused', () => {
  const core = coreOf(new GuestMemory(64), true);
  assert.throws(() => readCore(core.subarray(0, core.length - 100)), CoreFormatError);
  assert.throws(() => readCore(Buffer.from('not an elf file at all, really not')), /not an ELF file/);
});
