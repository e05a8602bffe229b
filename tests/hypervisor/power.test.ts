// The power model on a real hypervisor under a virtual clock: C-state and P-state residencies
// add up to the uptime to the nanosecond, governors set the frequency, and a fixed amount of work
// takes more CPU time at a lower frequency.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine, DEFAULT_MACHINE } from '../../src/machine/host.ts';
import { Clock } from '../../src/machine/clock.ts';
import { Hypervisor } from '../../src/hypervisor/hypervisor.ts';

const SEC = 1_000_000_000n;

function host(): { hv: Hypervisor; clock: Clock } {
  const clock = new Clock('virtual', 0, 0n);
  const hv = new Hypervisor(new Machine(DEFAULT_MACHINE), clock);
  clock.setStepper(to => hv.step(to));
  return { hv, clock };
}

/** A one-vCPU guest pinned to `cpu` with workload `frac`. */
function guest(hv: Hypervisor, domid: number, cpu: number, frac: number): void {
  hv.createDomain({ type: 'pv', uuid: `00000000-0000-0000-0000-${String(domid).padStart(12, "0")}`, maxVcpus: 1, onlineVcpus: 1, maxMemkb: 65536, memkb: 65536, weight: 256, cap: 0, poolId: 0, affinity: [{ hard: [cpu], soft: null }] }, domid);
  hv.setWorkloadDemand(domid, 0, frac);
}

const sum = (a: number[]): number => a.reduce((x, y) => x + y, 0);

test('an idle and a loaded pCPU: C-state and P-state residencies each add up to the elapsed time', () => {
  const { hv, clock } = host();
  guest(hv, 1, 3, 1);
  clock.advanceTo(10n * SEC + 7_654_321n);
  const now = clock.now();
  for (const cpu of [2, 3]) {
    const cx = hv.pm.cxStat(cpu, now), px = hv.pm.pxStat(cpu, now);
    assert.equal(sum(cx.residenciesNs), Number(now), `C-states of pCPU ${cpu}`);
    assert.equal(sum(px.residenciesNs), Number(now), `P-states of pCPU ${cpu}`);
    assert.equal(cx.idleTimeNs, Number(hv.sched.pcpuIdleTimeNs(cpu)));
  }
  const idle = hv.pm.cxStat(2, now), busy = hv.pm.cxStat(3, now);
  // The idle pCPU sleeps in the deepest state; the loaded one never leaves C0.
  assert.equal(idle.residenciesNs[3], idle.idleTimeNs);
  assert.ok(idle.idleTimeNs > Number(now) - 1_000_000);
  assert.ok(busy.residenciesNs[0]! > Number(now) - 1_000_000);
  // ondemand: the idle pCPU drops to the lowest frequency, the loaded one goes to P0 (turbo).
  for (let cpu = 0; cpu < hv.pm.nrPcpus; cpu++) hv.pm.setGovernor(cpu, 'ondemand', now);
  clock.advanceTo(now + SEC);
  assert.equal(hv.pm.pxStat(2, clock.now()).freqsMhz[hv.pm.pxStat(2, clock.now()).cur], 800);
  assert.equal(hv.pm.pxStat(3, clock.now()).cur, 0);
});

test('set-max-cstate 1 keeps idle time in C1', () => {
  const { hv, clock } = host();
  hv.pm.setMaxCstate(1);
  clock.advanceTo(2n * SEC);
  const cx = hv.pm.cxStat(5, clock.now());
  assert.equal(cx.residenciesNs[1], cx.idleTimeNs);
  assert.equal(cx.residenciesNs[2], 0);
  assert.equal(cx.residenciesNs[3], 0);
});

test('a fixed amount of work takes more CPU time at a lower frequency', () => {
  const run = (governor: string): number => {
    const { hv, clock } = host();
    for (let cpu = 0; cpu < hv.pm.nrPcpus; cpu++) hv.pm.setGovernor(cpu, governor, 0n);
    guest(hv, 1, 4, 0.2);
    clock.advanceTo(10n * SEC);
    return Number(hv.vcpuTimeNs(1, 0)) / 10e9;
  };
  // Work is sized at P0 with turbo (4/3 of the nominal 2394 MHz); powersave runs it at 800 MHz.
  const performance = run('performance'), powersave = run('powersave');
  assert.ok(Math.abs(performance - 0.2) < 0.005, `performance: ${performance}`);
  assert.ok(Math.abs(powersave - 0.2 * 3192 / 800) < 0.01, `powersave: ${powersave}`);
});

test('governor and limit errors are EINVAL', () => {
  const { hv } = host();
  assert.throws(() => hv.pm.setGovernor(0, 'turbo', 0n), /Invalid argument/);
  assert.throws(() => hv.pm.setSpeed(0, 1200000, 0n), /Invalid argument/);
  hv.pm.setScalingLimit(0, 'max', 1600000, 0n);
  assert.throws(() => hv.pm.setScalingLimit(0, 'min', 2000000, 0n), /Invalid argument/);
  assert.throws(() => hv.pm.cxStat(99, 0n), /Invalid argument/);
});

test('PSR: fifteen classes of service besides the default one, shared by equal masks', () => {
  const { hv } = host();
  for (let d = 1; d <= 16; d++) guest(hv, d, 0, 0);
  // Contiguous masks 0x1, 0x3, ... 0x7fff: fifteen distinct classes.
  for (let d = 1; d <= 15; d++) hv.psr.setVal(d, 0, 'l3-cbm', (1n << BigInt(d)) - 1n, 0n);
  hv.psr.setVal(16, 0, 'l3-cbm', 0x3n, 0n);
  assert.throws(() => hv.psr.setVal(16, 0, 'l3-cbm', 0xffffn, 0n), /Value too large/);
  assert.equal(hv.psr.getCbm(16, 0), 0x3);
  // MBA has eight: seven throttled classes (a class is the pair of mask and throttle).
  const other = host().hv;
  for (let d = 1; d <= 8; d++) guest(other, d, 0, 0);
  for (let d = 1; d <= 7; d++) other.psr.setVal(d, 0, 'mba-thrtl', BigInt(d * 10), 0n);
  assert.throws(() => other.psr.setVal(8, 0, 'mba-thrtl', 80n, 0n), /Value too large/);
  other.psr.setVal(8, 0, 'mba-thrtl', 75n, 0n);
  assert.equal(other.psr.getThrtl(8, 0), 70);
});
