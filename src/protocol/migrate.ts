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
  /** Remus: a checkpoint the backup now holds. */
  checkpoint?: CheckpointWire;
  summary?: SaveSummaryWire;
}

export interface CheckpointWire {
  n: number;
  pages: number;
  bytes: number;
  /** When the guest was paused for it and for how long (the host's simulated time, ns, decimal). */
  suspendedAtNs: string;
  pauseNs: string;
  /** Packets the network buffers released so far, and hold now. */
  releasedPackets: number;
  bufferedPackets: number;
}

/** Remus's options on a save (xl remus). */
export interface RemusWire {
  /** Checkpoint interval (-i). */
  intervalMs: number;
  /** Buffer the guest's network output until its checkpoint is committed (off with -n). */
  netbuf: boolean;
  /** Replicate the guest's disks (off with -d). */
  diskbuf: boolean;
}

/** A Remus network buffer's counters (one per vif), as tc would show its IFB's plug qdisc. */
export interface NetbufWire {
  devid: number; ifb: string;
  releasedPackets: number; releasedBytes: number; bufferedPackets: number; bufferedBytes: number;
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
      /** Remus: checkpoint after the live phase (libxl_domain_remus_start). */
      remus?: RemusWire;
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
      /** A Remus stream (migrate-receive -r): failover to the last complete checkpoint when it ends. */
      checkpointed?: boolean;
      /** A COLO stream (migrate-receive --colo). */
      colo?: boolean;
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
  /** (xenlab) The Remus network buffers of a domain: what they released and hold. */
  'remus.netbuf': { args: { dom: string }; result: { vifs: NetbufWire[] } };
}
