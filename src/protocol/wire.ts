// Control-socket framing between the tools and xenlabd: one JSON document per line.
// A connection starts with a hello {hello: 'xenlab', version, pid?} in each direction (version
// handshake); then the client sends requests {id, type, args} and gets replies {id, ok,
// result|error}. A request of a streaming type (see streams.ts) gets any number of {id, event}
// frames, takes the client's {id, input} (console keystrokes), until either side closes it with
// {id, end}. A raw data channel (src/daemon/raw-channels.ts) sends {raw: token} instead of a hello.
// A frame the daemon cannot read gets a reply with `id: null` when it carries no usable id.
import { isObject } from './schema.ts';

export const PROTOCOL_VERSION = 1;

/** Longest line the daemon accepts; a longer one closes the connection. */
export const MAX_FRAME_BYTES = 1 << 20;

/**
 * A failure as the real tool reports it. `message` is the exact text the tool prints on stderr
 * (may be several lines); `exitCode` what it exits with; `code` a stable machine name.
 */
export interface ErrorPayload { code: string; message: string; exitCode?: number }

export class ToolError extends Error {
  constructor(public readonly code: string, message: string, public readonly exitCode = 1) { super(message); }
  toPayload(): ErrorPayload { return { code: this.code, message: this.message, exitCode: this.exitCode }; }
}

/**
 * A bigint (a libxl uint64 past 2^53, such as a huge max_memkb) travels as the nearest number.
 * JSON.stringify throws on one, and only then is the slower replacer pass paid for.
 */
export function encodeFrame(f: object): string {
  try { return JSON.stringify(f) + '\n'; } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    return JSON.stringify(f, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)) + '\n';
  }
}

/**
 * Splits a byte stream into JSON frames. The bytes of an unfinished line are kept as the chunks
 * they came in and joined once, when its newline arrives: each byte is looked at once, however
 * the line is cut. A line longer than `maxBytes` throws (E2BIG); a line that is not JSON goes
 * to `onJunk`, which throws by default.
 */
export class FrameSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  constructor(
    private readonly onFrame: (f: unknown) => void,
    private readonly maxBytes = MAX_FRAME_BYTES,
    private readonly onJunk: (why: string) => void = why => { throw new ToolError('EPROTO', why); },
  ) {}

  push(chunk: Buffer): void {
    let from = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, from)) {
      this.keep(chunk.subarray(from, nl));
      const line = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size);
      this.parts = [];
      this.size = 0;
      from = nl + 1;
      if (line.length) this.frame(line);
    }
    this.keep(chunk.subarray(from));
  }

  private keep(b: Buffer): void {
    if (!b.length) return;
    if (this.size + b.length > this.maxBytes) throw new ToolError('E2BIG', `a control frame is longer than ${this.maxBytes} bytes`);
    this.parts.push(b);
    this.size += b.length;
  }

  private frame(line: Buffer): void {
    let f: unknown;
    try { f = JSON.parse(line.toString('utf8')); } catch { this.onJunk('a control frame is not JSON'); return; }
    this.onFrame(f);
  }
}

/** What a client sent, once its frame is known to have the fields of its kind. */
export type ClientFrame =
  | { kind: 'hello' }
  | { kind: 'request'; id: number; type: string; args: unknown }
  | { kind: 'input'; id: number; input: unknown }
  | { kind: 'end'; id: number }
  | { kind: 'bad'; id: number | null; why: string };

const isId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

export function readClientFrame(f: unknown): ClientFrame {
  if (!isObject(f)) return { kind: 'bad', id: null, why: 'a control frame must be a JSON object' };
  if (Object.hasOwn(f, 'hello')) return { kind: 'hello' };
  if (!isId(f.id)) return { kind: 'bad', id: null, why: 'a control frame needs an id (a non-negative integer)' };
  if (Object.hasOwn(f, 'input')) return { kind: 'input', id: f.id, input: f.input };
  if (Object.hasOwn(f, 'end')) return { kind: 'end', id: f.id };
  if (typeof f.type !== 'string') return { kind: 'bad', id: f.id, why: 'a request needs a type (a string)' };
  return { kind: 'request', id: f.id, type: f.type, args: f.args ?? {} };
}

/** The token of a raw data channel's first line, if that is what it is. */
export function rawChannelToken(f: unknown): string | undefined {
  return isObject(f) && typeof f.raw === 'string' && f.raw.length <= 64 ? f.raw : undefined;
}
