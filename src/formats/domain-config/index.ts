export { buildDomainConfig, type BuildOptions, type BuildResult } from './build.ts';
export { ConfigError, stderrText } from './errors.ts';
export { DEFAULT_TOPOLOGY, type HostTopology, parseCpuRange } from './cpumap.ts';
export type * from './types.ts';
export { configFromText, type ConfigOutcome } from './from-text.ts';
