// The real virsh (Debian libvirt-clients 9.0) against xenlabd's libvirt endpoint: the
// commands an orchestrator's operator types, with the output virsh prints against a libxl host,
// the domain's state agreeing with `xl list`, and libvirt's errors for what must fail.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pty from 'node-pty';
import { TestHost, haveBinary, type RunResult } from '../helpers/host.ts';
import { until } from '../helpers/wait.ts';

const skip = haveBinary('virsh') ? false : 'virsh not installed (apt-get install libvirt-clients)';
let h: TestHost;
let uri: string, roUri: string;

const virsh = (...args: string[]): RunResult => h.sys('virsh', ['-c', uri, ...args]);
const virshOk = (...args: string[]): string => {
  const r = virsh(...args);
  assert.equal(r.status, 0, `virsh ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

const G1 = `<domain type='xen'>
  <name>g1</name>
  <memory unit='MiB'>256</memory>
  <vcpu>2</vcpu>
  <os><type>linux</type><kernel>/boot/vmlinuz</kernel><cmdline>console=hvc0</cmdline></os>
  <devices><interface type='bridge'><source bridge='xenbr0'/></interface></devices>
</domain>
`;

before(() => {
  if (skip) return;
  h = new TestHost().start();
  const sock = join(h.home, 'run/libvirt/libvirt-sock');
  uri = `xen+unix:///system?socket=${sock}`;
  roUri = `xen+unix:///system?socket=${sock}-ro`;
});
after(() => h?.stop());

test('version, uri, nodeinfo and capabilities present the libxl driver on Xen 4.17', { skip }, () => {
  assert.equal(virshOk('version'), 'Compiled against library: libvirt 9.0.0\nUsing library: libvirt 9.0.0\nUsing API: Xen 9.0.0\nRunning hypervisor: Xen 4.17.0\n\n');
  assert.equal(virshOk('uri').trim(), uri);
  assert.equal(virshOk('hostname').trim(), 'xenlab');
  assert.match(virshOk('nodeinfo'), /^CPU model: +x86_64\nCPU\(s\): +8\nCPU frequency: +2394 MHz\n.*Memory size: +16777216 KiB\n/s);
  const caps = virshOk('capabilities');
  assert.match(caps, /<os_type>xen<\/os_type>/);
  assert.match(caps, /<machine>xenpvh<\/machine>/);
});

test('list --all, dominfo and domstate follow xl create and xl destroy', { skip }, () => {
  h.xlOk('create', h.guestConfig('web1', 'vcpus = 2\nvif = [ "bridge=xenbr0" ]'));
  const list = virshOk('list', '--all');
  assert.equal(list, ' Id   Name       State\n--------------------------\n 0    Domain-0   running\n 1    web1       running\n\n');
  const info = virshOk('dominfo', 'web1');
  assert.match(info, /^Id: +1\nName: +web1\nUUID: +[0-9a-f-]{36}\nOS Type: +linux\nState: +running\nCPU\(s\): +2\n/);
  assert.match(info, /Max memory: +262144 KiB\nUsed memory: +262144 KiB\nPersistent: +no\n/);
  assert.equal(virshOk('domstate', '1').trim(), 'running');
  const xml = virshOk('dumpxml', 'web1');
  assert.match(xml, /^<domain type='xen' id='1'>\n  <name>web1<\/name>/);
  const mac = /^0 +0 +(\S+)/m.exec(h.xlOk('network-list', 'web1'))![1];
  assert.match(xml, new RegExp(`<mac address='${mac}'/>\\n      <source bridge='xenbr0'/>\\n      <target dev='vif1.0'/>`));
  h.xlOk('destroy', 'web1');
  assert.doesNotMatch(virshOk('list', '--all'), /web1/);
});

test('define, start, setmem, setvcpus, vcpupin, suspend/resume, shutdown and undefine, as xl sees them', { skip }, () => {
  const file = join(h.home, 'g1.xml');
  writeFileSync(file, G1);
  assert.equal(virshOk('define', file), `Domain 'g1' defined from ${file}\n\n`);
  assert.match(virshOk('list', '--all'), / -    g1         shut off\n/);
  assert.equal(virshOk('domstate', 'g1').trim(), 'shut off');
  assert.equal(virshOk('start', 'g1'), "Domain 'g1' started\n\n");
  const id = virshOk('domid', 'g1').trim();
  assert.match(h.xlOk('list'), new RegExp(`^g1 +${id} +256 +2 `, 'm'));
  const again = virsh('start', 'g1');
  assert.equal(again.status, 1);
  assert.equal(again.stderr, 'error: Domain is already active\n');
  h.advance('5s');
  virshOk('setvcpus', 'g1', '1');
  assert.match(h.xlOk('list', 'g1'), /^g1 +\d+ +\d+ +1 /m);
  virshOk('vcpupin', 'g1', '0', '3');
  assert.match(h.xlOk('vcpu-list', 'g1'), /^g1 +\d+ +0 +\S+ +\S+ +[\d.]+ +3 \/ all$/m);
  virshOk('setmem', 'g1', '200M');
  h.advance('10s');
  assert.match(h.xlOk('list', 'g1'), /^g1 +\d+ +200 /m);
  assert.equal(virshOk('suspend', 'g1'), "Domain 'g1' suspended\n\n");
  assert.match(h.xlOk('list', 'g1'), /^g1 .* --p--- /m);
  assert.equal(virshOk('domstate', 'g1').trim(), 'paused');
  assert.equal(virshOk('resume', 'g1'), "Domain 'g1' resumed\n\n");
  assert.equal(virshOk('shutdown', 'g1'), "Domain 'g1' is being shutdown\n\n");
  h.advance('30s');
  assert.equal(virshOk('domstate', 'g1').trim(), 'shut off');
  assert.doesNotMatch(h.xlOk('list'), /^g1 /m);
  assert.equal(virshOk('undefine', 'g1'), "Domain 'g1' has been undefined\n\n");
  assert.doesNotMatch(virshOk('list', '--all'), /g1/);
});

test('domifstat and domblkstat give the counters xentop shows', { skip }, () => {
  const img = join(h.home, 'io1.img');
  writeFileSync(img, Buffer.alloc(16 << 20));
  h.xlOk('create', h.guestConfig('io1', `memory = 64\nvif = [ "bridge=xenbr0" ]\ndisk = [ "format=raw, vdev=xvda, access=rw, target=${img}" ]\nworkload = "net-tx=1M,disk-read=1M,disk-write=512K"`));
  h.advance('10s');
  const id = virshOk('domid', 'io1').trim();
  const top = h.run('xentop', ['-b', '-i', '1', '-x', '-n']).stdout;
  const [, netRx] = /Net0 RX: +(\d+)bytes/.exec(top)!;
  const [, rd, wr, rsect, wsect] = /VBD BlkBack 51712 \[ca: 0\] +OO: +\d+ +RD: +(\d+) +WR: +(\d+) +RSECT: +(\d+) +WSECT: +(\d+)/.exec(top)!;
  // libvirt reports a vif from the guest's side: what Dom0's vif receives, the guest sent.
  const ifs = virshOk('domifstat', 'io1', `vif${id}.0`);
  assert.match(ifs, new RegExp(`^vif${id}.0 rx_bytes \\d+\\nvif${id}.0 rx_packets \\d+\\n.*\\nvif${id}.0 tx_bytes ${netRx}\\n`, 's'));
  assert.ok(Number(netRx) > 9_000_000, top);
  assert.equal(virshOk('domblkstat', 'io1', 'xvda'),
    `xvda rd_req ${rd}\nxvda rd_bytes ${Number(rsect) * 512}\nxvda wr_req ${wr}\nxvda wr_bytes ${Number(wsect) * 512}\nxvda flush_operations 0\n\n`);
  const bad = virsh('domblkstat', 'io1', 'xvdz');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^error: Requested operation is not valid: cannot find device number for xvdz\n/);
  h.xlOk('destroy', 'io1');
});

test('errors: unknown domain, bad XML, destroy on the read-only socket', { skip }, () => {
  const r = virsh('dominfo', 'nosuch');
  assert.equal(r.status, 1);
  assert.equal(r.stderr, "error: failed to get domain 'nosuch'\n");
  const bad = join(h.home, 'bad.xml');
  writeFileSync(bad, '<domain type="xen"><name>x</name>');
  const d = virsh('define', bad);
  assert.equal(d.status, 1);
  assert.match(d.stderr, /^error: Failed to define domain from .*bad\.xml\nerror: XML error: Premature end of data/);
  h.xlOk('create', h.guestConfig('ro1'));
  const ro = h.sys('virsh', ['-c', roUri, 'destroy', 'ro1']);
  assert.equal(ro.status, 1);
  assert.equal(ro.stderr, 'error: Failed to destroy domain \'ro1\'\nerror: operation forbidden: read only access prevents virDomainDestroy\n');
  assert.match(h.sys('virsh', ['-c', roUri, 'list']).stdout, /ro1 +running/);
  h.xlOk('destroy', 'ro1');
});

test('event --loop sees an xl create and an xl destroy', { skip }, async () => {
  const ev = spawn('virsh', ['-c', uri, 'event', '--loop', '--event', 'lifecycle'], { env: h.env });
  let out = '';
  ev.stdout.on('data', d => { out += d; });
  // virsh prints nothing once its callback is registered: a probe domain made and destroyed
  // until its events show says it is (a state, not a delay).
  const probe = h.guestConfig('probe');
  for (let i = 0; i < 200 && !/'probe': Stopped Destroyed/.test(out); i++) {
    h.xlOk('create', probe);
    h.xlOk('destroy', 'probe');
    await new Promise(r => setImmediate(r));
  }
  const last = "event 'lifecycle' for domain 'probe': Stopped Destroyed\n";
  await waitFor(() => out.includes(last));
  h.xlOk('create', h.guestConfig('ev1'));
  h.xlOk('destroy', 'ev1');
  await waitFor(() => /'ev1': Stopped Destroyed\n/.test(out));
  ev.kill('SIGINT');
  // Events come in order, but a probe's may come after the loop saw an earlier probe's: ev1's
  // are the ones after the last probe event.
  assert.equal(out.slice(out.lastIndexOf(last) + last.length), "event 'lifecycle' for domain 'ev1': Started Booted\nevent 'lifecycle' for domain 'ev1': Stopped Destroyed\n");
});

test('console: a login on the guest through the stream, ^] to leave', { skip }, async () => {
  h.xlOk('create', h.guestConfig('con1'));
  h.advance('10s');
  // virsh console wants a terminal.
  const p = pty.spawn('virsh', ['-c', uri, 'console', 'con1'], { env: h.env as Record<string, string>, cols: 80, rows: 24 });
  let out = '';
  p.onData(d => { out += d; });
  const exited = new Promise<number>(r => p.onExit(e => r(e.exitCode)));
  await waitFor(() => out.includes("Connected to domain 'con1'\r\nEscape character is ^] (Ctrl + ])\r\n"));
  p.write('\r');
  await waitFor(() => /con1 login: $/.test(out));
  p.write('root\r');
  await waitFor(() => /root@con1:~# $/.test(out));
  p.write('uname -n\r');
  await waitFor(() => /uname -n\r\ncon1\r\nroot@con1:~# $/.test(out));
  p.write('\x1d');
  assert.equal(await exited, 0);
  h.xlOk('destroy', 'con1');
});

test('save and restore: the domain leaves and comes back running, as xl sees it', { skip }, () => {
  h.xlOk('create', h.guestConfig('sr1', 'memory = 64'));
  h.advance('5s');
  const file = join(h.home, 'sr1.save');
  assert.equal(virshOk('save', 'sr1', file), `\nDomain 'sr1' saved to ${file}\n\n`);
  assert.doesNotMatch(h.xlOk('list'), /^sr1 /m);
  assert.equal(readFileSync(file).subarray(0, 16).toString('latin1'), 'libvirt-xml\n \0 \r');
  assert.equal(virshOk('restore', file), `Domain restored from ${file}\n\n`);
  assert.match(h.xlOk('list'), /^sr1 +\d+ +64 +1 /m);
  assert.equal(virshOk('domstate', 'sr1').trim(), 'running');
  h.xlOk('destroy', 'sr1');
});

test('domxml-from-native xen-xl on examples/ and /etc/xen/xlexample.*, and domxml-to-native back', { skip }, () => {
  const files = ['examples/demo.cfg', 'examples/web.cfg', 'examples/db.cfg',
    ...['pvlinux', 'pvhlinux', 'hvm'].map(k => `/etc/xen/xlexample.${k}`).filter(f => existsSync(f))];
  // A config without uuid or MAC gets random ones, as libvirt's converter gives them.
  const mask = (x: string) => x.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, 'UUID').replace(/00:16:3e(:[0-9a-f]{2}){3}/g, 'MAC');
  for (const f of files) {
    const xml = virshOk('domxml-from-native', 'xen-xl', f).replace(/\n$/, '');
    const name = /^name = "(.*)"$/m.exec(readFileSync(f, 'utf8'))![1];
    assert.match(xml, new RegExp(`^<domain type='xen'>\n  <name>${name.replace('.', '\\.')}</name>\n  <uuid>[0-9a-f-]{36}</uuid>\n`), f);
    const xmlFile = join(h.home, 'native.xml');
    writeFileSync(xmlFile, xml);
    const cfg = virshOk('domxml-to-native', 'xen-xl', xmlFile);
    const cfgFile = join(h.home, 'native.cfg');
    writeFileSync(cfgFile, cfg);
    // What comes back converts to the same XML (its uuid and MACs now fixed).
    assert.equal(mask(virshOk('domxml-from-native', 'xen-xl', cfgFile).replace(/\n$/, '')), mask(xml), f);
  }
  const pv = virshOk('domxml-from-native', 'xen-xl', 'examples/demo.cfg');
  assert.match(pv, /<type arch='x86_64' machine='xenpv'>linux<\/type>\n    <kernel>\/boot\/vmlinuz<\/kernel>\n    <cmdline>root=\/dev\/xvda1 ro console=hvc0<\/cmdline>/);
  assert.match(pv, /<memory unit='KiB'>1048576<\/memory>\n  <currentMemory unit='KiB'>524288<\/currentMemory>/);
  const web = virshOk('domxml-from-native', 'xen-xl', 'examples/web.cfg');
  assert.match(web, /<mac address='00:16:3e:10:00:01'\/>\n      <source bridge='xenbr0'\/>\n      <bandwidth>\n        <outbound average='1280'\/>/);
  const bad = virsh('domxml-from-native', 'xen-argo', 'examples/demo.cfg');
  assert.equal(bad.stderr, 'error: invalid argument: unsupported config type xen-argo\n');
});

test('migrate --live --p2p to a second xenlab host: the domain runs there and is gone here', { skip }, () => {
  const b = new TestHost('xenlab-b').start();
  try {
    const bUri = `xen+unix:///system?socket=${join(b.home, 'run/libvirt/libvirt-sock')}`;
    h.xlOk('create', h.guestConfig('mig1', 'memory = 64'));
    h.advance('5s');
    const uuid = virshOk('domuuid', 'mig1').trim();
    const r = virsh('migrate', '--live', '--p2p', 'mig1', bUri);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(h.xlOk('list'), /^mig1 /m);
    assert.match(b.xlOk('list'), /^mig1 +\d+ +64 +1 /m);
    const there = h.sys('virsh', ['-c', bUri, 'dominfo', 'mig1']).stdout;
    assert.match(there, new RegExp(`UUID: +${uuid}\nOS Type: +linux\nState: +running\n`));
    // Migrating to where the domain already runs is refused by the destination.
    h.xlOk('create', h.guestConfig('mig2', 'memory = 64'));
    b.xlOk('create', b.guestConfig('mig2', 'memory = 64'));
    const dup = virsh('migrate', '--live', '--p2p', 'mig2', bUri);
    assert.equal(dup.status, 1);
    assert.equal(dup.stderr, "error: Requested operation is not valid: domain 'mig2' is already active\n");
    assert.match(h.xlOk('list'), /^mig2 /m);
    h.xlOk('destroy', 'mig2');
  } finally { b.stop(); }
});

test('create from XML makes a transient domain: it cannot be undefined, destroy removes it', { skip }, () => {
  const file = join(h.home, 't1.xml');
  writeFileSync(file, G1.replace('<name>g1</name>', '<name>t1</name>'));
  assert.equal(virshOk('create', file), `Domain 't1' created from ${file}\n\n`);
  assert.match(virshOk('dominfo', 't1'), /Persistent: +no\n/);
  const u = virsh('undefine', 't1');
  assert.equal(u.status, 1);
  assert.equal(u.stderr, "error: Failed to undefine domain 't1'\nerror: Requested operation is not valid: cannot undefine transient domain\n");
  assert.equal(virshOk('destroy', 't1'), "Domain 't1' destroyed\n\n");
  assert.doesNotMatch(virshOk('list', '--all'), /t1/);
  assert.doesNotMatch(h.xlOk('list'), /^t1 /m);
});

/** Poll a condition on a process's output (waiting on another process, not on time). */
const waitFor = (cond: () => boolean): Promise<void> => until(cond, 'virsh never printed it');

test('define with a name holding slashes keeps its config inside libvirt/libxl, and undefine removes it', { skip }, () => {
  const name = '../../escaped';
  const file = join(h.home, 'slash.xml');
  writeFileSync(file, G1.replace('<name>g1</name>', `<name>${name}</name>`));
  assert.equal(virshOk('define', file), `Domain '${name}' defined from ${file}\n\n`);
  assert.ok(!existsSync(join(h.home, 'escaped.xml')) && !existsSync(join(h.home, '..', 'escaped.xml')), 'nothing written outside libvirt/libxl');
  assert.ok(existsSync(join(h.home, 'libvirt', 'libxl', '..%2F..%2Fescaped.xml')));
  assert.equal(virshOk('undefine', name), `Domain '${name}' has been undefined\n\n`);
  assert.ok(!existsSync(join(h.home, 'libvirt', 'libxl', '..%2F..%2Fescaped.xml')));
});
