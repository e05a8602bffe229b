// xl debug-keys against a real daemon: each key's dump lands in the console ring as Xen 4.17
// prints it; 'q' lists every domain and vCPU with the state the other tools report.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestHost } from '../helpers/host.ts';
import { parseList } from '../helpers/xl-parse.ts';

let h: TestHost;
before(() => {
  h = new TestHost().start().createGuests({ web: 'vcpus = 2', db: 'vcpus = 1\nmaxvcpus = 3' }, '5s');
  h.xlOk('pause', 'db');
});
after(() => h.stop());

/** The console ring's lines for one press, without the (XEN) prefix. */
function press(keys: string): string[] {
  h.xlOk('dmesg', '-c');
  h.xlOk('debug-keys', keys);
  return h.xlOk('dmesg').trimEnd().split('\n').map(l => l.replace(/^\(XEN\) /, ''));
}

test("'h' lists Xen 4.17's handlers in ASCII order, the keys without one do nothing", () => {
  const out = press('h');
  assert.equal(out[0], "'h' pressed -> showing installed handlers");
  assert.ok(out.includes(" key 'q' (ascii '71') => dump domain (and guest debug) info"));
  assert.ok(out.includes(" key 'g' (ascii '67') => print grant table usage"));
  const codes = out.slice(1).map(l => parseInt(/\(ascii '([0-9a-f]{2})'\)/.exec(l)![1]!, 16));
  assert.deepEqual(codes, [...codes].sort((a, b) => a - b));
  assert.deepEqual(press('j'), [''], 'no handler for j');
});

test("'q' then dmesg lists every domain and each of its vCPUs, as xl list and vcpu-list see them", () => {
  const out = press('q');
  assert.match(out[0]!, /^'q' pressed -> dumping domain info \(now = \d+\)$/);
  const domains = parseList(h.xlOk('list'));
  const dumped = out.flatMap(l => /^General information for domain (\d+):$/.exec(l)?.[1] ?? []).map(Number);
  assert.deepEqual(dumped, domains.map(d => d.id).sort((a, b) => a - b));
  for (const d of domains) {
    const at = out.indexOf(`General information for domain ${d.id}:`);
    const next = out.findIndex((l, i) => i > at && /^General information for domain /.test(l));
    const block = out.slice(at, next < 0 ? undefined : next);
    const vcpus = block.flatMap(l => /^ {4}VCPU(\d+): CPU(\d+) \[has=[TF]\] poll=0 upcall_pend=0[01] upcall_mask=00 /.exec(l) ?? []);
    const listed = h.xlOk('vcpu-list', String(d.id)).trim().split('\n').slice(1).map(l => l.trim().split(/\s+/));
    assert.equal(vcpus.length / 3, listed.length, `d${d.id}: one VCPU line per vCPU`);
    for (const [i, cols] of listed.entries()) {
      if (cols[3] !== '-') assert.equal(vcpus[i * 3 + 2], cols[3], `d${d.id}v${i} on the pCPU vcpu-list shows`);
    }
    assert.ok(block.includes(`    refcnt=3 dying=0 pause_count=${d.name === 'db' ? 1 : 0}`), `d${d.id} pause count`);
    assert.ok(block.some(l => l.startsWith(`    nr_pages=${d.mem * 256} `)), `d${d.id} pages`);
    // Every online vCPU's kernel bound its VIRQ_DEBUG (Linux's debugN interrupt); db's offline ones did not.
    for (let v = 0; v < listed.length; v++) {
      const port = Number(out.find(l => l.startsWith(`Notifying guest ${d.id}:${v} (virq 1, port `))!.match(/port (\d+)\)$/)![1]);
      assert.equal(port > 0, d.name !== 'db' || v === 0, `d${d.id}v${v} debug port ${port}`);
    }
  }
  // db's two offline vCPUs are down (_VPF_down).
  const db = domains.find(d => d.name === 'db')!;
  const dbBlock = out.slice(out.indexOf(`General information for domain ${db.id}:`));
  assert.equal(dbBlock.filter(l => l === '    pause_count=0 pause_flags=2').length, 2);
  assert.equal(out.at(-1), 'Shared frames 0 -- Saved frames 0');
});

test("'r' dumps Pool-0's credit2 runqueue with every domain's units; 'm' and 't' print memory and clocks", () => {
  const out = press('r');
  assert.deepEqual(out.slice(0, 1), ['sched_smt_power_savings: disabled']);
  assert.ok(out.includes('Cpupool 0:') && out.includes('Scheduler: SMP Credit Scheduler rev2 (credit2)'));
  for (const d of parseList(h.xlOk('list'))) {
    assert.ok(out.some(l => new RegExp(`^\\tDomain: ${d.id} w 256 c 0 v \\d+$`).test(l)), `d${d.id} in the domain info`);
    assert.ok(out.some(l => l.includes(`[${d.id}.0] flags=`)));
  }
  const mem = press('m');
  assert.equal(mem[0], 'Physical memory information:');
  const heapKb = mem.filter(l => /^ {4}(DMA|Dom) heap: /.test(l)).reduce((s, l) => s + Number(/(\d+)kB/.exec(l)![1]), 0);
  const freeMiB = Number(/^free_memory\s+: (\d+)$/m.exec(h.xlOk('info'))![1]);
  assert.equal(Math.floor(heapKb / 1024), freeMiB, 'the heaps hold what xl info calls free');
  assert.deepEqual(press('tt').slice(2), ['Synced stime skew: max=0ns avg=0ns samples=2 current=0ns', 'Synced cycles skew: max=0 avg=0 samples=2 current=0']);
});

test('a dump is printed whatever the log level (console_start_log_everything)', () => {
  h.xlOk('set-parameters', 'loglvl=none');
  try { assert.equal(press('h')[0], "'h' pressed -> showing installed handlers"); } finally { h.xlOk('set-parameters', 'loglvl=warning'); }
});
