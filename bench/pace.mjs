// After a burst of work (creating hundreds of guests) a real-clock daemon's simulated time is
// behind the wall clock, and while it catches up it runs faster than real time: a bench that
// measures simulated/real time waits for it first.
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
