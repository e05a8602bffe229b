// Every failure inside xenstored is an XsdError carrying the wire error name; toWireError is
// the one place that turns anything thrown into the name sent back to the client.

export type XsdErrorName =
  | 'EINVAL' | 'EACCES' | 'EEXIST' | 'ENOENT' | 'ENOMEM' | 'ENOSPC' | 'EIO' | 'ENOSYS'
  | 'EBUSY' | 'EAGAIN' | 'E2BIG' | 'EPERM';

export class XsdError extends Error {
  constructor(readonly errName: XsdErrorName) { super(errName); }
}

export function fail(name: XsdErrorName): never { throw new XsdError(name); }

export function toWireError(e: unknown, log?: (line: string) => void): XsdErrorName {
  if (e instanceof XsdError) return e.errName;
  // A bug of ours: say so in the log, and answer like xenstored does for untranslatable errors.
  log?.(`internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  return 'EIO';
}
