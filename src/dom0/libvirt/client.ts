// One connection to libvirtd: frames in, calls dispatched (several at once, each answered under
// its own serial when done), keepalive answered, events and stream data sent as they come.
import type { Socket } from 'node:net';
import { XdrError, XdrReader, XdrWriter } from '../../formats/xdr.ts';
import { FrameReader, decodeHeader, encodeFrame, MessageStatus, MessageType, type MessageHeader } from '../../formats/libvirt/rpc.ts';
import { KEEPALIVE_PROC, KEEPALIVE_PROGRAM, KEEPALIVE_VERSION, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION } from '../../formats/libvirt/remote-types.ts';
import { encodeRemoteError, VIR_ERR, VIR_FROM, VirError } from '../../formats/libvirt/errors.ts';
import type { RemoteDriver } from './remote-driver.ts';

/** libvirtd's max_client_requests: calls in progress per client before it stops reading more. */
const MAX_CLIENT_REQUESTS = 5;
/** Bytes queued towards a client that does not read, before it is dropped. */
const MAX_QUEUED_BYTES = 64 << 20;

/** What a procedure sees of its connection. */
export interface CallContext {
  readonly client: Client;
  readonly header: MessageHeader;
}

/** Data coming in on a stream the client writes (console input). */
export type StreamInput = (data: Buffer | null) => void;

export class Client {
  opened = false;
  /** libvirtd forces VIR_CONNECT_RO on the read-only socket; a client may also ask for it. */
  readonlyConn: boolean;
  private frames = new FrameReader();
  private inflight = 0;
  private gone = false;
  /** Open streams by serial: their input handler and their close. */
  readonly streams = new Map<number, { proc: number; input: StreamInput; close: () => void }>();
  /** Event callbacks this client registered, by callback ID: each one's deregistration. */
  readonly callbacks = new Map<number, () => void>();
  /** Cleanups run when the connection ends (event callbacks, streams). */
  readonly cleanups = new Set<() => void>();

  constructor(private readonly sock: Socket, readonlySocket: boolean, private readonly driver: RemoteDriver, private readonly log: (l: string) => void) {
    this.readonlyConn = readonlySocket;
    sock.on('data', d => this.data(d));
    sock.on('error', () => {});
  }

  private data(d: Buffer): void {
    let frames: Buffer[];
    try { frames = this.frames.push(d); } catch (e) {
      this.log(`libvirt: dropping client: ${e instanceof Error ? e.message : String(e)}`);
      this.drop();
      return;
    }
    for (const f of frames) this.frame(f);
  }

  private frame(f: Buffer): void {
    const { header, body } = decodeHeader(f);
    if (header.prog === KEEPALIVE_PROGRAM && header.vers === KEEPALIVE_VERSION) {
      if (header.proc === KEEPALIVE_PROC.PING && header.type === MessageType.MESSAGE) {
        this.send({ ...header, proc: KEEPALIVE_PROC.PONG, status: MessageStatus.OK });
      }
      return;
    }
    if (header.prog === REMOTE_PROGRAM && header.type === MessageType.STREAM) { this.streamData(header, body); return; }
    if (header.type !== MessageType.CALL) return; // libvirtd ignores what is neither a call nor a stream
    if (header.prog !== REMOTE_PROGRAM || header.vers !== REMOTE_PROTOCOL_VERSION) {
      this.replyError(header, new VirError(VIR_ERR.RPC, VIR_FROM.RPC, `Cannot find program ${header.prog} version ${header.vers}`));
      return;
    }
    this.inflight++;
    if (this.inflight >= MAX_CLIENT_REQUESTS) this.sock.pause();
    void this.call(header, body).finally(() => {
      if (--this.inflight < MAX_CLIENT_REQUESTS && !this.gone) this.sock.resume();
    });
  }

  private async call(header: MessageHeader, body: Buffer): Promise<void> {
    try {
      const w = new XdrWriter();
      const r = new XdrReader(body);
      await this.driver.dispatch(header.proc, r, w, { client: this, header });
      this.send({ ...header, type: MessageType.REPLY, status: MessageStatus.OK }, w.toBuffer());
    } catch (e) {
      this.replyError(header, toVirError(e));
    }
  }

  private replyError(header: MessageHeader, e: VirError): void {
    this.send({ ...header, type: MessageType.REPLY, status: MessageStatus.ERROR }, encodeRemoteError(e));
  }

  private streamData(header: MessageHeader, body: Buffer): void {
    const s = this.streams.get(header.serial);
    if (!s) return;
    if (header.status === MessageStatus.CONTINUE) { s.input(body); return; }
    // OK = the client finished its side; ERROR = it aborted. Either way the stream ends.
    s.input(null);
    this.endStream(header.serial, header.status === MessageStatus.OK);
  }

  /** Send data on a stream the server writes (console output). */
  streamSend(serial: number, proc: number, data: Buffer): void {
    this.send({ prog: REMOTE_PROGRAM, vers: REMOTE_PROTOCOL_VERSION, proc, type: MessageType.STREAM, serial, status: MessageStatus.CONTINUE }, data);
  }

  endStream(serial: number, ack: boolean): void {
    const s = this.streams.get(serial);
    if (!s) return;
    this.streams.delete(serial);
    s.close();
    if (ack) this.send({ prog: REMOTE_PROGRAM, vers: REMOTE_PROTOCOL_VERSION, proc: s.proc, type: MessageType.STREAM, serial, status: MessageStatus.OK });
  }

  /** An asynchronous message of the remote program (an event). */
  event(proc: number, body: Buffer): void {
    this.send({ prog: REMOTE_PROGRAM, vers: REMOTE_PROTOCOL_VERSION, proc, type: MessageType.MESSAGE, serial: 0, status: MessageStatus.OK }, body);
  }

  private send(h: MessageHeader, body?: Buffer): void {
    if (this.gone || this.sock.destroyed) return;
    if (this.sock.writableLength > MAX_QUEUED_BYTES) { this.drop(); return; }
    this.sock.write(encodeFrame(h, body));
  }

  drop(): void {
    this.sock.destroy();
    this.closed();
  }

  /** The connection ended: release what it held (libvirtd's client close). */
  closed(): void {
    if (this.gone) return;
    this.gone = true;
    for (const [serial] of this.streams) this.endStream(serial, false);
    for (const c of this.cleanups) c();
    this.cleanups.clear();
  }
}

/** Anything a procedure throws becomes a libvirt error; XDR faults are libvirtd's decode error. */
function toVirError(e: unknown): VirError {
  if (e instanceof VirError) return e;
  if (e instanceof XdrError) return new VirError(VIR_ERR.RPC, VIR_FROM.RPC, 'Unable to decode message payload');
  return new VirError(VIR_ERR.INTERNAL_ERROR, VIR_FROM.LIBXL, e instanceof Error ? e.message : String(e));
}
