// Issue 13, acceptance 3: a misbehaving frontend gets the backend's real reaction. From the
// guest's console, `xenlab-fault` makes its netfront and blkfront publish a request producer
// past the ring, or put a request naming a grant reference never granted on the ring. netback
// and blkback catch each (the producer check, the grant copy or map that fails in the
// hypervisor), report it as xenbus_dev_fatal does (read here with the real xenstore-read: the
// `error` node under Dom0's error/backend/... path, the backend Closing then Closed, the frontend
// Closed), and that device alone stops: the guest, its other devices and the other guest run on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { TestHost, haveBinary } from '../helpers/host.ts';
import { guestCfg } from './migrate-helpers.ts';

let h: TestHost;
before(() => { h = new TestHost().start(['--clock', 'virtual', '--memory', '4G']); });
after(() => h.stop());

const xsRead = (path: string): string | null => {
  const r = h.sys('xenstore-read', [path]);
  return r.status === 0 ? r.stdout.trim() : null;
};

function disk(name: string): string {
  const p = join(h.home, `${name}.img`);
  const fd = openSync(p, 'w'); ftruncateSync(fd, 64 << 20); closeSync(fd);
  return p;
}

/** What Dom0 counts for a guest: bytes received on each of its vifs still connected, and writes served per vbd. */
function dom0Counts(name: string): { netRx: number[]; writes: Map<number, number> } {
  const lines = h.run('xentop', ['-b', '-i', '1', '-n', '-x']).stdout.split('\n');
  const at = lines.findIndex(l => l.trim().split(/\s+/)[0] === name);
  const mine: string[] = [];
  for (const l of lines.slice(at + 1)) { if (!/^(VCPUs|Net\d|VBD)/.test(l)) break; mine.push(l); }
  const netRx = mine.flatMap(l => /^Net\d+ RX:\s+(\d+)bytes/.exec(l)?.[1] ?? []).map(Number);
  const writes = new Map(mine.flatMap(l => { const m = /^VBD BlkBack\s+(\d+) .*WR:\s+(\d+)/.exec(l); return m ? [[Number(m[1]), Number(m[2])] as const] : []; }));
  return { netRx, writes };
}

/** Log in on the guest's console, run the commands, and give back what each printed. */
async function onConsole(name: string, commands: string[]): Promise<string[]> {
  const child = h.spawn('xl', ['console', name]);
  let seen = '';
  const waiters: (() => void)[] = [];
  child.stdout!.on('data', d => { seen += d; for (const w of waiters.splice(0)) w(); });
  const shown = async (pred: () => boolean) => { while (!pred()) await new Promise<void>(r => waiters.push(r)); };
  const prompt = `root@${name}:~# `;
  const type = async (line: string) => {
    const from = seen.length;
    child.stdin!.write(line + '\r');
    await shown(() => seen.slice(from).includes(prompt));
    const text = seen.slice(from);
    return text.slice(text.indexOf('\r\n') + 2, text.lastIndexOf(prompt)).replace(/\r\n/g, '\n');
  };
  child.stdin!.write('\r');
  await shown(() => seen.includes(`${name} login: `));
  await type('root');
  const out: string[] = [];
  for (const c of commands) out.push(await type(c));
  child.stdin!.write(Buffer.from([0x1d]));
  await once(child, 'exit');
  return out;
}

test('ring overflow and a grant never granted: the backend closes that device with its error in xenstore; the guest and the rest run on', { skip: !haveBinary('/usr/bin/xenstore-read'), timeout: 120_000 }, async () => {
  const vifs = `vif = [ 'bridge=xenbr0', 'bridge=xenbr0', 'bridge=xenbr0' ]`;
  const disks = `disk = [ '${disk('a')},raw,xvda,w', '${disk('b')},raw,xvdb,w', '${disk('c')},raw,xvdc,w' ]`;
  const workload = 'net-tx=15000,disk-write=40960';
  h.xlOk('create', guestCfg(h, 'bad', { workload, extra: `${vifs}\n${disks}` }));
  h.xlOk('create', guestCfg(h, 'good', { workload, extra: `vif = [ 'bridge=xenbr0' ]\n${`disk = [ '${disk('g')},raw,xvda,w' ]`}` }));
  h.advance('7s');
  const domid = Number(h.xlOk('domid', 'bad').trim());
  const backend = (kind: string, devid: number) => `/local/domain/0/backend/${kind}/${domid}/${devid}`;
  const frontend = (kind: string, devid: number) => `/local/domain/${domid}/device/${kind}/${devid}`;
  const error = (kind: string, devid: number) => xsRead(`/local/domain/0/error/backend/${kind}/${domid}/${devid}/error`);
  const [xvda, xvdb, xvdc] = [51712, 51728, 51744];
  for (const [kind, devid] of [['vif', 0], ['vif', 1], ['vif', 2], ['vbd', xvda], ['vbd', xvdb], ['vbd', xvdc]] as const) {
    assert.equal(xsRead(`${backend(kind, devid)}/state`), '4', `${kind} ${devid} connected`);
    assert.equal(error(kind, devid), null);
  }
  const before = { bad: dom0Counts('bad'), good: dom0Counts('good') };
  assert.equal(before.bad.netRx.length, 3);

  const printed = await onConsole('bad', [
    'xenlab-fault ring-overflow vif 0', 'xenlab-fault bad-grant vif 1', 'xenlab-fault bad-grant vbd xvda', 'xenlab-fault ring-overflow vbd 51728',
    'xenlab-fault ring-overflow vif 7', 'xenlab-fault explode vif 0',
  ]);
  assert.match(printed[0]!, /^vif 0: req_prod \d+ published on a ring of 256\n$/);
  assert.match(printed[1]!, /^vif 1: request with grant ref \d+, never granted, put on the ring\n$/);
  assert.match(printed[2]!, /^vbd xvda: request with grant ref \d+, never granted, put on the ring\n$/);
  assert.match(printed[3]!, /^vbd 51728: req_prod \d+ published on a ring of 32\n$/);
  assert.equal(printed[4], 'xenlab-fault: vif 7: no such connected device\n');
  assert.match(printed[5]!, /^Usage: xenlab-fault FAULT vif INDEX \| vbd DEVID\|NAME\n/);
  h.advance('1s');

  // netback: the producer check of xenvif_tx_build_gops, and the grant copy of a packet's head
  // that the hypervisor refused (GNTST_general_error: the entry was never granted).
  assert.match(error('vif', 0)!, /^22 Impossible number of requests\. req_prod \d+, req_cons \d+, size 256$/);
  assert.match(error('vif', 1)!, /^22 Grant copy of header failed! status: -1 ref: \d+$/);
  // blkback: RING_REQUEST_PROD_OVERFLOW halts the ring; the segment's map fails.
  assert.match(error('vbd', xvdb)!, /^13 Frontend provided bogus ring requests \(\d+ - \d+ = 3[3-9]\)\. Halting ring processing on dev=ca10$/);
  assert.match(error('vbd', xvda)!, /^5 invalid buffer -- could not remap it \(grant ref \d+: undefined error\)$/);
  // Each went Closing, the frontend closed, and the backend is Closed; the others are still Connected.
  for (const [kind, devid] of [['vif', 0], ['vif', 1], ['vbd', xvda], ['vbd', xvdb]] as const) {
    assert.deepEqual([xsRead(`${backend(kind, devid)}/state`), xsRead(`${frontend(kind, devid)}/state`)], ['6', '6'], `${kind} ${devid} closed`);
  }
  for (const [kind, devid] of [['vif', 2], ['vbd', xvdc]] as const) {
    assert.deepEqual([xsRead(`${backend(kind, devid)}/state`), xsRead(`${frontend(kind, devid)}/state`), error(kind, devid)], ['4', '4', null]);
  }

  // The guest runs on, and so do its other devices and the other guest: Dom0 keeps serving them.
  const mid = { bad: dom0Counts('bad'), good: dom0Counts('good') };
  h.advance('2s');
  const end = { bad: dom0Counts('bad'), good: dom0Counts('good') };
  assert.match(h.xlOk('list', 'bad'), /\bbad\s+\d+\s+\d+\s+1\s+[-rb]{2}-{4}/);
  assert.equal(end.bad.netRx.length, 1, 'only vif 2 is left on the bridge');
  assert.ok(end.bad.netRx[0]! > mid.bad.netRx[0]!, 'vif 2 still carries traffic');
  assert.deepEqual([...end.bad.writes.keys()], [xvdc]);
  assert.ok(end.bad.writes.get(xvdc)! > mid.bad.writes.get(xvdc)!, 'xvdc is still written');
  assert.ok(end.good.netRx[0]! > before.good.netRx[0]! && end.good.writes.get(xvda)! > before.good.writes.get(xvda)!, 'the other guest runs on');
  h.xlOk('destroy', 'bad');
  h.xlOk('destroy', 'good');
});
