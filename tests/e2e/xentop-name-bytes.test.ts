// xentop -b prints a guest's name as its bytes, padded and cut in bytes as printf("%10.10s")
// does (issue 12, item 8): a UTF-8 name is wider in bytes than in characters, and a byte that is
// not UTF-8 comes out as itself, not as U+FFFD. (tests/cli/xentop/table.test.ts compares whole
// tables with the real xentop's.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, TestHost } from '../helpers/host.ts';
import { latin1, runBytes } from '../helpers/byte-args.ts';

let h: TestHost;
before(() => { h = new TestHost().start(['--clock', 'virtual']); });
after(() => h.stop());

/** Names in latin1 (one character per byte): UTF-8 'sérvr', and a long one with 0xff in it. */
const UTF8 = 's\xc3\xa9rvr', RAW = 'long-\xff-name-beyond';

function create(file: string, name: string): void {
  const p = join(h.home, file);
  writeFileSync(p, latin1(`name = "${name}"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 256\n`));
  const r = runBytes(process.execPath, [join(BIN, 'xl'), 'create', '-q', p], { env: h.env });
  assert.equal(r.status, 0, r.stderr);
}

const xentop = (...args: string[]) => runBytes(process.execPath, [join(BIN, 'xentop'), '-b', '-i', '1', ...args], { env: h.env });

test('xentop -b: names padded and cut in bytes, written as bytes; every row as wide as the header', () => {
  create('u.cfg', UTF8);
  create('r.cfg', RAW);
  for (const [args, width, names] of [
    [[], 10, ['    s\xc3\xa9rvr', 'long-\xff-nam']],
    [['-f'], 18, [`${' '.repeat(12)}s\xc3\xa9rvr`, RAW]],
  ] as [string[], number, string[]][]) {
    const r = xentop(...args);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines[0].slice(0, width + 7), `${'NAME'.padStart(width)}  STATE`);
    for (const name of names) assert.ok(lines.some(l => l.startsWith(`${name} `)), `${name} in\n${r.stdout}`);
    for (const l of lines) assert.equal(l.length, lines[0].length, l);
  }
});
