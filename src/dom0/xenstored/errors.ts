// Every failure inside xenstored is an XsdError carrying the wire error name; toWireError is
// the one place that turns anything thrown into the name sent back to the client.

export type XsdErrorName =
  | 'EINVAL' | 'EACCES' | 'EEXIST' | 'ENOENT' | 'ENOMEM' | 'ENOSPC' | 'EIO' | 'ENOSYS'
  | 'EBUSY' | 'EAGAIN' | 'E2BIG' | 'EPERM';

/**
 * Not an Error subclass on purpose: failures are part of normal operation (a missing parent on
 * write, a hidden node), and capturing a stack trace for each would cost more than the request.
 */
export class XsdError {
  constructor(readonly errName: XsdErrorName) {}
  get message(): string { return this.errName; }
}

export function fail(name: XsdErrorName): never { throw new XsdError(name); }

export function toWireError(e: unknown, log?: (line: string) => void): XsdErrorName {
  if (e instanceof XsdError) return e.errName;
  // A bug of ours: say so in the log, and answer like xenstored does for untranslatable errors.
  log?.(`internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  return 'EIO';
}
