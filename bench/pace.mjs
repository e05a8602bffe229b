// After a burst of work (creating hundreds of guests) a real-clock daemon's simulated time is
// behind the wall clock, and while it catches up it runs faster than real time: a bench that
// measures simulated/real time waits for it first.
import { readFileSync } from 'node:fs';

/**
 * Wait until the simulated clock of a host booted at wall time `bootMs` (performance.now(); a
 * fresh host's clock starts at 0) is within 250 ms of the wall clock; give up after `limitMs`.
 * Returns the seconds waited and how far behind the clock still is (ms).
 */
export async function untilCaughtUp(conn, bootMs, limitMs = 120_000) {
  const t0 = performance.now();
  for (;;) {
    const c = await conn.request('clock.get', {});
    const lagMs = performance.now() - bootMs - Number(c.nowNs) / 1e6;
    if (lagMs < 250 || performance.now() - t0 >= limitMs) return { waitedS: (performance.now() - t0) / 1000, lagMs };
    await new Promise(r => setTimeout(r, 500));
  }
}

/**
 * On a machine whose cores other work shares, simulated/real time measures the waits for a core
 * as much as the daemon: its CPU per simulated second says what it would reach with a core of its
 * own (a single-threaded daemon keeps pace while that is under 1,000 ms).
 */
export const paceOnOwnCore = cpuMsPerSimS => 1000 / Math.max(1, cpuMsPerSimS);

/** The machine's load averages (1, 5 and 15 minutes), to print beside wall-clock figures. */
export const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
