// Streaming requests: the daemon sends {id, event} frames until the stream ends.
import type { StatsSample } from './stats.ts';
import type { TraceStreams } from './trace.ts';
import type { MigrateStreams } from './migrate.ts';

export interface Streams extends TraceStreams, MigrateStreams {
  /** xentop: a sample now, then one every `delayNs` of simulated time. */
  'stats.watch': { args: { delayNs: string }; event: StatsSample };
  /** xl console: the log so far, then live output; input frames carry keystrokes (base64). No type: the domain's primary console. */
  'console.attach': { args: { dom: string; type?: 'pv' | 'serial' }; event: { data?: string; closed?: boolean; domid?: number } };
  /** xl shutdown -w / destroy waits: ends when the domain reaches the state. */
  'domain.wait': { args: { domid: number; until: 'gone' | 'shutdown' }; event: { reached: boolean; message?: string } };
  /** Lifecycle events (created, destroyed, shutdown, the action taken, rebooted...) for dashboards and xl create -F. */
  'events.watch': { args: {}; event: { ns: string; kind: string; domid: number; name: string | null; detail?: string } };
}

export type StreamType = keyof Streams;
