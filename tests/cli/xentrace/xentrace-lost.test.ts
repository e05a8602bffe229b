// xentrace -S with a small ring under load (issue 5, acceptance 3): a fresh host, whose trace
// buffers are first allocated by this run, one page per pCPU. Records that find no room are
// dropped and counted; the next record that fits is preceded by TRC_LOST_RECORDS with the count,
// and the real xenalyze reads the file. The size is fixed for the boot: a later -S is ignored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost, haveBinary } from '../../helpers/host.ts';
import { guestConfig, recordsOf, startXentrace, traceFile, traceStatus } from './xentrace-run.ts';

const TRC_LOST_RECORDS = 0x0001f001;
let h: TestHost;
before(() => {
  h = new TestHost().start();
  for (const g of ['l1', 'l2', 'l3']) {
    writeFileSync(join(h.home, `${g}.cfg`), guestConfig(g, 'vcpus = 3\nworkload = "cpu=100"\n'));
    h.xlOk('create', join(h.home, `${g}.cfg`));
  }
  h.advance('2s');
});
after(() => h.stop());

test('-S 1 under load: lost records appear in the file and are counted', async () => {
  const f = traceFile(h, 'small.bin');
  const x = await startXentrace(h, ['-S', '1', '-s', '1000', '-T', '3', f]);
  assert.equal((await traceStatus(h)).pages, 1);
  h.advance('3s');
  const r = await x.exited;
  assert.equal(r.code, 0, r.stderr);
  const lost = recordsOf(f).filter(rec => rec.event === TRC_LOST_RECORDS);
  assert.ok(lost.length > 0, 'LOST_RECORDS records');
  const reported = lost.reduce((n, rec) => n + rec.data[0]!, 0);
  const dropped = (await traceStatus(h)).lost;
  assert.ok(reported > 0 && reported <= dropped, `reported ${reported}, dropped ${dropped}`);
  // Each report says which vCPU was running and the TSC of the first record lost.
  for (const rec of lost) {
    assert.equal(rec.data.length, 4);
    const firstTsc = BigInt(rec.data[2]!) | (BigInt(rec.data[3]!) << 32n);
    assert.ok(firstTsc <= rec.tsc!);
  }
  if (haveBinary('/usr/bin/xenalyze')) {
    const xa = spawnSync('/usr/bin/xenalyze', ['--summary', f], { encoding: 'utf8', maxBuffer: 1 << 28 });
    assert.equal(xa.status, 0, xa.stderr.slice(-2000));
  }
});

test('a later -S does not resize the rings this boot', async () => {
  const x = await startXentrace(h, ['-S', '64', '-T', '1', traceFile(h, 'again.bin')]);
  assert.equal((await traceStatus(h)).pages, 1);
  h.advance('1s');
  assert.equal((await x.exited).code, 0);
});
