// A host's own files and directories (XENLAB_HOME, the socket directory, the database, the
// logs, the pid and lock files) belong to the user who runs the daemon and to no one else.
// Whoever could plant a symbolic link or a file there could make a root daemon write over
// another file, or read every domain's state; so a link, another user's file or a directory
// that others can write is refused, never followed and never reused. Files are made 0600 and
// directories 0700; older, looser ones of ours are tightened.
import { chmodSync, closeSync, constants, fchmodSync, fstatSync, lstatSync, mkdirSync, openSync, writeSync, type Stats } from 'node:fs';
import { bytesFromText } from '../formats/byte-text.ts';

export class StateFileError extends Error {}

const uid = (): number => process.getuid!();

const mode = (st: Stats): string => (st.mode & 0o7777).toString(8).padStart(4, '0');

/** What is wrong with `st` as one of our directories or files, or undefined. */
function problem(path: string, st: Stats, kind: 'directory' | 'file'): string | undefined {
  if (st.isSymbolicLink()) return `${path} is a symbolic link`;
  if (kind === 'directory' ? !st.isDirectory() : !st.isFile()) return `${path} is not a ${kind === 'file' ? 'regular file' : 'directory'}`;
  if (st.uid !== uid()) return `${path} belongs to uid ${st.uid}, not to uid ${uid()}`;
  // Others could have put anything in such a directory already.
  if (kind === 'directory' && st.mode & 0o022) return `${path} is writable by group or others (mode ${mode(st)})`;
  // A second name is a way to reach another file (a hard link to it).
  if (kind === 'file' && st.nlink !== 1) return `${path} has ${st.nlink} hard links`;
  return undefined;
}

const refuse = (p: string): never => { throw new StateFileError(`${p}: refusing to use it`); };

/** Why a tool must not trust the directory `path` (absent is fine), or undefined. */
export function untrustedDir(path: string): string | undefined {
  let st: Stats;
  try { st = lstatSync(path); } catch (e: any) { if (e.code === 'ENOENT') return undefined; throw e; }
  return problem(path, st, 'directory');
}

/** Is `path` a directory of ours that only we can use (mode 0700, as $XDG_RUNTIME_DIR is)? */
export function isPrivateDir(path: string): boolean {
  try { const st = lstatSync(path); return !problem(path, st, 'directory') && (st.mode & 0o077) === 0; } catch { return false; }
}

/** Make `path` (its parent must exist) a directory of ours that only we can use. */
export function privateDir(path: string): void {
  try { mkdirSync(path, { mode: 0o700 }); } catch (e: any) { if (e.code !== 'EEXIST') throw e; }
  const st = lstatSync(path);
  const p = problem(path, st, 'directory');
  if (p) refuse(p);
  if (st.mode & 0o077) chmodSync(path, 0o700);
}

/** Open a state file (created 0600) without following a link; anything but a file of ours is refused. */
export function openStateFile(path: string, flags: number): number {
  let fd: number;
  // O_NONBLOCK: a FIFO planted here must not hang the open.
  // A path holding a non-UTF-8 name (its bytes escaped in the text) is opened by those bytes.
  try { fd = openSync(bytesFromText(path), flags | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o600); } catch (e: any) {
    if (e.code === 'ELOOP') refuse(`${path} is a symbolic link`);
    throw e;
  }
  const st = fstatSync(fd);
  const p = problem(path, st, 'file');
  if (p) { closeSync(fd); refuse(p); }
  if (st.mode & 0o077) fchmodSync(fd, 0o600);
  return fd;
}

/** Check (and tighten) a state file that another library opens by name: absent is fine unless `create`. */
export function claimStateFile(path: string, create: boolean): void {
  try { closeSync(openStateFile(path, create ? constants.O_WRONLY | constants.O_CREAT : constants.O_RDONLY)); } catch (e: any) {
    if (e.code !== 'ENOENT' || create) throw e;
  }
}

/** Append to a log file. */
export function appendStateFile(path: string, data: string | Uint8Array): void {
  const fd = openStateFile(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT);
  try { writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data); } finally { closeSync(fd); }
}

/**
 * A domain name as one file name: '%', '/' and NUL written %25, %2F, %00, so no name reaches
 * another directory (callers add a prefix or suffix, which rules out '.' and '..').
 */
export function nameAsFileName(name: string): string {
  return name.replace(/[%/\0]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
