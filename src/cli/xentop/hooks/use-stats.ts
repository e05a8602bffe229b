// The latest two samples from the StatsSource, re-subscribing when the delay or `generation`
// changes: the stream then sends a sample at once and restarts its period, as xentop takes a new
// sample after every key press and waits a whole delay from there.
import { useContext, useEffect, useState } from 'react';
import type { StatsSample } from '../../../protocol/stats.ts';
import { delayNs } from '../batch.ts';
import { StatsSourceContext } from '../stats-context.ts';

export interface Samples { cur: StatsSample | null; prev: StatsSample | null; count: number; error: Error | null }

export function useStats(delaySeconds: number, generation: number): Samples {
  const source = useContext(StatsSourceContext);
  const [samples, setSamples] = useState<Samples>({ cur: null, prev: null, count: 0, error: null });
  useEffect(() => {
    if (!source) return;
    const w = source.watch(delayNs(delaySeconds),
      // A sample taken at the instant of the last one (a key press while the virtual clock
      // stands) replaces it: CPU(%) stays over the last interval instead of 0/0.
      s => setSamples(p => ({ cur: s, prev: p.cur && p.cur.ns === s.ns ? p.prev : p.cur, count: p.count + 1, error: null })),
      e => setSamples(p => ({ ...p, error: e })));
    return () => w.stop();
  }, [source, delaySeconds, generation]);
  return samples;
}
