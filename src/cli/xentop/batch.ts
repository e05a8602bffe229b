// `xentop -b`: the table printed once per sample, with no summary, no curses and no colour,
// until -i iterations are done or SIGINT/SIGTERM arrives (both exit 0, as the real one does).
import type { StatsSample } from '../../protocol/stats.ts';
import type { XentopOptions } from './options.ts';
import type { StatsSource } from './stats-source.ts';
import { batchTable, DEFAULT_TABLE_OPTIONS, type TableOptions } from './table.ts';

/**
 * The stream's period. `-d 0` (or negative) makes the real xentop refresh as fast as it can; a
 * zero period would never let simulated time move, so it is taken as one second.
 */
export function delayNs(seconds: number): bigint {
  return BigInt(Math.max(Math.trunc(seconds), 1)) * 1_000_000_000n;
}

/** Resolves when the run is over; `write` gets each refresh's text. */
export function runBatch(source: StatsSource, o: XentopOptions, write: (text: string) => void): Promise<void> {
  const table: TableOptions = { ...DEFAULT_TABLE_OPTIONS, ...o };
  return new Promise((resolve, reject) => {
    let prev: StatsSample | null = null;
    let done = 0;
    const watch = source.watch(delayNs(o.delay), s => {
      if (o.iterations !== null && done >= o.iterations) return;
      write(batchTable(s, prev, table));
      prev = s;
      if (o.iterations !== null && ++done >= o.iterations) { watch.stop(); resolve(); }
    }, reject);
    const stop = () => { watch.stop(); resolve(); };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
