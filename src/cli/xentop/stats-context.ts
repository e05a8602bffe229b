// The StatsSource the interactive components read from: the daemon in production, recorded
// samples in tests and screenshots.
import { createContext } from 'react';
import type { StatsSource } from './stats-source.ts';

export const StatsSourceContext = createContext<StatsSource | null>(null);
