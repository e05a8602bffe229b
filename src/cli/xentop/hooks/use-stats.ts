// The latest two samples from the StatsSource, re-subscribing when the delay changes (the
// stream then sends a sample at once, as xentop refreshes right after the delay prompt).
import { useContext, useEffect, useState } from 'react';
import type { StatsSample } from '../../../protocol/stats.ts';
import { delayNs } from '../batch.ts';
import { StatsSourceContext } from '../stats-context.ts';

export interface Samples { cur: StatsSample | null; prev: StatsSample | null; count: number; error: Error | null }

export function useStats(delaySeconds: number): Samples {
  const source = useContext(StatsSourceContext);
  const [samples, setSamples] = useState<Samples>({ cur: null, prev: null, count: 0, error: null });
  useEffect(() => {
    if (!source) return;
    const w = source.watch(delayNs(delaySeconds),
      s => setSamples(p => ({ cur: s, prev: p.cur, count: p.count + 1, error: null })),
      e => setSamples(p => ({ ...p, error: e })));
    return () => w.stop();
  }, [source, delaySeconds]);
  return samples;
}
