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
  /** `setsErrno`: C xenstored reports this failure through errno, which outlives the request. */
  constructor(readonly errName: XsdErrorName, readonly setsErrno = false) {}
  get message(): string { return this.errName; }
}

export function fail(name: XsdErrorName): never { throw new XsdError(name); }

/** A failure C xenstored reports by setting errno (node lookups), not by returning it. */
export function failErrno(name: XsdErrorName): never { throw new XsdError(name, true); }

export function toWireError(e: unknown, log?: (line: string) => void): XsdErrorName {
  if (e instanceof XsdError) return e.errName;
  // A bug of ours: say so in the log, and answer like xenstored does for untranslatable errors.
  log?.(`internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  return 'EIO';
}
