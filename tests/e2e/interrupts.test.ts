// Interrupts on a real daemon: the NIC and the disk raise IRQs that Xen gives Dom0 as pirqs
// ('i' and 'e' show them bound), the backends notify the guest on its rings' event channels, and
// the guest's /proc/interrupts counts them per port in Linux's format: the counts grow with the
// traffic and stay far below the requests while the rings are busy (event suppression).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, closeSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { TestHost } from '../helpers/host.ts';
import { guestShell } from '../helpers/guest-shell.ts';

let h: TestHost;
before(() => {
  h = new TestHost().start();
  const img = join(h.home, 'web.img');
  const fd = openSync(img, 'w'); ftruncateSync(fd, 256 << 20); closeSync(fd);
  h.xlOk('create', '-q', h.guestConfig('web', `vif = [ 'bridge=xenbr0' ]\ndisk = [ '${img},raw,xvda,rw' ]\nworkload = "net-tx=50M,disk-write=20M"`));
  h.advance('5s');
});
after(() => h.stop());

/** `cat /proc/interrupts` typed in the guest's console shell. */
const procInterrupts = (): Promise<string> => guestShell(h, 'web', 'cat /proc/interrupts');

/** The count of each named IRQ line, over all CPUs. */
function counts(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of text.split('\n')) {
    const x = /^ *\d+:((?: +\d+)+)  +\S+ +-\S+ +(\S+)$/.exec(l);
    if (x) m.set(x[2]!, x[1]!.trim().split(/ +/).reduce((t, n) => t + Number(n), 0));
  }
  return m;
}

/** VBD_WR and NETRX(k) of the guest in xentop's batch output. */
function traffic(): { vbdWr: number; netRxKb: number } {
  const lines = h.run('xentop', ['-b', '-i', '1']).stdout.trim().split('\n');
  const head = lines[0]!.trim().split(/\s+/), web = lines.find(l => l.trim().startsWith('web '))!.trim().split(/\s+/);
  return { vbdWr: Number(web[head.indexOf('VBD_WR')]), netRxKb: Number(web[head.indexOf('NETRX(k)')]) };
}

test("the guest's /proc/interrupts: Linux's layout, its IRQs in binding order", async () => {
  const text = await procInterrupts();
  const lines = text.split('\n');
  assert.equal(lines[0], `${' '.repeat(11)}CPU0       `);
  assert.match(lines[1]!, /^ 16: +\d+  xen-percpu    -virq      timer0$/);
  assert.match(text, /\n *\d+: +\d+   xen-dyn    -event     xenbus\n *\d+: +\d+  xen-dyn-lateeoi    -event     hvc_console\n/);
  for (const name of ['vif0-q0-tx', 'vif0-q0-rx', 'blkif']) assert.ok(counts(text).has(name), name);
  assert.match(text, /\nNMI: {10}0   Non-maskable interrupts\n/);
  assert.match(text, /\nERR: {10}0\nMIS: {10}0\n$/);
});

test('busy rings: the notifications grow with the traffic and are far fewer than the requests', async () => {
  const first = counts(await procInterrupts()), t1 = traffic();
  h.advance('5s');
  const second = counts(await procInterrupts()), t2 = traffic();
  const blk = second.get('blkif')!, tx = second.get('vif0-q0-tx')!;
  assert.ok(blk > first.get('blkif')!, `blkif grew (${first.get('blkif')} -> ${blk})`);
  assert.ok(tx > first.get('vif0-q0-tx')!, `vif0-q0-tx grew (${first.get('vif0-q0-tx')} -> ${tx})`);
  assert.ok(t2.vbdWr > t1.vbdWr && t2.netRxKb > t1.netRxKb, 'the guest kept doing I/O');
  // A tx request carries at most 64 KiB: at least this many requests went over the ring.
  const txRequests = (t2.netRxKb * 1024) / 65536;
  assert.ok(blk * 10 < t2.vbdWr, `blkif ${blk} interrupts for ${t2.vbdWr} write requests`);
  assert.ok(tx * 10 < txRequests, `vif0-q0-tx ${tx} interrupts for ${txRequests} tx requests`);
});

test("Xen gives the NIC's and the disk's MSI-X IRQs to Dom0 as pirqs: 'i' and 'e' show them bound", () => {
  h.xlOk('dmesg', '-c');
  h.xlOk('debug-keys', 'ie');
  const out = h.xlOk('dmesg');
  assert.match(out, /^\(XEN\) IRQ information:$/m);
  const msi = [...out.matchAll(/^\(XEN\)    IRQ: +(\d+) vec:[0-9a-f]{2} PCI-MSI\/-X {6}status=010 aff:\{\d+\}\/\{\d+\} in-flight=0 d0:(\d+)\(---\)$/gm)];
  assert.equal(msi.length, 2, 'the NIC and the disk');
  const dom0 = out.slice(out.indexOf('Event channel information for domain 0:'));
  for (const [, irq, pirq] of msi) assert.match(dom0, new RegExp(`^\\(XEN\\) +\\d+ \\[[01]/0/[01]\\]: s=4 n=0 x=0 p=${pirq} i=${irq}$`, 'm'));
});

test("Dom0's /proc/interrupts (xenlabd interrupts): its timers, the drivers' pirqs, xenstored's, xenconsoled's and the backends' event channels", () => {
  const read = () => h.run('xenlabd', ['interrupts']).stdout;
  const text = read();
  const lines = text.split('\n');
  assert.equal(lines[0], `${' '.repeat(11)}${[0, 1, 2, 3].map(c => `CPU${c}`.padEnd(11)).join('')}`);
  assert.match(text, /^ {2}8: +0 +0 +0 +0  xen-pirq    -ioapic-edge  rtc0$/m);
  assert.match(text, /^ {2}9: +0 +0 +0 +0  xen-pirq    -ioapic-level  acpi$/m);
  for (const name of ['i40e-eno1-TxRx-0', 'nvme0q1']) assert.match(text, new RegExp(`^ *\\d+: +\\d+ +0 +0 +0  xen-pirq    -msi-x     ${name}$`, 'm'));
  const id = h.xlOk('domid', 'web').trim();
  for (const name of ['evtchn:xenstored', 'evtchn:xenconsoled', 'blkif-backend', `vif${id}.0-q0-tx`, `vif${id}.0-q0-rx`]) {
    assert.match(text, new RegExp(`^ *\\d+: +\\d+ +\\d+ +\\d+ +\\d+  xen-dyn-lateeoi    -event     ${name.replace('.', '\\.')}$`, 'm'), name);
  }
  const dom0 = counts(text);
  h.advance('1s');
  const later = counts(read());
  // Each vCPU's timer fires on its own CPU; the disk's completions and the ring's requests keep coming.
  for (let v = 0; v < 4; v++) assert.match(text, new RegExp(`^ *\\d+:${' +0'.repeat(v)} +\\d+${' +0'.repeat(3 - v)}  xen-percpu    -virq      timer${v}$`, 'm'));
  for (const name of ['nvme0q1', 'blkif-backend', `vif${id}.0-q0-tx`]) assert.ok(later.get(name)! > dom0.get(name)!, `${name}: ${dom0.get(name)} -> ${later.get(name)}`);
});
