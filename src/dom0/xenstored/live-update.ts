// xenstored's live update (CONTROL live-update, which Xen 4.17's xenstore-control drives): a
// session names the new binary (-f), optionally its command line (-c), and starts (-s, with -t
// timeout and -F force) or is aborted (-a). The start is answered only once the update happened
// or was refused: it waits while transactions are open, new transactions wait for it, and at the
// timeout it is refused with the long-running transactions named, or forced past them.
//
// C xenstored dumps its state and execs the new binary, which reads the state back and keeps
// every socket; xenlab's xenstored lives inside xenlabd, so "the new binary" is the same code
// taking over the same state in place. What the exec changes is changed here too: open
// transactions are gone (C ignores their records: their ids answer ENOENT afterwards), quotas
// are back at their defaults (the new process's command line sets them), and every connection,
// watch, node, permission and queued reply is kept.

import { statSync } from 'node:fs';
import { XsType } from '../../formats/xenstore-wire.ts';
import { atoi } from '../../formats/libc/strtol.ts';
import type { Connection } from './connection.ts';
import type { XenstoredCore } from './core.ts';
import { fail } from './errors.ts';
import { resetQuota } from './quota.ts';

/** xenstored's time in seconds (C's time(NULL)) and a timer, both on the host's clock. */
export interface XenstoredClock {
  nowS(): number;
  after(seconds: number, fire: () => void): () => void;
}

export const REAL_CLOCK: XenstoredClock = {
  nowS: () => Math.floor(Date.now() / 1000),
  after: (s, fire) => { const t = setTimeout(fire, s * 1000); return () => clearTimeout(t); },
};

interface Session {
  conn: Connection;
  filename: string;
  cmdline?: string;
  /** Set by -s: the request to answer when the update is done or refused. */
  start?: { reqId: number; force: boolean; timeout: number; startedAt: number; cancelTimer: () => void };
}

export class LiveUpdate {
  private session: Session | null = null;

  constructor(
    private readonly core: XenstoredCore,
    private readonly clock: XenstoredClock,
    /** Called once an update happened: connections waiting for it go on. */
    private readonly resumed: () => void,
  ) {}

  /** A start is pending (C's lu_is_pending: a session exists). */
  get pending(): boolean { return this.session !== null; }

  /** The subcommand's reply, or null for a start (answered later, by poll()). */
  command(conn: Connection, args: string[], reqId: number): string | null {
    const [op, ...rest] = args;
    if (op === undefined) fail('EINVAL');
    if (op === '-a') { if (rest.length) fail('EINVAL'); return this.abort() ?? 'OK'; }
    if (op === '-c') { if (rest.length !== 1) fail('EINVAL'); return this.cmdline(conn, rest[0]!) ?? 'OK'; }
    if (op === '-s') return this.begin(conn, rest, reqId);
    // The daemon's way of naming the binary; Mini-OS's -b/-d (a transferred kernel) is not a daemon's.
    if (op === '-f' && rest.length === 1) return this.binary(conn, rest[0]!) ?? 'OK';
    fail('EINVAL');
  }

  private abort(): string | null {
    this.core.log('live-update: abort');
    if (!this.session) return 'No live-update session active.';
    this.end('Cancellation was requested');
    return null;
  }

  private cmdline(conn: Connection, cmdline: string): string | null {
    this.core.log(`live-update: cmdline ${cmdline}`);
    if (this.session?.conn !== conn) return 'Not in live-update session.';
    this.session.cmdline = cmdline;
    return null;
  }

  private binary(conn: Connection, filename: string): string | null {
    this.core.log(`live-update: binary ${filename}`);
    let mode: number;
    try { mode = statSync(filename).mode; } catch { return 'File not accessible.'; }
    if (!(mode & 0o111)) return 'File not executable.';
    if (this.session) return 'live-update session already active.';
    this.session = { conn, filename };
    return null;
  }

  private begin(conn: Connection, args: string[], reqId: number): string | null {
    let force = false, timeout = 0;
    for (let i = 0; i < args.length; i++) {
      if (args[i] === '-F') force = true;
      else if (args[i] === '-t' && i < args.length - 1) timeout = atoi(args[++i]!) >>> 0;
      else fail('EINVAL');
    }
    this.core.log(`live-update: start, force=${force ? 1 : 0}, to=${timeout}`);
    const s = this.session;
    if (s?.conn !== conn) return 'Not in live-update session.';
    s.start?.cancelTimer();
    // Tried after this request (xenstored polls after each) and again at the timeout.
    s.start = { reqId, force, timeout, startedAt: this.clock.nowS(), cancelTimer: this.clock.after(timeout, () => this.poll()) };
    return null;
  }

  /**
   * May `conn` start a transaction now? Not while an update is pending, unless it has one open
   * already (C delays such a TRANSACTION_START until the update is done or aborted).
   */
  mayStartTransaction(conn: Connection): boolean { return !this.session || conn.transactions.size > 0; }

  /** The session's connection closed: the session goes with it, as C's is freed with it. */
  dropped(conn: Connection): void { if (this.session?.conn === conn) this.end(); }

  /** do_lu_start: retried after every request and at the timeout until it updates or refuses. */
  poll(): void {
    const s = this.session, start = s?.start;
    if (!s || !start) return;
    const now = this.clock.nowS();
    const open = [...this.core.connections].filter(c => c.transactions.size > 0);
    const long = open.filter(c => now - c.taStartedAt >= start.timeout);
    if (open.length && !(start.force && long.length === open.length)) {
      if (now < start.startedAt + start.timeout) return;
      if (!start.force) {
        const reason = long.length
          ? ['Domains with long running transactions:', ...long.map(c => `Domain ${c.domid}: ${now - c.taStartedAt} s`)].join('\n')
          : 'Overlapping transactions';
        this.end(reason);
        return;
      }
    }
    this.update(s);
  }

  /** The new xenstored takes over: what an exec loses goes, the rest stays, the starter hears OK. */
  private update(s: Session): void {
    this.takeOver();
    this.core.log(`live-update: exec ${s.filename}${s.cmdline ? ` ${s.cmdline}` : ''}; read state`);
    this.end('OK');
  }

  /** What a new xenstored process loses of the old one's state: open transactions, and quotas set at run time. */
  takeOver(): void {
    for (const c of this.core.connections) c.transactions.clear();
    resetQuota();
  }

  /** The session is over: the start's reply (if one is due) goes out, and waiting connections go on. */
  private end(reply?: string): void {
    const s = this.session;
    if (!s) return;
    s.start?.cancelTimer();
    this.session = null;
    if (reply !== undefined && s.start) s.conn.send(XsType.CONTROL, s.start.reqId, 0, Buffer.from(`${reply}\0`));
    this.resumed();
  }
}
