import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VifError, parseVifConfigString, parseVifRate } from '../../src/formats/vif-spec.ts';


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
