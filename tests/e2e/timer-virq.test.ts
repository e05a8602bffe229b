// The guest's timer VIRQ fires (issue 12): Xen sends VIRQ_TIMER to a vCPU when the singleshot
// timer its kernel armed expires. A running Linux ticks at HZ=250, so a CPU-bound vCPU gets 250
// timer interrupts per second of CPU time; an idle kernel is tickless and takes one each time it
// wakes for its next timer, a few a second. The guest's /proc/interrupts counts them on its
// xen-percpu timerN lines.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestHost } from '../helpers/host.ts';
import { guestShell } from '../helpers/guest-shell.ts';

let h: TestHost;
before(() => {
  h = new TestHost().start().createGuests({ busy: 'vcpus = 2\nworkload = "cpu=100"', idle: '' }, '5s');
});
after(() => h.stop());

/** The count on each timerN line of a guest's /proc/interrupts (the count in vCPU N's column). */
async function timers(dom: string): Promise<number[]> {
  const text = await guestShell(h, dom, 'cat /proc/interrupts');
  return [...text.matchAll(/^ *\d+:((?: +\d+)+)  xen-percpu    -virq      timer(\d+)$/gm)].map(m => Number(m[1]!.trim().split(/ +/)[Number(m[2])]));
}

/** Each vCPU's Time(s) in xl vcpu-list. */
const cpuSeconds = (dom: string): number[] => h.xlOk('vcpu-list', dom).trim().split('\n').slice(1).map(l => Number(l.trim().split(/\s+/)[5]));

test('a CPU-bound vCPU takes 250 timer interrupts per second it runs; an idle one only its tickless wakes', async () => {
  const [b1, i1, c1] = [await timers('busy'), await timers('idle'), cpuSeconds('busy')];
  h.advance('10s');
  const [b2, i2, c2] = [await timers('busy'), await timers('idle'), cpuSeconds('busy')];
  assert.equal(b2.length, 2, 'one timer line per vCPU');
  for (let v = 0; v < 2; v++) {
    const ticks = b2[v]! - b1[v]!, ran = c2[v]! - c1[v]!;
    assert.ok(ran > 9, `vCPU ${v} ran ${ran}s`);
    // vcpu-list rounds to 0.1 s (25 ticks); the counts arrive at each scheduling decision.
    assert.ok(Math.abs(ticks - ran * 250) <= 30, `vCPU ${v}: ${ticks} timer interrupts in ${ran}s of CPU`);
  }
  const idle = i2[0]! - i1[0]!;
  assert.ok(idle > 0 && idle <= 100, `the idle vCPU woke for its timer ${idle} times in 10s (a ticking kernel: 2500)`);
});
