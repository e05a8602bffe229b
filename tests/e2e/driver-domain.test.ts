// Driver domains (issue 17, acceptance 1): a guest whose vif and vbd name a driver domain
// (`backend=netdd`) is served by that domain's netback and blkback, brought up by its `xl devd`.
// The tree is the one libxl writes for a driver-domain backend (read with the real
// xenstore-ls -fp); the guest's traffic flows (its vif's interrupts count, its disk image is
// written) and costs the driver domain's CPU time while Dom0's grows only by its own idle work.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost, haveBinary } from '../helpers/host.ts';
import { guestShell } from '../helpers/guest-shell.ts';
import { xentopRates } from '../helpers/io-rates.ts';

const XENSTORE_LS = '/usr/bin/xenstore-ls';
const XVDA = 51712;

let h: TestHost;
before(() => { h = new TestHost('driver-domain').start(); });
after(() => h.stop());

const sha256 = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
const domid = (name: string) => Number(h.xlOk('domid', name).trim());
/** A domain's CPU time in seconds, as `xl list` shows it. */
const cpuTime = (name: string) => Number(h.xlOk('list', name).split('\n')[1]!.trim().split(/\s+/).pop());

/** `xenstore-ls -fp PATH` by the real client: path → "value   (perms)". */
function xsls(path: string): Map<string, string> {
  const r = h.sys(XENSTORE_LS, ['-fp', path]);
  assert.equal(r.status, 0, r.stderr);
  return new Map(r.stdout.trimEnd().split('\n').map(l => { const i = l.indexOf(' = '); return [l.slice(0, i), l.slice(i + 3)] as [string, string]; }));
}

/** The nodes of `tree` under `dir` named in `want`, each as `value   (perms)`. */
function assertNodes(tree: Map<string, string>, dir: string, want: Record<string, string>): void {
  for (const [key, line] of Object.entries(want)) assert.equal(tree.get(key ? `${dir}/${key}` : dir), line, `${dir}/${key}`);
}

function interruptCount(procInterrupts: string, name: string): number {
  const line = procInterrupts.split('\n').find(l => l.trimEnd().endsWith(name));
  assert.ok(line, `no ${name} in\n${procInterrupts}`);
  return line.trim().split(/\s+/).slice(1).filter(w => /^\d+$/.test(w)).reduce((a, b) => a + Number(b), 0);
}

test("a driver domain serves a guest's vif and vbd: libxl's tree, traffic on its CPU, not Dom0's", { skip: !haveBinary(XENSTORE_LS) && 'xenstore-utils is not installed' }, async () => {
  h.xlOk('create', h.guestConfig('netdd', 'driver_domain = 1'));
  h.advance('5s');
  const dd = domid('netdd');
  // libxl__domain_make gives a driver domain its own libxl and device-model directories.
  assertNodes(xsls(`/local/domain/${dd}`), `/local/domain/${dd}`, { libxl: `""   (n${dd})`, 'device-model': `""   (n${dd})` });

  // Dom0's own idle work over 10 s, before any traffic.
  let dom0 = cpuTime('Domain-0');
  h.advance('10s');
  const dom0Idle = cpuTime('Domain-0') - dom0;

  const img = join(h.home, 'g.img');
  writeFileSync(img, Buffer.alloc(16 << 20));
  const before = sha256(img);
  h.xlOk('create', h.guestConfig('g', `vif = [ 'bridge=xenbr0,backend=netdd' ]
disk = [ 'format=raw, vdev=xvda, access=rw, backend=netdd, target=${img}' ]
workload = "net-tx=100M,disk-write=20M"`));
  h.advance('3s');
  const g = domid('g');

  const vifBe = `/local/domain/${dd}/backend/vif/${g}/0`, vbdBe = `/local/domain/${dd}/backend/vbd/${g}/${XVDA}`;
  const vifFe = `/local/domain/${g}/device/vif/0`, vbdFe = `/local/domain/${g}/device/vbd/${XVDA}`;
  const back = xsls(`/local/domain/${dd}/backend`), front = xsls(`/local/domain/${g}/device`);
  // The backend directories: the driver domain's, readable by the guest; hotplug done by its xl devd.
  assertNodes(back, vifBe, {
    '': `""   (n${dd},r${g})`, frontend: `"${vifFe}"   (n${dd},r${g})`, 'frontend-id': `"${g}"   (n${dd},r${g})`, online: `"1"   (n${dd},r${g})`,
    state: `"4"   (n${dd},r${g})`, script: `"/etc/xen/scripts/vif-bridge"   (n${dd},r${g})`, bridge: `"xenbr0"   (n${dd},r${g})`,
    'hotplug-status': `"connected"   (n${dd},r${g})`,
  });
  assertNodes(back, vbdBe, {
    '': `""   (n${dd},r${g})`, frontend: `"${vbdFe}"   (n${dd},r${g})`, params: `"${img}"   (n${dd},r${g})`, type: `"phy"   (n${dd},r${g})`,
    mode: `"w"   (n${dd},r${g})`, state: `"4"   (n${dd},r${g})`, 'physical-device-path': `"${img}"   (n${dd},r${g})`, 'hotplug-status': `"connected"   (n${dd},r${g})`,
  });
  // The frontends: the guest's, readable by the driver domain, pointing at it.
  for (const [fe, be] of [[vifFe, vifBe], [vbdFe, vbdBe]] as const) {
    assertNodes(front, fe, { '': `""   (n${g},r${dd})`, backend: `"${be}"   (n${g},r${dd})`, 'backend-id': `"${dd}"   (n${g},r${dd})`, state: `"4"   (n${g},r${dd})` });
  }
  assertNodes(front, vifFe, { mtu: `"1500"   (n${dd},r${g})` });
  // Nothing of the guest's devices is in Dom0's backend directories.
  assert.equal(h.sys('/usr/bin/xenstore-exists', [`/local/domain/0/backend/vif/${g}`]).status, 1);
  assert.equal(h.sys('/usr/bin/xenstore-exists', [`/local/domain/0/backend/vbd/${g}`]).status, 1);

  // The driver domain, not Dom0, mapped the rings the frontends granted and bound their channels
  // (Xen's debug keys g and e).
  const debugKey = (key: string) => { h.xlOk('dmesg', '-c'); h.xlOk('debug-keys', key); return h.xlOk('dmesg'); };
  // (The console ring keeps the last 16 KiB: the guest's many data pages, granted to the driver
  // domain, each with the domain that mapped it and the one it is granted to.)
  const mapped = [...debugKey('g').matchAll(/^\(XEN\) \[0x[0-9a-f]+\] +(\d+) 0x[0-9a-f]+ 0x[0-9a-f]{8} +(\d+) 0x/gm)].map(m => ({ mapper: Number(m[1]), grantee: Number(m[2]) }));
  const toDd = mapped.filter(e => e.grantee === dd);
  assert.ok(toDd.length >= 3, `${toDd.length} entries granted to d${dd} are mapped`);
  assert.deepEqual(toDd.filter(e => e.mapper !== dd), [], `entries granted to d${dd} are mapped by another domain`);
  const xsNum = (p: string) => Number(h.sys('/usr/bin/xenstore-read', [p]).stdout);
  const evtchns = debugKey('e');
  const ports = evtchns.slice(evtchns.indexOf(`Event channel information for domain ${dd}:`));
  for (const port of [xsNum(`${vifFe}/event-channel-tx`), xsNum(`${vifFe}/event-channel-rx`), xsNum(`${vbdFe}/event-channel`)]) {
    assert.match(ports.slice(0, ports.indexOf('Event channel information for domain', 10)), new RegExp(`: s=3 n=\\d+ x=0 d=${g} p=${port}\\b`), `d${g}'s port ${port} not bound by d${dd}`);
  }

  // Traffic flows: the vif's interrupts count, the disk image is written.
  const irqs = interruptCount(await guestShell(h, 'g', 'cat /proc/interrupts'), 'vif0-q0-tx');
  dom0 = cpuTime('Domain-0');
  let ddCpu = cpuTime('netdd');
  h.advance('10s');
  const dom0Busy = cpuTime('Domain-0') - dom0;
  ddCpu = cpuTime('netdd') - ddCpu;
  assert.ok(interruptCount(await guestShell(h, 'g', 'cat /proc/interrupts'), 'vif0-q0-tx') >= irqs + 50, 'the vif carried nothing');
  assert.notEqual(sha256(img), before, 'the disk image was not written');
  // The driver domain does the work; Dom0 does only what it did idle.
  assert.ok(ddCpu > 1, `the driver domain had ${ddCpu} s of CPU in 10 s of traffic`);
  assert.ok(Math.abs(dom0Busy - dom0Idle) <= 0.1, `Dom0 had ${dom0Busy} s with the traffic, ${dom0Idle} s idle`);
  // xentop over one second: the driver domain busy, Dom0 at its idle demand (1% of each vCPU).
  const r = await xentopRates(h, 1);
  const netdd = r.guests.find(row => row.name === 'netdd')!;
  assert.ok(netdd.cpuPct >= 10, `netdd at ${netdd.cpuPct}% in xentop`);
  assert.ok(r.dom0.cpuPct <= 5, `Domain-0 at ${r.dom0.cpuPct}% in xentop`);
});

test("xl devd from the driver domain's console: it daemonizes; other xl commands are not there", async () => {
  assert.equal(await guestShell(h, 'netdd', 'xl devd'), '');
  assert.equal(await guestShell(h, 'netdd', 'xl list'), 'command not implemented\n');
  // A guest that is no driver domain has no xl.
  assert.equal(await guestShell(h, 'g', 'xl devd'), '-bash: xl: command not found\n');
});

test('backend=NAME of a domain that does not exist: the attach fails as libxl fails it', () => {
  const r = h.xl('network-attach', 'g', 'bridge=xenbr0', 'backend=nosuchdd');
  assert.equal(r.status, 1);
  assert.equal(r.stderr, 'libxl: error: libxl_utils.c:79:libxl_name_to_domid: cannot find domain nosuchdd\nlibxl_device_nic_add failed.\n');
});

test("unplugging from a running driver domain: its xl devd removes the backend directory, libxl the frontend", () => {
  const g = domid('g'), dd = domid('netdd');
  h.xlOk('network-detach', 'g', '0');
  h.xlOk('block-detach', 'g', 'xvda');
  for (const p of [`/local/domain/${dd}/backend/vif/${g}/0`, `/local/domain/${dd}/backend/vbd/${g}/${XVDA}`, `/local/domain/${g}/device/vif/0`, `/local/domain/${g}/device/vbd/${XVDA}`, `/libxl/${g}/device/vif/0`]) {
    assert.equal(h.sys('/usr/bin/xenstore-exists', [p]).status, 1, `${p} is still there`);
  }
  assert.equal(h.xlOk('network-list', 'g'), 'Idx BE Mac Addr.         handle state evt-ch   tx-/rx-ring-ref BE-path                       \n');
});

test('xl devd on the host: it daemonizes with its pid in the pidfile, and brings up what reaches InitWait in Dom0', () => {
  const pidfile = join(h.home, 'xldevd.pid');
  const r = h.xl('devd', '-p', pidfile);
  assert.deepEqual([r.status, r.stdout, r.stderr], [0, '', '']);
  assert.equal(readFileSync(pidfile, 'utf8'), readFileSync(join(h.home, 'xenlabd.pid'), 'utf8').trim() + '\n');
  // A vif backend no toolstack plugged, at InitWait: devd runs vif-bridge for it.
  const be = '/local/domain/0/backend/vif/999/0';
  assert.equal(h.sys('/usr/bin/xenstore-write', [`${be}/online`, '1', `${be}/state`, '2']).status, 0);
  h.advance('1ms');
  h.advance('1ms');
  assert.equal(h.sys('/usr/bin/xenstore-read', [`${be}/hotplug-status`]).stdout, 'connected\n');
  h.sys('/usr/bin/xenstore-rm', ['/local/domain/0/backend/vif/999']);
});
