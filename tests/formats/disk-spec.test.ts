import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseDiskSpec } from '../../src/formats/disk-spec.ts';

interface Case { args: string[]; stdout: string; stderr: string; exitCode: number }
const cases = JSON.parse(readFileSync(new URL('./fixtures/block-attach-cases.json', import.meta.url), 'utf8')) as Case[];

// The first 28 are upstream's check-xl-disk-parse inputs; the rest are our own. Expected output
// was recorded from the real `xl -N block-attach 0 ...` (Xen 4.17); the whole corpus runs through
// our xl in tests/conformance/xl-device-spec-corpora.test.ts.

test('upstream check-xl-disk-parse expectations: the 28 cases', () => {
  const upstream = cases.slice(0, 28);
  assert.equal(upstream.filter(c => c.exitCode === 0).length, 25);
  assert.match(upstream[0].stderr, /no vdev specified in `foo'/);
});

// Upstream's test expects `trusted`/`untrusted` keywords; the 4.17 scanner has none, so the word
// is the positional target and a later target= is a second one.
test('trusted and untrusted are not disk keywords in 4.17: the word is the target', () => {
  const r = parseDiskSpec(['trusted', 'vdev=hda', 'target=/some/disk/image.raw'], 'command line');
  assert.deepEqual(r.errors, ["command line: config parsing error in disk specification: target respecified: near `/some/disk/image.raw' in `target=/some/disk/image.raw'"]);
  assert.deepEqual(parseDiskSpec(['untrusted,,xvda'], 'x').disk, { pdev_path: 'untrusted', vdev: 'xvda', format: 'raw', readwrite: 1 });
});

test('a config-file disk reports errors against the file name', () => {
  const r = parseDiskSpec(['vdev=xvda,bogus=12,target=/x'], 'web.cfg');
  assert.equal(r.disk, undefined);
  assert.deepEqual(r.errors, ["web.cfg: config parsing error in disk specification: unknown parameter: near `bogus=1' in `vdev=xvda,bogus=12,target=/x'"]);
});

test('target= swallows the rest of the string, commas included', () => {
  const r = parseDiskSpec(['vdev=xvda,target=/a,b c'], 'x');
  assert.deepEqual(r.disk, { pdev_path: '/a,b c', vdev: 'xvda', format: 'raw', readwrite: 1 });
});
