// Reaching a host's control socket. Its directory must be the user's alone: in a directory
// someone else made, the socket could be theirs, and it would get every request (root's too).
import { Connection } from './connection.ts';
import type { HostPaths } from '../protocol/paths.ts';
import { ToolError } from '../protocol/wire.ts';
import { untrustedDir } from '../dom0/state-files.ts';

/** Exit code for "daemon unreachable" (EX_UNAVAILABLE), used by every tool. */
export const EXIT_UNAVAILABLE = 69;

/** Connect to the control socket; a socket directory that is not ours alone is a ToolError. */
export function openControl(paths: HostPaths): Promise<Connection> {
  const bad = untrustedDir(paths.sockets);
  if (bad) throw new ToolError('EDAEMON', `${bad}: refusing to connect to ${paths.control}`, EXIT_UNAVAILABLE);
  return Connection.open(paths.control);
}
