// The batch table against what the real xentop 4.17 printed for the same statistics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { batchTable, DEFAULT_TABLE_OPTIONS, sortDomains, type TableOptions } from '../../../src/cli/xentop/table.ts';
import { parseArgs } from '../../../src/cli/xentop/options.ts';
import { FIXTURES, T0, shimSample } from './shim-data.ts';
import { bytesFromText } from '../../../src/formats/byte-text.ts';

function twoIterations(args: string[], data?: string): string {
  const p = parseArgs(args);
  if (p.kind !== 'run') throw new Error('bad fixture args');
  const opts: TableOptions = { ...DEFAULT_TABLE_OPTIONS, ...p.options };
  const first = shimSample(T0, data), second = shimSample(T0 + 1, data);
  return batchTable(first, null, opts) + batchTable(second, first, opts);
}

for (const name of ['batch-default', 'batch-nxv', 'batch-rf', 'batch-all', 'batch-long']) {
  test(`${name} matches the real xentop byte for byte`, () => {
    const args = readFileSync(join(FIXTURES, `${name}.args`), 'utf8').trim().split(' ').filter(Boolean);
    assert.equal(twoIterations(args), readFileSync(join(FIXTURES, `${name}.out`), 'utf8'));
  });
}

// A UTF-8 name is wider in bytes than in characters, a cut at 10 bytes can split a character, and
// a byte that is not UTF-8 must come out as itself: printf counts and writes bytes.
for (const name of ['bytes-default', 'bytes-f']) {
  test(`${name}: names with UTF-8 and non-UTF-8 bytes match the real xentop byte for byte`, () => {
    const args = readFileSync(join(FIXTURES, `${name}.args`), 'utf8').trim().split(' ').filter(Boolean);
    const ours = bytesFromText(twoIterations(args, join(FIXTURES, 'bytes.data')));
    assert.equal(ours.toString('latin1'), readFileSync(join(FIXTURES, `${name}.out`)).toString('latin1'));
  });
}

test('sort fields: numeric columns biggest first, SSID ascending, state by first differing flag', () => {
  const s = shimSample(T0);
  const names = (field: number) => sortDomains(s, null, field).map(d => d.name);
  assert.deepEqual(names(0), ['alpha', 'Beta', 'crashy', 'debian-pv', 'Domain-0', 'web-frontend-production-01', 'zombie']);
  assert.deepEqual(names(1), ['zombie', 'alpha', 'Beta', 'debian-pv', 'crashy', 'web-frontend-production-01', 'Domain-0']);
  assert.deepEqual(names(2).slice(0, 3), ['web-frontend-production-01', 'Domain-0', 'Beta']);
  assert.deepEqual(names(6).slice(0, 2), ['Domain-0', 'debian-pv']);
});

test('offline vcpus are skipped but keep their index for the line breaks', () => {
  const s = shimSample(T0);
  const d = s.domains.find(x => x.name === 'web-frontend-production-01')!;
  d.vcpus[1].online = false;
  d.vcpus[5].online = false;
  const out = batchTable({ ...s, domains: [d] }, null, { ...DEFAULT_TABLE_OPTIONS, vcpus: true });
  assert.match(out, /VCPUs\(sec\):   0:        124s  2:/);
  assert.match(out, /  4:        124s  6:        124s/);
  assert.match(out, /\n         10:        124s/);
});
