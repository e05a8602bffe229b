// Save, restore, migration and core dump requests. The stream bytes themselves travel over a raw
// channel (src/client/raw-channel.ts) named by `token`; these messages steer and report.

/**
 * xl's name for the source domain of a migration once the target has the whole stream, just
 * before it lets the target start its copy (`<name>--migratedaway`).
 */
export const MIGRATED_AWAY_SUFFIX = '--migratedaway';

/** What a save reports while it runs (the last event before the end is the summary). */
export interface SaveEvent {
  /** An xc/libxl log line for stderr. */
  line?: string;
  /** A pass over memory: libxc's progress prefix and pages done of total. */
  progress?: { what: string; done: number; total: number };
  /** The guest is suspended (its downtime starts). */
  suspended?: true;
  summary?: SaveSummaryWire;
}

export interface SaveSummaryWire {
  rounds: number[];
  finalPages: number;
  bytes: number;
  memoryBytes: number;
  /** Simulated downtime (virtual clock); null when the host runs on the real clock. */
  downtimeMs: number | null;
  linkMbit: number;
}

export interface MigrateStreams {
  /** libxl_domain_suspend: write the libxl v2 stream of a domain to the raw channel. */
  'domain.save': {
    args: {
      dom: string; token: string; live: boolean; linkMbit?: number;
      /** Write into this FIFO (the transport's stdin) instead of the raw channel: one copy fewer. */
      path?: string;
    };
    event: SaveEvent;
  };
  /** Build a domain from the libxl v2 stream on the raw channel (the xl header was read by xl). */
  'domain.restore': {
    args: {
      token: string; config: Record<string, unknown>; workload?: string; configText: string; configFile: string;
      /** Build under this name (migrate-receive: `<name>--incoming`). */
      name?: string; domid?: number; paused: boolean;
      /** Read from this pipe (xl's own stdin, via /proc) instead of the raw channel, after `head` (base64). */
      path?: string; head?: string;
      /** xl's working directory, against which relative disk paths resolve (as in libxl, which runs in xl). */
      cwd?: string;
    };
    event: { line?: string; restored?: { domid: number; name: string } };
  };
}

export interface MigrateRequests {
  /** The config to embed in a save header: the stored one with live values, and the workload. */
  'domain.saveConfig': { args: { dom: string }; result: { domid: number; name: string; config: Record<string, unknown>; workload: string | null } };
  /** libxl_domain_resume after a checkpoint or failed save (`paused`: pause first, as save -p). */
  'domain.resume': { args: { dom: string; paused?: boolean }; result: {} };
  /** libxl_domain_core_dump into `path` (absolute). */
  'domain.dumpCore': { args: { dom: string; path: string }; result: {} };
}
