// Remus with a DRBD disk (libxl_remus_disk_drbd.c): a vbd whose script is block-drbd is matched
// by block-drbd-probe and replicated to the backup host's copy of the resource; the writes of
// each checkpoint land there only once the checkpoint is complete on the backup. When the
// primary's daemon is SIGKILLed, the backup resumes the guest with the disk the primary had at
// the last checkpoint: a write made after it is absent. A resource the probe does not accept is
// refused in libxl's words.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { row } from '../helpers/xl-parse.ts';
import { guestCfg, xlBackground } from './migrate-helpers.ts';
import { advanceNs, checkpointLines, nextCheckpointAt } from './remus-helpers.ts';

let a: TestHost, b: TestHost;
before(() => { [a, b] = [new TestHost().start(['--clock', 'virtual']), new TestHost().start(['--clock', 'virtual'])]; });
after(() => { a.stop(); b.stop(); });

const INTERVAL_MS = 1000n;
const DISK_BYTES = 4 << 20;

/** The resource on one host: its backing file (made empty) and drbd.d/<res>.res naming the peer. */
function resource(h: TestHost, res: string, peer: TestHost, protocol = 'D'): string {
  const img = join(h.home, `${res}.img`);
  writeFileSync(img, '');
  truncateSync(img, DISK_BYTES);
  mkdirSync(join(h.home, 'drbd.d'), { recursive: true });
  writeFileSync(join(h.home, 'drbd.d', `${res}.res`), `# ${res} on this host\nprotocol ${protocol}\ndisk ${img}\npeer ${peer.home}\n`);
  return img;
}


test('the backup resumes with the disk of the last checkpoint; a later write never reaches it', async () => {
  const imgA = resource(a, 'r0', b);
  const imgB = resource(b, 'r0', a);
  // The form the xl-disk-configuration page gives for a script; `drbd:r0,xvda,w` parses the same.
  a.xlOk('create', guestCfg(a, 'hd', { memory: 32, workload: 'cpu=20,dirty=200,disk-write=256K', extra: "disk = [ 'script=block-drbd,vdev=xvda,target=r0' ]" }));
  a.advance('2s');
  assert.ok(!readFileSync(imgA).equals(Buffer.alloc(DISK_BYTES)), 'the guest writes its disk');
  const r = xlBackground(a, ['-v', 'remus', '-i', String(INTERVAL_MS), '-s', '', 'hd', `XENLAB_HOME=${b.home} xl migrate-receive -r`]);
  await r.waitFor(/xc: info: Saving domain \d+/);
  assert.ok(readFileSync(imgB).equals(readFileSync(imgA)), 'the initial sync made the copies equal');

  let now = advanceNs(a, 1_000_000_000n);
  await r.waitFor(/remus checkpoint 1:/);
  const first = checkpointLines(r.stderr)[0]!;
  now = advanceNs(a, nextCheckpointAt(first, INTERVAL_MS) - now);
  // The instant of the second checkpoint: the guest is suspended, its disk as the checkpoint has it.
  const atCheckpoint = readFileSync(imgA);
  // Its bytes crossed at once (only the primary's pause lasts the modelled link): complete on the backup.
  assert.ok(readFileSync(imgB).equals(atCheckpoint), 'the backup holds the checkpoint, disk included');

  advanceNs(a, INTERVAL_MS * 500_000n);
  await r.waitFor(/remus checkpoint 2:/);
  assert.equal(checkpointLines(r.stderr)[1]!.suspendedAtNs, now);
  const afterIt = readFileSync(imgA);
  assert.ok(!afterIt.equals(atCheckpoint), 'the guest wrote after the checkpoint');
  assert.ok(readFileSync(imgB).equals(atCheckpoint), 'what it wrote since is held on the primary');

  // The primary host dies.
  process.kill(Number(readFileSync(join(a.home, 'xenlabd.pid'), 'utf8')), 'SIGKILL');
  await r.exit;
  assert.match(r.stderr, /xc: info: Restore successful\nmigration target: Remus Failover for domain \d+\n/);
  assert.doesNotMatch(row(b.xlOk('list'), 'hd').state, /[ps]/, 'running on the backup');
  const onBackup = readFileSync(imgB);
  assert.ok(onBackup.equals(atCheckpoint), "the backup's disk is the primary's at the last checkpoint");
  assert.ok(!onBackup.equals(readFileSync(imgA)), 'the write made after it is absent');
  b.xlOk('destroy', 'hd');
});

test('a disk that block-drbd-probe does not accept is refused in libxl\'s words', () => {
  // The backup host is a primary now; its peer, the killed host, is gone.
  resource(b, 'r1', a);
  b.xlOk('create', guestCfg(b, 'hr', { memory: 32, workload: 'cpu=10', extra: "disk = [ 'drbd:r1,xvda,w' ]" }));
  b.advance('1s');
  const refused = (status: number) => {
    const x = b.run('xl', ['remus', '-F', '-b', 'hr', 'backup']);
    assert.equal(x.status, 1, x.stderr);
    assert.match(x.stderr, new RegExp(`^libxl: error: libxl_exec\\.c:117:libxl_report_child_exitstatus: /etc/xen/scripts/block-drbd-probe r1 \\[\\d+\\] exited with error status ${status}\\n` +
      'libxl: error: libxl_checkpoint_device\\.c:153:device_setup_iterate: Domain 0:device not handled by checkpoint \\(device=vbd:0/51712\\)\\n' +
      'libxl: error: libxl_remus\\.c:134:remus_setup_done: Domain \\d+:Remus: failed to setup device, rc -19\\n'));
    assert.doesNotMatch(x.stderr, /Saving domain/);
  };
  // The peer is down: the resource is not connected (4).
  refused(4);
  // Not protocol D (3).
  resource(b, 'r1', a, 'C');
  refused(3);
  // No such resource on this host any more: not a DRBD device (1).
  rmSync(join(b.home, 'drbd.d', 'r1.res'));
  refused(1);
  assert.doesNotMatch(row(b.xlOk('list'), 'hr').state, /[ps]/, 'the guest runs on');
});
