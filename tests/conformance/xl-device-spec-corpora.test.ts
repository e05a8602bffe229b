// The disk and vif spec corpora (tests/formats/fixtures/*-attach-cases.json, recorded from the
// real xl 4.17's `xl -N block-attach 0 ...` / `xl -N network-attach 0 ...` by record.mjs) run
// through our xl as the binary runs it: xlMain, from the global -N to the command's output and
// exit status. A dry run on a numeric domid must not reach the daemon, so none is given. A few
// cases also run through the built bin/xl, for the binary's own wiring.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { xlMain } from '../../src/cli/xl/main.ts';
import { bufferIo } from '../../src/cli/xl/io.ts';
import { BIN } from '../helpers/host.ts';

interface Case { args: string[]; stdout: string; stderr: string; exitCode: number }
const corpus = (cmd: string): Case[] =>
  JSON.parse(readFileSync(new URL(`../formats/fixtures/${cmd}-cases.json`, import.meta.url), 'utf8')) as Case[];

async function xlDryRun(cmd: string, args: string[]): Promise<Omit<Case, 'args'>> {
  const io = bufferIo();
  const exitCode = await xlMain(['-N', cmd, '0', ...args], io, async () => { throw new Error(`xl -N ${cmd} 0 asked for the daemon`); });
  return { stdout: io.stdout, stderr: io.stderr, exitCode };
}

for (const [cmd, upstream] of [['block-attach', 'check-xl-disk-parse'], ['network-attach', 'check-xl-vif-parse']] as const) {
  const cases = corpus(cmd);

  test(`xl -N ${cmd}: ${upstream} and our own cases, byte for byte as real xl`, async () => {
    assert.ok(cases.length >= 60);
    for (const c of cases) {
      const { args, ...want } = c;
      assert.deepEqual(await xlDryRun(cmd, args), want, JSON.stringify(args));
    }
  });

  test(`bin/xl -N ${cmd}: the first success and the first failure of the corpus`, () => {
    const picked = [cases.find(c => c.exitCode === 0)!, cases.find(c => c.exitCode !== 0)!];
    for (const c of picked) {
      const r = spawnSync(join(BIN, 'xl'), ['-N', cmd, '0', ...c.args], { encoding: 'utf8', env: { ...process.env, XENLAB_NO_AUTOSTART: '1', XENLAB_HOME: '/nonexistent' } });
      assert.deepEqual({ stdout: r.stdout, stderr: r.stderr, exitCode: r.status }, { stdout: c.stdout, stderr: c.stderr, exitCode: c.exitCode }, JSON.stringify(c.args));
    }
  });
}
