// libvirtd as a client of another libvirtd: the connection the libxl driver opens to the
// destination of a peer-to-peer migration (the remote driver's side of the protocol).
import { connect, type Socket } from 'node:net';
import { XdrReader, XdrWriter } from '../../formats/xdr.ts';
import { decodeHeader, encodeFrame, FrameReader, MessageStatus, MessageType } from '../../formats/libvirt/rpc.ts';
import { REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, STRING_MAX } from '../../formats/libvirt/remote-types.ts';
import { VIR_ERR, VIR_FROM, VirError } from '../../formats/libvirt/errors.ts';

const PROC_AUTH_LIST = 66, PROC_CONNECT_OPEN = 1, PROC_CONNECT_CLOSE = 2;

/** The Unix socket a `xen+unix:///system?socket=PATH` URI names (the hosts of one machine). */
export function peerSocket(uri: string): string {
  const m = /^xen\+unix:\/\/\/system\?(?:.*&)?socket=([^&]+)/.exec(uri);
  if (!m) throw new VirError(VIR_ERR.OPERATION_FAILED, VIR_FROM.LIBXL, `Failed to connect to remote libvirt URI ${uri}: only xen+unix:///system?socket=PATH reaches another xenlab host`);
  return decodeURIComponent(m[1]!);
}

export class PeerConnection {
  private serial = 1;
  private frames = new FrameReader();
  private waiting = new Map<number, { resolve: (r: XdrReader) => void; reject: (e: Error) => void }>();

  private constructor(private readonly sock: Socket) {
    sock.on('data', d => {
      let frames: Buffer[];
      try { frames = this.frames.push(d); } catch (e) { this.fail(e as Error); return; }
      for (const f of frames) {
        const { header, body } = decodeHeader(f);
        const w = header.type === MessageType.REPLY ? this.waiting.get(header.serial) : undefined;
        if (!w) continue;
        this.waiting.delete(header.serial);
        const r = new XdrReader(body);
        if (header.status === MessageStatus.OK) { w.resolve(r); continue; }
        const code = r.int(), domain = r.int(), message = r.optional(() => r.string(STRING_MAX)) ?? '';
        w.reject(Object.assign(new VirError(code, domain, ''), { message }));
      }
    });
    sock.on('error', e => this.fail(e));
    sock.on('close', () => this.fail(new Error('connection closed')));
  }

  static async open(uri: string): Promise<PeerConnection> {
    const path = peerSocket(uri);
    const sock = connect(path);
    await new Promise<void>((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); }).catch(e => {
      throw new VirError(VIR_ERR.OPERATION_FAILED, VIR_FROM.LIBXL, `Failed to connect to remote libvirt URI ${uri}: ${e.message}`);
    });
    const c = new PeerConnection(sock);
    await c.call(PROC_AUTH_LIST);
    await c.call(PROC_CONNECT_OPEN, new XdrWriter().bool(true).string('xen:///system').uint(0));
    return c;
  }

  call(proc: number, body?: XdrWriter): Promise<XdrReader> {
    const serial = this.serial++;
    return new Promise((resolve, reject) => {
      this.waiting.set(serial, { resolve, reject });
      this.sock.write(encodeFrame({ prog: REMOTE_PROGRAM, vers: REMOTE_PROTOCOL_VERSION, proc, type: MessageType.CALL, serial, status: MessageStatus.OK }, body?.toBuffer()));
    });
  }

  async close(): Promise<void> {
    await this.call(PROC_CONNECT_CLOSE).catch(() => {});
    this.sock.destroy();
  }

  private fail(e: Error): void {
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }
}
