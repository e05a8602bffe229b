// A transport-agnostic xenstore client. The owner supplies `send` (bytes to xenstored) and calls
// `feed` with bytes from it; replies are matched by req_id, so requests may be pipelined.
// Used by the xenstore-* tools (socket), the toolstack (dom0 connection) and guests (their ring).

import { TEXT_STRINGS, type StringBytes } from './byte-text.ts';
import {
  FrameSplitter, XS_PAYLOAD_MAX, XsType, encodeMessage, packStrings, splitStrings, type XsMessage,
} from './xenstore-wire.ts';

export class XsError extends Error {
  /** Wire error name, e.g. 'ENOENT'; 'EPROTO'/'ECONNRESET' for transport failures. */
  readonly code: string;
  constructor(code: string, what?: string) {
    super(what ? `${what}: ${code}` : code);
    this.code = code;
    this.name = 'XsError';
  }
}

export type WatchCallback = (path: string, token: string) => void;

interface Pending { type: number; resolve: (b: Buffer) => void; reject: (e: Error) => void }

export class XsClient {
  private readonly send: (buf: Buffer) => void;
  private readonly splitter = new FrameSplitter();
  private readonly pending = new Map<number, Pending>();
  private nextReqId = 1;
  private watchCbs: WatchCallback[] = [];
  private closedWith: XsError | null = null;

  /** `bytes` turns paths, values and tokens into wire bytes and back (text unless told). */
  constructor(send: (buf: Buffer) => void, private readonly bytes: StringBytes = TEXT_STRINGS) { this.send = send; }

  /** The NUL-separated strings of a reply or event, decoded. */
  private texts(payload: Buffer): string[] {
    return splitStrings(payload, 'latin1').strings.map(s => this.bytes.decode(Buffer.from(s, 'latin1')));
  }

  /** Bytes received from xenstored. */
  feed(data: Buffer): void {
    for (const ev of this.splitter.push(data)) {
      if (ev.kind === 'oversize') { this.close(new XsError('E2BIG', 'reply too long')); return; }
      this.dispatch(ev.message);
    }
  }

  /** The transport is gone: fail every outstanding request. */
  close(err: XsError = new XsError('ECONNRESET')): void {
    if (this.closedWith) return;
    this.closedWith = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  onWatchEvent(cb: WatchCallback): () => void {
    this.watchCbs.push(cb);
    return () => { this.watchCbs = this.watchCbs.filter(c => c !== cb); };
  }

  private dispatch(m: XsMessage): void {
    if (m.type === XsType.WATCH_EVENT) {
      const strings = this.texts(m.payload);
      if (strings.length >= 2) for (const cb of this.watchCbs) cb(strings[0], strings[1]);
      return;
    }
    const p = this.pending.get(m.reqId);
    if (!p) return;
    this.pending.delete(m.reqId);
    if (m.type === XsType.ERROR) {
      const name = m.payload.toString('latin1').replace(/\0.*$/s, '');
      p.reject(new XsError(name));
    } else if (m.type !== p.type) {
      p.reject(new XsError('EPROTO', `reply type ${m.type} to request ${p.type}`));
    } else p.resolve(m.payload);
  }

  /**
   * Sends one request and resolves with the reply payload. A payload over XENSTORE_PAYLOAD_MAX is
   * refused here with E2BIG and never sent, as libxenstore does: xenstored would drop the connection.
   */
  request(type: number, payload: Buffer, txId = 0): Promise<Buffer> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (payload.length > XS_PAYLOAD_MAX) return Promise.reject(new XsError('E2BIG'));
    const reqId = this.nextReqId;
    this.nextReqId = (this.nextReqId + 1) >>> 0 || 1;
    return new Promise<Buffer>((resolve, reject) => {
      this.pending.set(reqId, { type, resolve, reject });
      this.send(encodeMessage({ type, reqId, txId, payload }));
    });
  }

  private strings(type: number, parts: (string | Buffer)[], tx = 0): Promise<Buffer> {
    return this.request(type, packStrings(parts.map(p => (typeof p === 'string' ? this.bytes.encode(p) : p))), tx);
  }

  async readRaw(path: string, tx = 0): Promise<Buffer> { return this.strings(XsType.READ, [path], tx); }
  async read(path: string, tx = 0): Promise<string> { return this.bytes.decode(await this.readRaw(path, tx)); }

  async write(path: string, value: string | Buffer, tx = 0): Promise<void> {
    const v = typeof value === 'string' ? this.bytes.encode(value) : value;
    await this.request(XsType.WRITE, Buffer.concat([packStrings([this.bytes.encode(path)]), v]), tx);
  }

  async mkdir(path: string, tx = 0): Promise<void> { await this.strings(XsType.MKDIR, [path], tx); }
  async rm(path: string, tx = 0): Promise<void> { await this.strings(XsType.RM, [path], tx); }

  /** Children of `path`; falls back to DIRECTORY_PART when the list exceeds one reply (E2BIG). */
  async directory(path: string, tx = 0): Promise<string[]> {
    try {
      return this.texts(await this.strings(XsType.DIRECTORY, [path], tx));
    } catch (e) {
      if (!(e instanceof XsError) || e.code !== 'E2BIG') throw e;
      return this.directoryPart(path, tx);
    }
  }

  private async directoryPart(path: string, tx: number): Promise<string[]> {
    for (let restarts = 0; restarts < 16; restarts++) {
      const parts: Buffer[] = [];
      let gen: string | null = null, off = 0;
      for (;;) {
        const r = await this.strings(XsType.DIRECTORY_PART, [path, String(off)], tx);
        const genEnd = r.indexOf(0);
        const g = r.toString('latin1', 0, genEnd);
        if (gen === null) gen = g;
        else if (g !== gen) break;
        const body = r.subarray(genEnd + 1);
        // A complete list ends with an extra NUL (an empty last string).
        const done = body.length === 0 || (body.length >= 1 && body[body.length - 1] === 0 && (body.length === 1 || body[body.length - 2] === 0));
        const chunk = done ? body.subarray(0, Math.max(0, body.length - 1)) : body;
        parts.push(chunk);
        off += chunk.length;
        if (done) return this.texts(Buffer.concat(parts));
      }
    }
    throw new XsError('EAGAIN', 'directory kept changing');
  }

  async getPerms(path: string, tx = 0): Promise<string[]> {
    return this.texts(await this.strings(XsType.GET_PERMS, [path], tx));
  }
  async setPerms(path: string, perms: string[], tx = 0): Promise<void> {
    await this.strings(XsType.SET_PERMS, [path, ...perms], tx);
  }

  async watch(path: string, token: string): Promise<void> { await this.strings(XsType.WATCH, [path, token]); }
  async unwatch(path: string, token: string): Promise<void> { await this.strings(XsType.UNWATCH, [path, token]); }
  async resetWatches(): Promise<void> { await this.strings(XsType.RESET_WATCHES, ['']); }

  async transactionStart(): Promise<number> {
    return Number(splitStrings(await this.strings(XsType.TRANSACTION_START, ['']), 'latin1').strings[0]);
  }
  async transactionEnd(tx: number, commit: boolean): Promise<void> {
    await this.strings(XsType.TRANSACTION_END, [commit ? 'T' : 'F'], tx);
  }

  /** Runs `fn` in a transaction, committing at the end and retrying while the commit says EAGAIN. */
  async transaction<T>(fn: (tx: number) => Promise<T>, maxRetries = 100): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const tx = await this.transactionStart();
      let result: T;
      try {
        result = await fn(tx);
      } catch (e) {
        await this.transactionEnd(tx, false).catch(() => {});
        throw e;
      }
      try {
        await this.transactionEnd(tx, true);
        return result;
      } catch (e) {
        if (!(e instanceof XsError) || e.code !== 'EAGAIN' || attempt >= maxRetries) throw e;
      }
    }
  }

  async getDomainPath(domid: number): Promise<string> {
    return this.texts(await this.strings(XsType.GET_DOMAIN_PATH, [String(domid)]))[0];
  }
  async introduce(domid: number, gfn: number, port: number): Promise<void> {
    await this.strings(XsType.INTRODUCE, [String(domid), String(gfn), String(port)]);
  }
  async release(domid: number): Promise<void> { await this.strings(XsType.RELEASE, [String(domid)]); }
  async isDomainIntroduced(domid: number): Promise<boolean> {
    return splitStrings(await this.strings(XsType.IS_DOMAIN_INTRODUCED, [String(domid)])).strings[0] === 'T';
  }
  /** CONTROL: returns the reply text without its final NUL. */
  async control(cmd: string, ...args: string[]): Promise<string> {
    const r = await this.strings(XsType.CONTROL, [cmd, ...args]);
    return this.bytes.decode(r).replace(/\0$/, '');
  }
}
