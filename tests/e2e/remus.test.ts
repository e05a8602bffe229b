// xl remus between two xenlab hosts (issue 17, acceptance 4): the guest is checkpointed to the
// backup, which runs `xl migrate-receive -r`; when the primary's daemon is SIGKILLed in the
// middle of the guest's work, the backup resumes the guest from the last checkpoint, with the
// memory the primary had at that checkpoint, and what the guest sent after it never left the
// primary. The stream the primary sent is captured with tee and checked by the real verifier.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { parseList, row } from '../helpers/xl-parse.ts';
import { Connection } from '../../src/client/connection.ts';
import { hostPaths } from '../../src/protocol/paths.ts';
import { guestCfg, haveVerifier, verifyStream, xenPages, xlBackground } from './migrate-helpers.ts';
import { checkpointLines, libxcLayer, type CheckpointLine } from './remus-helpers.ts';

let a: TestHost, b: TestHost;
before(() => {
  a = new TestHost().start(['--clock', 'virtual', '--memory', '4G']);
  b = new TestHost().start(['--clock', 'virtual', '--memory', '4G']);
});
after(() => { a.stop(); b.stop(); });

const INTERVAL_MS = 1000n;

/** Advance A's clock; its new time (ns) as `xenlabd clock advance` prints it. */
function advance(h: TestHost, ns: bigint): bigint {
  const r = h.run('xenlabd', ['clock', 'advance', `${ns}ns`]);
  assert.equal(r.status, 0, r.stderr);
  const [s, f] = r.stdout.trim().split('.');
  return BigInt(s!) * 1_000_000_000n + BigInt(f!);
}

async function netbuf(h: TestHost, dom: string): Promise<{ released: number; buffered: number }> {
  const conn = await Connection.open(hostPaths(h.home).control);
  try {
    const { vifs } = await conn.request('remus.netbuf', { dom });
    assert.equal(vifs.length, 1, 'one buffered vif');
    return { released: vifs[0]!.releasedPackets, buffered: vifs[0]!.bufferedPackets };
  } finally { conn.close(); }
}

test('the backup resumes from the last checkpoint when the primary dies; later output was never released', async () => {
  a.xlOk('create', guestCfg(a, 'ha1', { memory: 64, workload: 'cpu=30,dirty=400,net-tx=2M', extra: "vif = [ 'bridge=xenbr0' ]" }));
  a.advance('2s');
  const stream = join(a.home, 'remus.stream');
  const r = xlBackground(a, ['-v', 'remus', '-i', String(INTERVAL_MS), '-s', '', 'ha1', `tee ${stream} | XENLAB_HOME=${b.home} xl migrate-receive -r`]);
  await r.waitFor(/xc: info: Saving domain \d+/);

  // The live phase (64 MiB at 1000 Mbit/s) ends well within a second: the first checkpoint.
  let now = advance(a, 1_000_000_000n);
  await r.waitFor(/remus checkpoint 1:/);
  const first = checkpointLines(r.stderr)[0]!;
  const nextAt = (c: CheckpointLine) => c.suspendedAtNs + c.pauseNs + INTERVAL_MS * 1_000_000n;
  assert.ok(nextAt(first) > now, 'the second checkpoint is still ahead');
  assert.match(row(b.xlOk('list'), 'ha1--incoming').state, /p/, 'the backup holds its copy paused');

  // Land on the instant of the second checkpoint: the guest is paused there, its memory taken.
  now = advance(a, nextAt(first) - now);
  const atCheckpoint = xenPages(a, 'ha1');
  const before2 = await netbuf(a, 'ha1');
  assert.equal(before2.released, first.released, 'nothing released between checkpoints');
  assert.ok(before2.buffered > 0, 'the output since the first checkpoint is held');

  // Half an interval on: the checkpoint is committed (its output released), the guest runs and
  // sends more, which stays in the buffer.
  advance(a, INTERVAL_MS * 500_000n);
  await r.waitFor(/remus checkpoint 2:/);
  const second = checkpointLines(r.stderr)[1]!;
  assert.equal(second.suspendedAtNs, now);
  assert.ok(second.pages > 0 && second.pauseNs > 0n, `a checkpoint of the pages dirtied: ${JSON.stringify(second, (_, v) => typeof v === 'bigint' ? String(v) : v)}`);
  const atKill = await netbuf(a, 'ha1');
  assert.ok(atKill.released > before2.released && atKill.released <= before2.released + before2.buffered, 'the checkpoint released what came before it');
  assert.ok(atKill.buffered > 0, 'output sent after the checkpoint is held');

  // The primary host dies.
  process.kill(Number(readFileSync(join(a.home, 'xenlabd.pid'), 'utf8')), 'SIGKILL');
  await r.exit;
  assert.match(r.stderr, /xc: info: Restore successful\nmigration target: Remus Failover for domain \d+\n/);
  assert.doesNotMatch(r.stderr, /remus checkpoint 3:/);
  assert.doesNotMatch(row(b.xlOk('list'), 'ha1').state, /[ps]/, 'running on the backup');
  assert.deepEqual(xenPages(b, 'ha1'), atCheckpoint, "the backup's memory is the primary's at the last checkpoint");

  // The captured stream: two checkpoints; its libxc layer is what the real verifier accepts.
  const layer = libxcLayer(readFileSync(stream));
  assert.equal(layer.checkpoints, 2);
  assert.deepEqual(layer.lifted, [0x04, 0x04], 'a PV guest has no device model: CHECKPOINT_END alone');
  if (haveVerifier) {
    const file = join(a.home, 'libxc-layer.stream');
    writeFileSync(file, layer.stream);
    const v = verifyStream(file, true);
    assert.equal(v.status, 0, v.stderr);
    assert.equal(v.stdout.match(/Libxc Record: Checkpoint, length 0/g)?.length, 2, v.stdout);
  }
  b.xlOk('destroy', 'ha1');
  assert.ok(!parseList(b.xlOk('list')).some(x => x.name.startsWith('ha1')));
});
