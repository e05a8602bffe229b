// Issue 13, acceptance 1: a guest with two vifs, two vbds, its console and its xenstore page.
// Every ring-ref the frontends wrote (read with the real xenstore-read) is a grant in the
// guest's table to Dom0, mapped exactly once while connected and unmapped after detach; every
// event channel is an interdomain channel bound to a Dom0 port; `xl debug-keys g` and `e` then
// `xl dmesg` show exactly these; after `xl destroy` nothing of the domain is mapped or bound.
// After a restore or a migration the frontends reconnect with grants of the new domain, as
// Linux's frontends do on resume, and nothing of the old one stays mapped or bound.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost, haveBinary } from '../helpers/host.ts';
import { xlBackground } from './migrate-helpers.ts';

let h: TestHost;
before(() => { h = new TestHost().start(); });
after(() => h.stop());

const read = (path: string): number => {
  const r = h.sys('xenstore-read', [path]);
  assert.equal(r.status, 0, `${path}: ${r.stderr}`);
  return Number(r.stdout.trim());
};

/** The dumps of the given debug keys, without the `(XEN) ` prefixes. */
function dump(keys: string): string[] {
  h.xlOk('dmesg', '-c');
  h.xlOk('debug-keys', keys);
  return h.xlOk('dmesg').split('\n').filter(Boolean).map(l => l.replace(/^\(XEN\) /, ''));
}

interface Grant { ref: number; mapper: number; pin: number; grantee: number; gmfn: number; flags: number }
/** 'g': the active entries of remote domain `domid`'s table; null when it has no table. */
function grantsOf(lines: string[], domid: number): Grant[] | null {
  const at = lines.indexOf(`grant-table for remote d${domid} (v1)`);
  if (at < 0) return null;
  const out: Grant[] = [];
  for (const l of lines.slice(at + 2)) {
    const m = /^\[0x([0-9a-f]{3,})\]  +(\d+) 0x[0-9a-f]+ 0x([0-9a-f]{8}) +(\d+) 0x([0-9a-f]{6,}) 0x([0-9a-f]{2})$/.exec(l);
    if (!m) break;
    out.push({ ref: parseInt(m[1]!, 16), mapper: Number(m[2]), pin: parseInt(m[3]!, 16), grantee: Number(m[4]), gmfn: parseInt(m[5]!, 16), flags: parseInt(m[6]!, 16) });
  }
  return out;
}

interface Port { port: number; state: number; remote?: number; remotePort?: number }
/** 'e': the ports listed for `domid`. */
function portsOf(lines: string[], domid: number): Port[] {
  const at = lines.indexOf(`Event channel information for domain ${domid}:`);
  if (at < 0) return [];
  const out: Port[] = [];
  for (const l of lines.slice(at + 3)) {
    const m = /^ +(\d+) \[[01]\/[01]\/[01]\]: s=(\d) n=\d+ x=0(?: d=(\d+))?(?: p=(\d+))?(?: i=\d+)?(?: v=\d+)?$/.exec(l);
    if (!m) break;
    out.push({ port: Number(m[1]), state: Number(m[2]), remote: m[3] === undefined ? undefined : Number(m[3]), remotePort: m[4] === undefined ? undefined : Number(m[4]) });
  }
  return out;
}

test('rings and event channels of two vifs, two vbds, console and xenstore: granted to Dom0, mapped once, bound, and all gone after detach and destroy', { skip: !haveBinary('/usr/bin/xenstore-read') }, () => {
  const img = (n: string): string => { const p = join(h.home, n); const fd = openSync(p, 'w'); ftruncateSync(fd, 64 << 20); closeSync(fd); return p; };
  const cfg = join(h.home, 'g.cfg');
  writeFileSync(cfg, `name = "g"\nkernel = "/boot/vmlinuz"\nmemory = 128\nvcpus = 1\nvif = [ 'bridge=xenbr0', 'bridge=xenbr0' ]\n` +
    `disk = [ '${img('a.img')},raw,xvda,rw', '${img('b.img')},raw,xvdb,rw' ]\n`);
  h.xlOk('create', '-q', cfg);
  h.advance('5s');
  const domid = Number(h.xlOk('domid', 'g').trim());
  const dom = `/local/domain/${domid}`;

  // What the frontends and libxl wrote, per device: the grant refs and the guest's ports.
  const devices = [
    ...[0, 1].map(id => ({ name: `vif ${id}`, refs: ['tx-ring-ref', 'rx-ring-ref'].map(k => read(`${dom}/device/vif/${id}/${k}`)), ports: ['event-channel-tx', 'event-channel-rx'].map(k => read(`${dom}/device/vif/${id}/${k}`)) })),
    ...[51712, 51728].map(id => ({ name: `vbd ${id}`, refs: [read(`${dom}/device/vbd/${id}/ring-ref`)], ports: [read(`${dom}/device/vbd/${id}/event-channel`)] })),
  ];
  const storePfn = read(`${dom}/store/ring-ref`), consolePfn = read(`${dom}/console/ring-ref`);
  const magicPorts = [read(`${dom}/store/port`), read(`${dom}/console/port`)];

  let lines = dump('g');
  const grants = grantsOf(lines, domid)!;
  const ringRefs = devices.flatMap(d => d.refs);
  // Exactly the rings plus the reserved console (0) and xenstore (1) entries, each mapped once by Dom0, writable.
  assert.deepEqual(grants.map(g => g.ref), [0, 1, ...ringRefs].sort((a, b) => a - b));
  for (const g of grants) assert.deepEqual([g.mapper, g.grantee, g.pin, g.flags], [0, 0, 0x1, 0x19], `ref ${g.ref}`);
  assert.equal(grants.find(g => g.ref === 0)!.gmfn, consolePfn);
  assert.equal(grants.find(g => g.ref === 1)!.gmfn, storePfn);
  assert.deepEqual(grantsOf(lines, 0), [], 'Dom0 grants nothing');

  lines = dump('e');
  const guestPorts = portsOf(lines, domid), dom0Ports = portsOf(lines, 0);
  const interdomain = guestPorts.filter(p => p.state === 3);
  const channels = [...magicPorts, ...devices.flatMap(d => d.ports)];
  assert.deepEqual(interdomain.map(p => p.port).sort((a, b) => a - b), [...channels].sort((a, b) => a - b), 'every interdomain port is one of the channels');
  for (const port of channels) {
    const g = guestPorts.find(p => p.port === port)!;
    assert.equal(g.remote, 0, `guest port ${port} is bound to Dom0`);
    const peer = dom0Ports.find(p => p.port === g.remotePort)!;
    assert.deepEqual([peer.state, peer.remote, peer.remotePort], [3, domid, port], `Dom0 port ${g.remotePort}`);
  }
  assert.equal(dom0Ports.filter(p => p.remote === domid).length, channels.length, 'Dom0 binds nothing else of the guest');

  // Detach one vif and one vbd: their rings are no longer mapped, their channels no longer bound.
  h.xlOk('network-detach', 'g', '1');
  h.xlOk('block-detach', 'g', 'xvdb');
  h.advance('1s');
  const gone = [devices[1]!, devices[3]!];
  const left = grantsOf(dump('g'), domid)!.map(g => g.ref);
  for (const d of gone) for (const ref of d.refs) assert.ok(!left.includes(ref), `${d.name} ref ${ref} unmapped`);
  assert.deepEqual(left, [0, 1, ...devices[0]!.refs, ...devices[2]!.refs].sort((a, b) => a - b));
  const bound = portsOf(dump('e'), domid).filter(p => p.state === 3).map(p => p.port);
  for (const d of gone) for (const port of d.ports) assert.ok(!bound.includes(port), `${d.name} port ${port} closed`);

  h.xlOk('destroy', 'g');
  h.advance('1s');
  lines = dump('ge');
  assert.equal(grantsOf(lines, domid), null, 'no table of the domain left');
  assert.deepEqual(portsOf(lines, domid), []);
  assert.deepEqual(portsOf(lines, 0).filter(p => p.remote === domid), [], 'no Dom0 port names the domain');
  assert.deepEqual(grantsOf(lines, 0), []);
});

test('save and restore: the restored guest\'s frontends grant their rings anew and Dom0 maps them; nothing of the saved domain stays', { skip: !haveBinary('/usr/bin/xenstore-read') }, () => {
  const disk = join(h.home, 's.img');
  const fd = openSync(disk, 'w'); ftruncateSync(fd, 64 << 20); closeSync(fd);
  const cfg = join(h.home, 's.cfg');
  writeFileSync(cfg, `name = "s"\nkernel = "/boot/vmlinuz"\nmemory = 128\nvif = [ 'bridge=xenbr0' ]\ndisk = [ '${disk},raw,xvda,rw' ]\n`);
  h.xlOk('create', '-q', cfg);
  h.advance('5s');
  const old = Number(h.xlOk('domid', 's').trim());
  const file = join(h.home, 's.save');
  h.xlOk('save', 's', file);
  h.xlOk('restore', file);
  h.advance('5s');
  const domid = Number(h.xlOk('domid', 's').trim());
  assert.notEqual(domid, old);
  const dom = `/local/domain/${domid}`;
  const refs = [read(`${dom}/device/vif/0/tx-ring-ref`), read(`${dom}/device/vif/0/rx-ring-ref`), read(`${dom}/device/vbd/51712/ring-ref`)];
  const lines = dump('ge');
  assert.deepEqual(grantsOf(lines, domid)!.map(g => [g.ref, g.mapper, g.pin]), [0, 1, ...refs].sort((a, b) => a - b).map(ref => [ref, 0, 1]));
  assert.equal(grantsOf(lines, old), null);
  assert.deepEqual(portsOf(lines, 0).filter(p => p.remote === old), []);
  assert.equal(portsOf(lines, 0).filter(p => p.remote === domid && p.state === 3).length, 2 + 3, 'xenstore, console, vif tx/rx, vbd');
  h.xlOk('destroy', 's');
});

test('migration: the frontends reconnect on the target with grants of their own there, Dom0 there maps them, traffic flows on new rings; nothing stays on the source', { skip: !haveBinary('/usr/bin/xenstore-read') }, async () => {
  const b = new TestHost().start(['--clock', 'virtual']);
  try {
    const disk = join(h.home, 'm.img');
    const fd = openSync(disk, 'w'); ftruncateSync(fd, 64 << 20); closeSync(fd);
    const cfg = join(h.home, 'm.cfg');
    writeFileSync(cfg, `name = "m"\nkernel = "/boot/vmlinuz"\nmemory = 128\nworkload = "net-tx=15000,disk-write=40960"\n` +
      `vif = [ 'bridge=xenbr0' ]\ndisk = [ '${disk},raw,xvda,rw' ]\n`);
    h.xlOk('create', '-q', cfg);
    h.advance('5s');
    const old = Number(h.xlOk('domid', 'm').trim());
    const m = xlBackground(h, ['migrate', '-s', '', 'm', `XENLAB_HOME=${b.home} xl migrate-receive`]);
    await m.waitFor(/xc: info: Saving domain \d+/);
    h.advance('10s');
    assert.equal(await m.exit, 0, m.stderr);
    b.advance('3s');

    // On the target: the rings the frontends granted there, each mapped once by Dom0 there; the
    // other mapped entries are blkfront's data pages (persistent grants), none a ring's.
    const domid = Number(b.xlOk('domid', 'm').trim());
    const readB = (path: string): number => Number(b.sys('xenstore-read', [path]).stdout.trim());
    const dom = `/local/domain/${domid}`;
    const rings = [readB(`${dom}/device/vif/0/tx-ring-ref`), readB(`${dom}/device/vif/0/rx-ring-ref`), readB(`${dom}/device/vbd/51712/ring-ref`)];
    b.xlOk('debug-keys', 'g');
    const lines = b.xlOk('dmesg').split('\n').map(l => l.replace(/^\(XEN\) /, ''));
    const mapped = grantsOf(lines, domid)!;
    for (const ref of [0, 1, ...rings]) assert.deepEqual(mapped.filter(g => g.ref === ref).map(g => [g.mapper, g.pin]), [[0, 1]], `ref ${ref} mapped once by Dom0`);
    assert.ok(mapped.length > 2 + rings.length, 'blkback maps the data pages blkfront granted (persistent grants)');
    // Traffic runs on new rings there: Dom0 on the target counts it from zero.
    const counts = b.run('xentop', ['-b', '-i', '1', '-n', '-x']).stdout;
    const rx = Number(/Net0 RX:\s+(\d+)bytes/.exec(counts)?.[1]), wr = Number(/WR:\s+(\d+)/.exec(counts)?.[1]);
    assert.ok(rx > 0 && rx <= 3 * 15000 && wr > 0 && wr <= 30, `on the target: ${rx} bytes received, ${wr} writes`);

    // On the source: nothing of the domain is mapped or bound any more.
    const left = dump('ge');
    assert.equal(grantsOf(left, old), null);
    assert.deepEqual(portsOf(left, 0).filter(p => p.remote === old), []);
    b.xlOk('destroy', 'm');
  } finally { b.stop(); }
});
