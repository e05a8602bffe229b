// Grant map/unmap records (TRC_MEM_PAGE_GRANT_MAP / _UNMAP, one word: the granting domain), as
// Dom0's services produce them on a real host: xenstored and xenconsoled map a new guest's
// xenstore and console pages, netback its vif's TX and RX rings, blkback its vbd ring and then
// the persistent grants of its first disk requests; all are unmapped when the guest goes.
// Captured by our xentrace around xl create and xl destroy, read by our xentrace_format with
// our formats file and by the real xenalyze.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost, haveBinary, ROOT } from '../../helpers/host.ts';
import { recordsOf, startXentrace, traceFile } from './xentrace-run.ts';

const TRC_MEM_PAGE_GRANT_MAP = 0x0010f001, TRC_MEM_PAGE_GRANT_UNMAP = 0x0010f002, TRC_DOM0_DOM_ADD = 0x00041001;
let h: TestHost;
before(() => { h = new TestHost().start(); });
after(() => h.stop());

test('a guest with a vif and a vbd: its pages are mapped by Dom0 while it runs and all unmapped when it goes', async () => {
  const disk = join(h.home, 'g.img');
  const fd = openSync(disk, 'w'); ftruncateSync(fd, 64 << 20); closeSync(fd);
  const cfg = join(h.home, 'g.cfg');
  writeFileSync(cfg, `name = "g"\nkernel = "/boot/vmlinuz"\nmemory = 128\nvif = [ 'bridge=xenbr0' ]\ndisk = [ '${disk},raw,xvda,rw' ]\n` +
    `workload = "cpu=20,disk-read=4M,disk-write=1M"\n`);
  const f = traceFile(h, 'grants.bin');
  const x = await startXentrace(h, ['-e', '0x0014f000', f]); // MEM and DOM0 classes
  h.xlOk('create', '-q', cfg);
  h.advance('5s');
  const domid = Number(h.xlOk('domid', 'g').trim());
  h.xlOk('destroy', 'g');
  h.advance('2s');
  x.proc.kill('SIGINT');
  const r = await x.exited;
  assert.equal(r.code, 0, r.stderr);

  const recs = recordsOf(f);
  const maps = recs.filter(rec => rec.event === TRC_MEM_PAGE_GRANT_MAP);
  const unmaps = recs.filter(rec => rec.event === TRC_MEM_PAGE_GRANT_UNMAP);
  // Every record names the guest, with one word, as Xen 4.17's TRACE_1D does.
  for (const rec of [...maps, ...unmaps]) assert.deepEqual(rec.data, [domid]);
  // xenstore + console (2), vif rings (2), vbd ring (1), and persistent grants for the disk I/O.
  assert.ok(maps.length > 5, `${maps.length} maps`);
  assert.equal(unmaps.length, maps.length, 'everything mapped is unmapped');
  // Nothing is mapped before the domain exists, and each unmap follows the maps.
  const add = recs.findIndex(rec => rec.event === TRC_DOM0_DOM_ADD && rec.data[0] === domid);
  assert.ok(add >= 0 && add < recs.indexOf(maps[0]!));
  assert.ok(recs.indexOf(maps[maps.length - 1]!) < recs.indexOf(unmaps[unmaps.length - 1]!));

  const fmt = spawnSync(process.execPath, [join(ROOT, 'bin/xentrace_format'), join(ROOT, 'share/xentrace/formats')],
    { input: readFileSync(f), encoding: 'utf8' });
  assert.equal(fmt.status, 0, fmt.stderr);
  const lines = fmt.stdout.split('\n');
  assert.equal(lines.filter(l => l.includes(`page_grant_map      [ domid = ${domid} ]`)).length, maps.length);
  assert.equal(lines.filter(l => l.includes(`page_grant_unmap    [ domid = ${domid} ]`)).length, unmaps.length);
  if (haveBinary('/usr/bin/xenalyze')) {
    const xa = spawnSync('/usr/bin/xenalyze', ['--summary', f], { encoding: 'utf8', maxBuffer: 1 << 26 });
    assert.equal(xa.status, 0, xa.stderr.slice(-2000));
    assert.doesNotMatch(xa.stdout + xa.stderr, /FATAL|Strange/);
  }
});
