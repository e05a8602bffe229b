// The tools' usage lines (Xen 4.17 xenstore_client.c) and errx-style exits.

export type Mode = 'read' | 'write' | 'rm' | 'exists' | 'list' | 'ls' | 'chmod' | 'watch';

const USAGE: Record<Mode, string> = {
  read: '[-h] [-p] [-s] [-R] key [...]',
  write: '[-h] [-s] [-R] key value [...]',
  rm: '[-h] [-s] [-t] key [...]',
  exists: '[-h] [-p] [-s] key [...]',
  list: '[-h] [-p] [-s] key [...]',
  ls: '[-h] [-f] [-p] [-s] [path]',
  chmod: '[-h] [-u] [-r] [-s] key <mode [modes...]>',
  watch: '[-h] [-n NR] key',
};

export const MODES = Object.keys(USAGE) as Mode[];

/** Thrown to end the program with a message on stderr (errx/err). */
export class Exit extends Error {
  constructor(readonly code: number, readonly stderr: string) { super(stderr); }
}

export function errx(prog: string, msg: string): never {
  throw new Exit(1, `${prog}: ${msg}\n`);
}

export function usage(prog: string, argv0: string, mode: Mode | null, inclMode: boolean): never {
  if (!mode) errx(prog, `Usage: ${argv0} <mode> [-h] [...]`);
  errx(prog, `Usage: ${argv0} ${inclMode ? mode + ' ' : ''}${USAGE[mode]}`);
}
