// Where xentop's samples come from: the daemon's 'stats.watch' stream in production, recorded
// samples in tests. Both deliver a sample at once and then one per `delayNs` of (simulated) time.
import type { StatsSample } from '../../protocol/stats.ts';

export interface StatsWatch {
  stop(): void;
}

export interface StatsSource {
  watch(delayNs: bigint, onSample: (s: StatsSample) => void, onError: (e: Error) => void): StatsWatch;
  close(): void;
}

/** Replays samples: all of them at once on each watch (tests; screenshots of fixed data). */
export function recordedSource(samples: StatsSample[]): StatsSource {
  return {
    watch(_delayNs, onSample) {
      let stopped = false;
      queueMicrotask(() => { for (const s of samples) if (!stopped) onSample(s); });
      return { stop: () => { stopped = true; } };
    },
    close() {},
  };
}
