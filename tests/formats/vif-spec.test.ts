import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { VifError, dryRunNetworkAttach, parseVifConfigString, parseVifRate } from '../../src/formats/vif-spec.ts';

interface Case { args: string[]; stdout: string; stderr: string; exitCode: number }
const cases = JSON.parse(readFileSync(new URL('./fixtures/network-attach-cases.json', import.meta.url), 'utf8')) as Case[];

// The first 44 are upstream's check-xl-vif-parse; all expectations were recorded from the real
// `xl -N network-attach 0 ...` (Xen 4.17).
test('xl -N network-attach: check-xl-vif-parse and more, byte for byte', () => {
  assert.ok(cases.length >= 60);
  for (const c of cases) {
    const got = dryRunNetworkAttach('0', c.args);
    assert.deepEqual(got, { stdout: c.stdout, stderr: c.stderr, exitCode: c.exitCode }, JSON.stringify(c.args));
  }
});

test('rate arithmetic: bits or bytes, units, interval', () => {
  assert.deepEqual(parseVifRate('10Mb/s', 'x'), { rate_bytes_per_interval: 62500, rate_interval_usecs: 50000 });
  assert.deepEqual(parseVifRate('1GB/s@1s', 'x'), { rate_bytes_per_interval: 1000000000, rate_interval_usecs: 1000000 });
  assert.throws(() => parseVifRate('5', 'f.cfg'), (e: unknown) =>
    e instanceof VifError && e.messages[0] === "f.cfg: config parsing error in vif: invalid rate in `5'");
});

test('config-file vif strings: comma split, blanks skipped, unknown keys only warned about', () => {
  const r = parseVifConfigString(' bridge=br0, foo=bar,,mac=00:16:3E:00:00:01', 2, 'v.cfg', { script: 'vif-custom' });
  assert.deepEqual(r.nic, { devid: 2, mac: '00:16:3e:00:00:01', bridge: 'br0', script: 'vif-custom' });
  assert.deepEqual(r.messages, ["unrecognized argument `foo=bar'"]);
});
