// xentrace falls behind (here: stopped with SIGSTOP) while the virtual clock runs 5 simulated
// seconds of three busy guests, far more trace data than the socket holds. The daemon keeps
// what xentrace has not taken, in order, and nothing is lost: once xentrace runs again the file
// holds every window whole, each pCPU's TSCs never go back, no record was dropped, and the real
// xenalyze reads the file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost, haveBinary } from '../../helpers/host.ts';
import { guestConfig, startXentrace, traceFile, traceStatus, windowsOf } from './xentrace-run.ts';

let h: TestHost;
before(() => {
  h = new TestHost().start();
  for (const g of ['s1', 's2', 's3']) {
    writeFileSync(join(h.home, `${g}.cfg`), guestConfig(g));
    h.xlOk('create', join(h.home, `${g}.cfg`));
  }
  h.advance('1s');
});
after(() => h.stop());

test('a stopped xentrace loses nothing: the daemon keeps the data in order until it reads again', async () => {
  const f = traceFile(h, 'slow.bin');
  const x = await startXentrace(h, ['-e', 'all', f]);
  x.proc.kill('SIGSTOP');
  h.advance('5s');
  x.proc.kill('SIGCONT');
  h.advance('1s');
  x.proc.kill('SIGINT');
  const r = await x.exited;
  assert.equal(r.code, 0, r.stderr);
  // 6 simulated seconds at ~700 KiB each: well past what a Unix socket buffers (~200 KiB).
  assert.ok(statSync(f).size > 3 * 1024 * 1024, `${statSync(f).size} bytes`);
  const windows = windowsOf(f);
  const last = new Map<number, bigint>();
  let records = 0;
  for (const w of windows) {
    for (const rec of w.records) {
      if (rec.tsc === undefined) continue;
      const prev = last.get(w.cpu);
      assert.ok(prev === undefined || rec.tsc >= prev, `cpu ${w.cpu}: TSC ${rec.tsc} after ${prev}`);
      last.set(w.cpu, rec.tsc);
      records++;
    }
  }
  assert.ok(records > 100_000, `${records} records`);
  assert.equal((await traceStatus(h)).lost, 0);
  // The real reader of the format judges the framing too: a window cut short or bytes out of
  // order break its cpu_change walk.
  if (haveBinary('/usr/bin/xenalyze')) {
    const xa = spawnSync('/usr/bin/xenalyze', ['--summary', f], { encoding: 'utf8', maxBuffer: 1 << 28 });
    assert.equal(xa.status, 0, xa.stderr.slice(-2000));
    assert.deepEqual((xa.stdout + xa.stderr).split('\n').filter(l => /FATAL|Strange|ERROR/.test(l)), []);
  }
});
