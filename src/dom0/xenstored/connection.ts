// One client of xenstored: a socket (always dom0) or a domain's ring. It owns its watches and
// transactions and sends replies and events as wire messages.

import { XS_PAYLOAD_MAX, XsType, packStrings } from '../../formats/xenstore-wire.ts';
import { homePath } from './path.ts';
import type { Caller } from './perms.ts';
import type { Transaction } from './transaction.ts';
import type { ConnectionSet, Watch } from './watches.ts';

let nextConnId = 1;

/** Where a connection's replies and events go: the socket or ring encodes them. */
export type MessageSink = (type: number, reqId: number, txId: number, payload: Buffer) => void;

export class Connection implements Caller {
  readonly id = nextConnId++;
  readonly home: string;
  readonly transactions = new Map<number, Transaction>();
  private watchList: Watch[] = [];
  /** The live connections' index of watches, while this one is among them. */
  watchIndex: ConnectionSet | null = null;
  closed = false;
  private lastTxId = 0;
  /** When its transactions started (C's ta_start_time): the first one opened while none were, in seconds. */
  taStartedAt = 0;

  constructor(
    readonly domid: number,
    readonly privileged: boolean,
    private readonly out: MessageSink,
    /** Called when xenstored drops this connection (oversized request, domain released). */
    readonly drop: () => void,
    private readonly targets: ReadonlyMap<number, number> = new Map(),
    /** A Unix socket client (dom0, but not dom0's own ring: C accounts it apart). */
    readonly isSocket = false,
  ) {
    this.home = homePath(domid);
  }

  get watches(): readonly Watch[] { return this.watchList; }
  /** Replaces every watch (a reset: none are left). */
  set watches(ws: readonly Watch[]) {
    for (const w of this.watchList) this.watchIndex?.watchRemoved(this, w.path);
    this.watchList = [...ws];
    for (const w of this.watchList) this.watchIndex?.watchAdded(this, w.path);
  }

  addWatch(w: Watch): void { this.watchList.push(w); this.watchIndex?.watchAdded(this, w.path); }

  removeWatch(i: number): void {
    const [w] = this.watchList.splice(i, 1);
    if (w) this.watchIndex?.watchRemoved(this, w.path);
  }

  /** The domain this one acts for (SET_TARGET), if any. */
  get target(): number | undefined { return this.targets.get(this.domid); }

  send(type: number, reqId: number, txId: number, payload: Buffer): void {
    if (!this.closed) this.out(type, reqId, txId, payload);
  }

  sendWatchEvent(path: string, token: string): void {
    const payload = packStrings([path, token]);
    // Events too long for one message are dropped, as C xenstored does.
    if (payload.length <= XS_PAYLOAD_MAX) this.send(XsType.WATCH_EVENT, 0, 0, payload);
  }

  /** Per-connection transaction ids start at 1 and skip ids still in use. */
  allocTxId(): number {
    do { this.lastTxId = (this.lastTxId + 1) >>> 0 || 1; } while (this.transactions.has(this.lastTxId));
    return this.lastTxId;
  }
}
