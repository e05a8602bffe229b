// The name a tool was invoked as: C's argv[0], which the real tools print in getopt's messages and
// some usage lines. Our tools run as `node <launcher>`, and the kernel hands node the path the
// launcher was executed by (a symlink's own path, `./bin/xl`, ...); node then makes
// process.argv[1] absolute, so the path as given is read back from /proc/self/cmdline.
// A shell that found a bare command name on PATH executes `dir/name` but would give a C program
// argv[0] = name; a launcher path that is exactly what a PATH search for its basename finds is
// therefore reported as the basename (typing that same full path by hand is the one case this
// reports differently from C).
import { accessSync, constants } from 'node:fs';
import { basename, delimiter, resolve } from 'node:path';
import { cmdlineWords } from '../client/argv-bytes.ts';

/** The launcher path as executed, or process.argv[1] where /proc is not available. */
function executedPath(): string {
  const script = process.argv[1] ?? '';
  const given = cmdlineWords()?.slice(1).map(w => w.toString()).find(w => resolve(w) === script);
  if (given !== undefined) return given;
  // No /proc: the absolute path is the best there is.
  return script;
}

/** What a PATH search for `name` finds first, as the shell would build it. */
function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = `${dir === '' ? '.' : dir}/${name}`;
    try { accessSync(candidate, constants.X_OK); return candidate; } catch { /* keep searching */ }
  }
  return undefined;
}

export function invokedName(): string {
  const path = executedPath();
  const name = basename(path);
  return path.includes('/') && onPath(name) === path ? name : path;
}
