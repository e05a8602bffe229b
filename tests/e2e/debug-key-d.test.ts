// Debug key 'd' (dump registers) against a real daemon: every pCPU dumps its execution state
// as Xen 4.17 prints it, the pressing pCPU (Dom0's, in the sysctl) first; a pCPU running a
// guest vCPU shows that vCPU's registers, the same ones xenctx reads once the guest is paused,
// and a PV guest's stack as it is in the guest's memory; an idle pCPU shows Xen in its idle loop.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestHost } from '../helpers/host.ts';
import { row } from '../helpers/xl-parse.ts';

let h: TestHost;
before(() => {
  h = new TestHost().start(['--clock', 'virtual', '--cpus', '4']);
  h.xlOk('create', h.guestConfig('pvbusy', 'workload = "cpu=100"'));
  h.xlOk('create', h.guestConfig('hvmbusy', 'type = "hvm"\nworkload = "cpu=100"'));
  h.advance('5s');
});
after(() => h.stop());

/** The registers ("rax: 0123...") in some text, by name. */
function registers(text: string): Record<string, string> {
  const regs: Record<string, string> = {};
  for (const m of text.matchAll(/(?:^|\s)(r\w{1,2}|cr[0-4]):\s+([0-9a-f]{16})\b/gm)) regs[m[1]!] ??= m[2]!;
  // Xen's dump: "RIP:    e033:[<ffffffff81000000>]".
  const rip = /^RIP: +[0-9a-f]{4}:\[<([0-9a-f]{16})>\]/m.exec(text);
  if (rip) regs.rip = rip[1]!;
  return regs;
}

test("'d' dumps every pCPU once: Dom0's vCPU in its sysctl first, guests' registers as xenctx reads them, idle pCPUs in Xen's idle loop", () => {
  h.xlOk('dmesg', '-c');
  h.xlOk('debug-keys', 'd');
  const lines = h.xlOk('dmesg').replace(/\n$/, '').split('\n');
  assert.ok(lines.every(l => l.startsWith('(XEN) ')), 'every line is the hypervisor\'s');
  const out = lines.map(l => l.slice(6)).join('\n');
  assert.ok(out.startsWith("'d' pressed -> dumping registers\n\n*** Dumping CPU"));
  const blocks = out.split(/^(?=\*\*\* Dumping CPU)/m).slice(1);
  const heads = blocks.map(b => /^\*\*\* Dumping CPU(\d+) (host|guest) state(?: \((d\d+v\d+)\))?: \*\*\*$/m.exec(b)!);
  assert.deepEqual(heads.map(m => Number(m[1])).sort(), [0, 1, 2, 3], 'each pCPU once');
  assert.equal(heads[0]![3], 'd0v0', 'the pCPU that took the key: Dom0 in XEN_SYSCTL_debug_keys');
  assert.equal(registers(blocks[0]!).rax, '0000000000000023', '__HYPERVISOR_sysctl');
  for (const b of blocks) assert.match(b, /^----\[ Xen-4\.17\.7 {2}x86_64 {2}debug=n {2}Not tainted \]----\nCPU: {4}\d+\nRIP: {4}[0-9a-f]{4}:\[<[0-9a-f]{16}>\]/m);

  const block = (dom: string) => blocks[heads.findIndex(m => m[3] === `d${row(h.xlOk('list'), dom).id}v0`)]!;
  const pv = block('pvbusy'), hvm = block('hvmbusy');
  assert.match(pv, /\nRFLAGS: [0-9a-f]{16} {3}EM: 0 {3}CONTEXT: pv guest \(d\d+v0\)\n/);
  assert.match(hvm, /\nRFLAGS: [0-9a-f]{16} {3}CONTEXT: hvm guest \(d\d+v0\)\n/);
  assert.doesNotMatch(hvm, /stack trace/, 'Xen prints no stack for an HVM vCPU');
  const idle = blocks.filter((_, i) => heads[i]![2] === 'host');
  assert.ok(idle.length > 0);
  for (const b of idle) {
    assert.match(b, /CONTEXT: hypervisor\n/);
    assert.match(b, /\nXen call trace:\n {3}\[<[0-9a-f]{16}>\] R mwait_idle_with_hints\+0x[0-9a-f]+\/0x[0-9a-f]+\n(?: {3}\[<[0-9a-f]{16}>\] S \S+\n)+\n?$/);
  }

  // Pausing at this instant keeps the registers: xenctx shows what 'd' showed.
  for (const [dom, dumped] of [['pvbusy', pv], ['hvmbusy', hvm]] as const) {
    h.xlOk('pause', dom);
    const x = h.run('xenctx', ['-a', String(row(h.xlOk('list'), dom).id)]);
    assert.equal(x.status, 0, x.stderr);
    const want = registers(x.stdout);
    const got = registers(dumped);
    for (const r of ['rip', 'rsp', 'rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'cr0', 'cr3', 'cr4']) {
      assert.equal(got[r], want[r], `${dom} ${r}`);
    }
    h.xlOk('unpause', dom);
  }
  // The PV stack 'd' prints starts with the words xenctx's Stack: shows from the same rsp.
  const xstack = h.run('xenctx', [String(row(h.xlOk('list'), 'pvbusy').id)]).stdout;
  const firstWords = /\nStack:\n((?: [0-9a-f]{16})+)\n/.exec(xstack)![1]!.trim().split(' ');
  const dstack = /Guest stack trace from rsp=[0-9a-f]{16}:\n((?: {3}[0-9a-f ]+\n)+)/.exec(pv)![1]!.trim().split(/\s+/);
  assert.deepEqual(dstack.slice(0, firstWords.length), firstWords);
});
