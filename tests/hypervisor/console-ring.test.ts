// The console ring as console.c keeps it: a ring of characters sized from the CPU count, whose
// oldest characters are overwritten once it is full, so the boot log goes first and a read may
// begin mid-line; a clearing read empties it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConsoleRing, conringSize } from '../../src/hypervisor/console-ring.ts';

test('the ring is 2 KiB per CPU, at least 16 KiB, a power of two', () => {
  assert.deepEqual([1, 4, 8, 9, 16, 17, 64].map(conringSize), [16384, 16384, 16384, 32768, 32768, 65536, 131072]);
});

test('a full ring keeps its last `size` characters: the boot banner is gone and the first line is cut', () => {
  const ring = new ConsoleRing(['(XEN) Xen version 4.17.7'], 16384);
  assert.equal(ring.read(false), '(XEN) Xen version 4.17.7\n');
  let all = '(XEN) Xen version 4.17.7\n';
  for (let i = 0; i < 2000; i++) {
    ring.push(`(XEN) line ${i}`);
    all += `(XEN) line ${i}\n`;
  }
  const text = ring.read(false);
  assert.equal(text, all.slice(all.length - 16384));
  assert.match(text, /^[^(]/, 'the oldest line kept lost its beginning');
  assert.equal(ring.read(true), text);
  assert.equal(ring.read(false), '');
});
