// One page of a guest as `xl dump-core` writes it, for tests that read a shared page with the
// public header's offsets written out in the test.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestHost } from '../helpers/host.ts';
import { readCore } from '../../src/formats/elf-core.ts';

/** The bytes of frame `pfn` in a fresh core of the domain. */
export function pageInCore(h: TestHost, dom: string, pfn: number): Buffer {
  const file = join(h.home, `${dom}-page.core`);
  h.xlOk('dump-core', dom, file);
  const core = readCore(readFileSync(file));
  rmSync(file);
  const i = core.pfns.indexOf(pfn);
  assert.ok(i >= 0, `pfn ${pfn.toString(16)} is in the core`);
  return Buffer.from(core.pages.subarray(i * 4096, (i + 1) * 4096));
}

/** The `len` bytes of a byte ring (a power of two long) that end at the free-running index `end`. */
export function ringTail(ring: Buffer, end: number, len: number): Buffer {
  return Buffer.from(Array.from({ length: len }, (_, k) => ring[(end - len + k) & (ring.length - 1)]!));
}

/** A byte ring of a page, laid out as the test says: its bytes and its consumer and producer indexes. */
export interface RingView { bytes: Buffer; cons: number; prod: number }
export function ringAt(page: Buffer, at: number, size: number, consAt: number, prodAt: number): RingView {
  return { bytes: page.subarray(at, at + size), cons: page.readUInt32LE(consAt), prod: page.readUInt32LE(prodAt) };
}
