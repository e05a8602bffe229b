// Our printers against the real xl's output over the same domains (fixtures/real, made by the
// realxl oracle from shim2.c's fake domain set, mirrored in fake-domains.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { formatList, formatListRow, formatSharing, stateLetters } from '../../../src/cli/xl/printers/list.ts';
import { formatVcpuRow, VCPU_LIST_HEADER } from '../../../src/cli/xl/printers/vcpu.ts';
import { cpuSeconds, formatCpuBitmap } from '../../../src/cli/xl/printf.ts';
import { fakeDomains, fakeVcpus } from './fake-domains.ts';

const real = (name: string) => readFileSync(new URL(`fixtures/real/${name}.txt`, import.meta.url), 'utf8');

test('xl list and its -v -Z -c -n columns match the real output byte for byte', () => {
  assert.equal(formatList(fakeDomains, {}), real('list'));
  assert.equal(formatList(fakeDomains, { verbose: true }), real('list_-v'));
  assert.equal(formatList(fakeDomains, { context: true }), real('list_-Z'));
  assert.equal(formatList(fakeDomains, { cpupool: true }), real('list_-c'));
  assert.equal(formatList(fakeDomains, { numa: true }), real('list_-n'));
  assert.equal(formatList(fakeDomains, { verbose: true, context: true, cpupool: true, numa: true }), real('list_-v_-Z_-c_-n'));
  assert.equal(formatList(fakeDomains, { claim: true }), real('claims'));
  assert.equal(formatSharing(fakeDomains), real('sharing'));
});

test('the list header has exactly two tabs', () => {
  const header = real('list').split('\n')[0];
  assert.equal(header.split('\t').length, 3);
});

test('state letters: the fifth is the shutdown reason, unknown reasons are ?', () => {
  const base = fakeDomains[0];
  const st = (o: Partial<typeof base>) => stateLetters({ ...base, running: false, ...o });
  assert.equal(st({ shutdown: true, shutdownReason: 0 }), '---s--');
  assert.equal(st({ shutdown: true, shutdownReason: 1 }), '---sr-');
  assert.equal(st({ shutdown: true, shutdownReason: 2 }), '---ss-');
  assert.equal(st({ shutdown: true, shutdownReason: 4 }), '---sw-');
  assert.equal(st({ shutdown: true, shutdownReason: 5 }), '---sS-');
  assert.equal(st({ shutdown: true, shutdownReason: 9 }), '---s?-');
  // the reason is ignored unless shut down
  assert.equal(st({ shutdown: false, shutdownReason: 3, blocked: true, paused: true }), '-bp---');
});

test('Time(s) is %8.1f of a single-precision float, ties to even as glibc prints them', () => {
  assert.equal(cpuSeconds('250000000', 8), '     0.2');
  assert.equal(cpuSeconds('3250000000', 8), '     3.2');
  // single precision loses the low bits of large times (values from C's printf over a float)
  assert.equal(cpuSeconds('16777217000000000', 8), '16777217.1');
  assert.equal(cpuSeconds('98760000000', 8), '    98.8');
  assert.equal(cpuSeconds('0', 8), '     0.0');
  // wider than the field: pushes right, never truncated
  assert.equal(cpuSeconds(String(123456789n * 1000000000n), 8), '123456790.5');
});

test('long names push the columns right instead of being cut', () => {
  const row = formatListRow({ ...fakeDomains[1], name: 'x'.repeat(45) }, {});
  assert.ok(row.startsWith('x'.repeat(45) + '     1  2048'));
});

test('vcpu-list matches the real output', () => {
  assert.equal(VCPU_LIST_HEADER + fakeVcpus.map(v => formatVcpuRow(v, 8)).join(''), real('vcpu-list'));
});

test('cpu bitmaps print as all, none or ranges', () => {
  assert.equal(formatCpuBitmap([0, 1, 2, 3], 4), 'all');
  assert.equal(formatCpuBitmap([], 4), 'none');
  assert.equal(formatCpuBitmap([0, 2, 3, 5, 7], 8), '0,2-3,5,7');
  assert.equal(formatCpuBitmap([1, 2], 8), '1-2');
  assert.equal(formatCpuBitmap([9], 8), 'none');
});
