// Control-socket framing between the tools and xenlabd: one JSON document per line.
// A connection starts with a hello in each direction (version handshake); then the client sends
// requests {id, type, args} and gets replies {id, ok, result|error}. A request of a streaming type
// (see streams.ts) gets any number of {id, event} frames until either side closes it with {id, end}.

export const PROTOCOL_VERSION = 1;

export interface Hello { hello: 'xenlab'; version: number; pid?: number }
export interface RequestFrame { id: number; type: string; args: unknown }
export interface ReplyFrame { id: number; ok: boolean; result?: unknown; error?: ErrorPayload }
export interface EventFrame { id: number; event: unknown }
export interface EndFrame { id: number; end: true }
/** Input from the client to an open stream (console keystrokes, a stream being cancelled). */
export interface InputFrame { id: number; input: unknown }

/**
 * A failure as the real tool reports it. `message` is the exact text the tool prints on stderr
 * (may be several lines); `exitCode` what it exits with; `code` a stable machine name.
 */
export interface ErrorPayload { code: string; message: string; exitCode?: number }

/** A bigint (a libxl uint64 past 2^53, such as a huge max_memkb) travels as the nearest number. */
export function encodeFrame(f: object): string {
  return JSON.stringify(f, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)) + '\n';
}

/** Splits a byte stream into JSON frames. */
export class FrameSplitter {
  private buf = '';
  constructor(private readonly onFrame: (f: any) => void) {}
  push(chunk: Buffer | string): void {
    this.buf += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      if (line.length) this.onFrame(JSON.parse(line));
    }
  }
}

export class ToolError extends Error {
  constructor(public readonly code: string, message: string, public readonly exitCode = 1) { super(message); }
  toPayload(): ErrorPayload { return { code: this.code, message: this.message, exitCode: this.exitCode }; }
}
