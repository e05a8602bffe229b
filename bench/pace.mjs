// After a burst of work (creating hundreds of guests) a real-clock daemon's simulated time is
// behind the wall clock, and while it catches up it runs faster than real time: a bench that
// measures simulated/real time waits for this first.
/**
 * Wait until simulated time, measured over one real second twice in a row, runs at most at real
 * speed (caught up, or as fast as the daemon can go); gives up after `limitMs`. The seconds it took.
 */
export async function untilPaced(conn, limitMs = 120_000) {
  const t0 = performance.now();
  for (let paced = 0; paced < 2 && performance.now() - t0 < limitMs;) {
    const c0 = await conn.request('clock.get', {}); const w0 = performance.now();
    await new Promise(r => setTimeout(r, 1000));
    const c1 = await conn.request('clock.get', {});
    paced = (Number(c1.nowNs) - Number(c0.nowNs)) / 1e6 / (performance.now() - w0) <= 1.02 ? paced + 1 : 0;
  }
  return (performance.now() - t0) / 1000;
}
