// Every benchmark under bench/ runs once in smoke mode (bench/smoke.mjs: tiny sizes), so that a
// bench broken by a change elsewhere fails `npm test` instead of the next person who measures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './helpers/host.ts';

const benches = readdirSync(join(ROOT, 'bench')).filter(f => f.endsWith('.bench.mjs')).sort();

test('bench/ has benchmarks to smoke-test', () => assert.ok(benches.length > 0));

for (const f of benches) {
  test(`${f} runs to the end in smoke mode`, () => {
    // The deadline only stops a hung bench; a smoke run takes a few seconds.
    const r = spawnSync(process.execPath, [join(ROOT, 'bench/run.mjs'), '--smoke', f], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.signal, null, `${f} was killed (${r.signal}): hung?\n${r.stdout}${r.stderr}`);
    assert.equal(r.status, 0, `${f} failed:\n${r.stdout}${r.stderr}`);
    // Past the run.mjs banner, the bench printed its figures.
    assert.match(r.stdout.replace(`== ${f}\n`, ''), /\d/, `${f} printed no figures:\n${r.stdout}`);
  });
}
