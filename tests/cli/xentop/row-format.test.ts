// The printf-format parser accepts every line the real xentop printed (so it can judge ours),
// and our own output for the same statistics parses to the same values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBatch } from './row-format.ts';
import { FIXTURES, T0, shimSample } from './shim-data.ts';
import { batchTable, DEFAULT_TABLE_OPTIONS } from '../../../src/cli/xentop/table.ts';

test('every line of the real xentop captures parses', () => {
  for (const name of ['batch-default', 'batch-nxv']) {
    const lines = parseBatch(readFileSync(join(FIXTURES, `${name}.out`), 'utf8'));
    assert.equal(lines.filter(l => l.kind === 'header').length, 2);
    assert.equal(lines.filter(l => l.kind === 'row').length, 14);
  }
  const all = parseBatch(readFileSync(join(FIXTURES, 'batch-all.out'), 'utf8'));
  assert.equal(all.filter(l => l.kind === 'header').length, 14);
});

test('the parser rejects a line off by one column', () => {
  const out = batchTable(shimSample(T0), null, DEFAULT_TABLE_OPTIONS);
  assert.throws(() => parseBatch(out.replace('Domain-0 -----r', 'Domain-0  -----r')), /fits no xentop format/);
});

test('our rows carry the statistics in the real columns', () => {
  const a = shimSample(T0), b = shimSample(T0 + 1);
  const rows = parseBatch(batchTable(b, a, { ...DEFAULT_TABLE_OPTIONS, vcpus: true, networks: true, vbds: true }))
    .flatMap(l => (l.kind === 'row' ? [l.row] : []));
  const web = rows.find(r => r.name === 'web-fronte')!;
  assert.deepEqual([web.state, web.cpuPct, web.memKb, web.memPct, web.vcpus, web.nets, web.netTxK, web.netRxK, web.vbds, web.vbdRd, web.vbdWsect],
    ['----p-', 150, 524288, 3.1, 12, 2, 878906250, 2, 2, 24, 544]);
  const dom0 = rows.find(r => r.name === 'Domain-0')!;
  assert.equal(dom0.maxMemKb, null);
  assert.equal(dom0.maxMemPct, null);
});
